from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepaymentsConfig(AppConfig):
    name = "repayments"
    verbose_name = _("Løsninger og tilbakebetaling")
    navigation = {
        "municipal": [(30, _("Fellesløsninger"), "repayments:solution_list")],
        "ks_staff": [(30, _("Løsninger"), "repayments:staff_solution_list")],
    }

    def ready(self):
        # Imported here: modules that import models can only load once the registry is ready.
        from invoicing import handlers

        from .receivers import AccessFeeInvoices, FdvuInvoices, ShareInvoicePaid

        handlers.register("access_fee", AccessFeeInvoices())
        handlers.register("fdvu", FdvuInvoices())
        # After members' own member_share handler (INSTALLED_APPS order): the share is booked.
        handlers.register("member_share", ShareInvoicePaid())
