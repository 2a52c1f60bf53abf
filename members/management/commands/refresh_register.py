"""Refresh every member from Enhetsregisteret: show the differences (member, field, old, new)
and the members that could not be looked up, then apply them on confirmation.

    manage.py refresh_register            # show, then ask «Bruk endringene? [j/N]»
    manage.py refresh_register --apply    # show and apply without asking (cron)
    manage.py refresh_register --dry-run  # show only

The look-up is recorded like KS's page does (a RegisterRefresh), so the page lists it too."""

import sys

from django.core.management.base import BaseCommand

from members.models import RegisterRefresh
from members.register import field_label, register_refresh_apply, register_refresh_fetch, shown


class Command(BaseCommand):
    help = "Hent medlemmene fra Enhetsregisteret, vis forskjellene og bruk dem etter bekreftelse."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Bruk endringene uten å spørre.")
        parser.add_argument("--dry-run", action="store_true", help="Bare vis forskjellene.")
        parser.add_argument(
            "--member", type=int, action="append", default=[], help="Bare dette medlemmet (id)."
        )

    def handle(self, *args, **options):
        refresh = RegisterRefresh.objects.create(
            member_ids=sorted(set(options["member"])), note="manage.py refresh_register"
        )
        refresh = register_refresh_fetch(refresh=refresh)
        for change in refresh.changes:
            self.stdout.write(f"{change['name']} ({change['orgnr']})")
            for field, old, new in change["fields"]:
                old_text = shown(field, old).replace("\n", " / ")
                new_text = shown(field, new).replace("\n", " / ")
                self.stdout.write(f"  {field_label(field)}: {old_text} → {new_text}")
        for failure in refresh.failures:
            self.stdout.write(
                self.style.WARNING(
                    f"Kunne ikke oppdateres: {failure['name']} ({failure['orgnr']}): "
                    f"{failure['reason']}"
                )
            )
        self.stdout.write(
            f"{refresh.checked} kontrollert, {len(refresh.changes)} med endringer, "
            f"{len(refresh.failures)} kunne ikke hentes (henting {refresh.pk})."
        )
        if not refresh.changes or options["dry_run"]:
            return
        if not options["apply"]:
            if not sys.stdin.isatty():
                self.stdout.write("Ingen endringer lagret (ingen terminal å spørre; bruk --apply).")
                return
            if input("Bruk endringene? [j/N] ").strip().lower() not in ("j", "ja", "y", "yes"):
                self.stdout.write("Ingen endringer lagret.")
                return
        refresh = register_refresh_apply(refresh=refresh, actor=None)
        for skipped in refresh.skipped:
            self.stdout.write(
                self.style.WARNING(f"Ikke oppdatert: {skipped['name']}: {skipped['reason']}")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Endringene er lagret for {len(refresh.changes) - len(refresh.skipped)} medlemmer."
            )
        )
