from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from members.population_import import (
    PopulationDifferences,
    PopulationImportError,
    population_import,
)


class Command(BaseCommand):
    help = (
        "Import population figures from an SSB statbank CSV (tables 07459 and 01222). "
        "All or nothing: a bad or incomplete file is rejected with every bad line named. "
        "Figures that differ from stored ones are listed and nothing changes, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--period", help="e.g. 2017 (1 January) or 2017K2 (quarter)")
        parser.add_argument("--source", default="")
        parser.add_argument(
            "--basis",
            action="store_true",
            help="also make the figures the contribution basis (not for invoiced shares)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace stored figures that differ from the file (listed without this flag)",
        )

    def handle(self, *args, path, period, source, basis, replace=False, **options):
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Kan ikke lese %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        try:
            result = population_import(
                content=content,
                actor=None,
                period=period,
                source=source or f"SSB-fil {Path(path).name}",
                replace_basis=basis,
                replace=replace,
            )
        except PopulationDifferences as exc:
            for line in exc.errors:
                self.stdout.write(line)
            raise CommandError(
                _(
                    "%(n)s tall er forskjellige fra dem som er lagret (listet over); ingenting er "
                    "endret. Kjør igjen med --replace for å erstatte dem."
                )
                % {"n": len(exc.differences)}
            ) from exc
        except PopulationImportError as exc:
            raise CommandError(
                _("Filen er avvist, ingenting er importert:\n%(errors)s")
                % {"errors": "\n".join(exc.errors)}
            ) from exc
        self.stdout.write(
            _(
                "Importert %(n)s tall for %(period)s (tabell %(table)s); "
                "%(derived)s fylker summert; %(basis)s grunnlag erstattet"
            )
            % {
                "n": result.figures,
                "period": result.period,
                "table": result.table,
                "derived": result.derived_fylker,
                "basis": result.bases_replaced,
            }
        )
        if result.bases_frozen:
            self.stdout.write(
                _("Fakturert, ikke endret: %(members)s")
                % {"members": ", ".join(result.bases_frozen)}
            )
