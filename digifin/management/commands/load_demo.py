"""Load reference data and demo content so that every role sees realistic pages.

Idempotent: running it again keeps existing data and adds only what is missing. Each app that
has demo content provides `<app>/demo.py` with `load(*, stdout)`; they run in dependency order.
The share invoices and their payments are members' (through the invoicing services); the
reconciliation runs last."""

import importlib
import logging

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction

from digifin.demo import DEMO_PASSWORD, ensure_demo_users

# The overview comes last: its scenarios use the pipeline and the solutions' price models.
DEMO_STEPS = [
    ("members", "load"),
    ("fund", "load"),
    ("projects", "load"),
    ("repayments", "load"),
    ("members", "load_invoices"),
    ("digifin", "load"),  # the demo users' tasks («Mine oppgaver») on top of the others
    ("overview", "load"),
    ("overview", "reconcile"),  # last: a stored reconciliation run of the whole demo
]


class Command(BaseCommand):
    help = "Load reference data, demo users and demo content (idempotent)."

    def handle(self, *args, **options):
        # The demo runs its Celery tasks eagerly (letters, invoices, e-mails): one "Task …
        # succeeded" line per task at INFO is a worker's log, not the loader's output.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        if "load_reference_data" in get_commands():
            call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            users = ensure_demo_users()
        for app, step in DEMO_STEPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            if hasattr(module, step):
                getattr(module, step)(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"\nDemo-innlogginger (passord for alle: {DEMO_PASSWORD}):")
        )
        for user in users:
            org = f", {user.organisation.name}" if user.organisation else ""
            self.stdout.write(f"  {user.username:<12} {user.get_role_display()}{org}")
        self.stdout.write("  KS-ansatte bruker også administrasjonen på /admin/\n")
