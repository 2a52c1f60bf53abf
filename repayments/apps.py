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
        from invoicing.services import invoice_paid, register_payment_handler

        from .receivers import share_invoice_paid
        from .services import access_fee_invoice_paid

        invoice_paid.connect(share_invoice_paid, dispatch_uid="repayments.share_invoice_paid")

        # FDVU invoices get no handler on purpose: FDVU is paid by the users, never the fund.
        register_payment_handler("access_fee", access_fee_invoice_paid)
