import time

from django.core.management.base import BaseCommand

from members.reference import apply_plan, build_plan


class Command(BaseCommand):
    help = (
        "Load the 2017, 2020 and 2024 kommune and fylke structures, merges, orgnr and population "
        "(SSB, Kartverket). Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = apply_plan(build_plan())
        summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
        self.stdout.write(f"Referansedata lastet ({summary}) på {time.monotonic() - started:.1f} s")
