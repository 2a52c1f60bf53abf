"""What repayments does with the invoices it cares about, registered with invoicing's handler
registry in apps.ready(). Thin: each calls one service."""

import logging

from invoicing.handlers import InvoiceHandler

from .models import AccessAgreement
from .services import AccessError, access_fee_invoice_paid, access_resume

log = logging.getLogger(__name__)


class AccessFeeInvoices(InvoiceHandler):
    """access_fee invoices: a payment books the outstanding fee in the fund's ledger."""

    def paid(self, *, invoice, payment, actor) -> None:
        access_fee_invoice_paid(invoice=invoice, payment=payment, actor=actor)


class FdvuInvoices(InvoiceHandler):
    """fdvu invoices: FDVU is paid by the users, never the fund, so a payment books nothing
    here (invoicing keeps the payment on the invoice)."""


class ShareInvoicePaid(InvoiceHandler):
    """member_share invoices (members owns them and books the payment first): when the share
    is paid, grant the member's access requests that waited for it (figure 4: "må betale sin
    andel før den kan ta i bruk"). A request whose fee cannot be computed stays waiting and is
    logged; the share payment itself is never undone by it."""

    def paid(self, *, invoice, payment, actor) -> None:
        for agreement in AccessAgreement.objects.filter(
            member=invoice.buyer, status=AccessAgreement.Status.WAITING_FOR_SHARE
        ):
            try:
                access_resume(agreement=agreement, actor=actor)
            except AccessError:
                log.warning("Access request %s still waits after share payment", agreement.pk)
