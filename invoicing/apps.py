from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    """The daily reminder run is in CELERY_BEAT_SCHEDULE (settings); the apps that own invoice
    kinds register their handlers in their own ready() (invoicing.handlers)."""

    name = "invoicing"
    verbose_name = _("Fakturaer og brev")
    navigation = {
        "municipal": [(40, _("Fakturaer"), "invoicing:my_invoices")],
        "ks_staff": [(40, _("Fakturering"), "invoicing:staff_overview")],
    }
