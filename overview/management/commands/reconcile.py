"""`manage.py reconcile`: run the reconciliation, store the run, print each check with OK/FEIL
and the rows it names; exit 1 when any check fails (overview/reconciliation.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from overview.models import ReconciliationRun
from overview.reconciliation import reconcile


class Command(BaseCommand):
    help = "Avstem fondet: kjør alle kontrollene, lagre kjøringen, avslutt med feil ved avvik."

    def handle(self, *args, **options):
        started = time.monotonic()
        run = reconcile(trigger=ReconciliationRun.Trigger.COMMAND)
        for result in run.results:
            status = self.style.SUCCESS("OK  ") if result["ok"] else self.style.ERROR("FEIL")
            self.stdout.write(f"{status} {result['title']}")
            for row in result["rows"]:
                self.stdout.write(f"       - {row}")
            if result["count"] > len(result["rows"]):
                self.stdout.write(f"       … {result['count'] - len(result['rows'])} til")
        self.stdout.write(f"Avstemming #{run.pk} på {time.monotonic() - started:.1f} s")
        if not run.ok:
            failed = sum(1 for r in run.results if not r["ok"])
            raise CommandError(f"Avstemmingen fant avvik i {failed} kontroll(er).")
