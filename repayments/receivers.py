"""Reactions to other apps' events. Thin: each calls one service."""

import logging

log = logging.getLogger(__name__)


def share_invoice_paid(sender, *, invoice, payment, actor, **kwargs) -> None:
    """When a member's share invoice is paid, grant its access requests that waited for the
    share (figure 4: "må betale sin andel før den kan ta i bruk"). A request whose fee cannot be
    computed stays waiting and is logged; the share payment itself is never undone by it."""
    if invoice.kind != "member_share":
        return
    from .models import AccessAgreement
    from .services import AccessError, access_resume

    for agreement in AccessAgreement.objects.filter(
        member=invoice.buyer, status=AccessAgreement.Status.WAITING_FOR_SHARE
    ):
        try:
            access_resume(agreement=agreement, actor=actor)
        except AccessError:
            log.warning("Access request %s still waits after share payment", agreement.pk)
