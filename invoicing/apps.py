from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Fakturaer og brev")
    navigation = {
        "municipal": [(40, _("Fakturaer"), "invoicing:my_invoices")],
        "ks_staff": [(40, _("Fakturering"), "invoicing:staff_overview")],
    }

    def ready(self):
        # Celery beat: generate reminders once a day (at most one per invoice and interval).
        from celery.schedules import crontab

        from digifin.celery import app

        app.conf.beat_schedule.setdefault(
            "invoicing-reminders",
            {"task": "invoicing.tasks.reminders_generate", "schedule": crontab(hour=6, minute=15)},
        )
