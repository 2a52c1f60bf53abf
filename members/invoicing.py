"""Members and invoicing: who gets a share invoice and what happens when it is paid or credited.

Invoicing knows no member rules. This module holds them and calls invoicing the way repayments
does (invoicing.services), and members.apps registers what invoicing asks of members
(invoicing.handlers): the member_share handler (payments and full credits), the buyers
(lineage, letter recipients) and the sources of the share-invoice and invitation batches."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

from invoicing import handlers
from invoicing.models import Document, Invoice
from invoicing.services import (
    InvoiceLineSpec,
    InvoicingError,
    enqueue_delivery,
    invoice_draft,
    invoices_create,
    letter_create,
)

# The module, not its functions: tests replace selectors.share_to_invoice.
from . import selectors
from .invitations import invitation_plan
from .models import Maalform, Member, MemberSuccession, Participation
from .services import (
    participation_register_payment,
    participation_share_credited,
    participations_mark_invoiced,
)

# --- share invoices ----------------------------------------------------------------------------


@transaction.atomic
def share_invoice_issue(
    *,
    participation: Participation,
    issued_on: datetime.date,
    actor,
    deliver: bool = True,
    amount: Decimal | None = None,
) -> Invoice:
    """Invoice a confirmed member's share (idempotent: "share:<participation id>") and freeze
    the share in members: the one-participation case of share_invoices_issue, raising
    InvoicingError with the reason when it cannot. Files and e-mail follow after commit unless
    `deliver` is off."""
    result = share_invoices_issue(
        amounts={participation.pk: amount}, issued_on=issued_on, actor=actor
    )
    if participation.pk in result.refused:
        raise result.refused[participation.pk]
    invoice = result.invoices[participation.pk]
    if deliver and participation.pk in result.new:
        enqueue_delivery(invoice)
    return invoice


def _share_key(participation_pk: int, earlier: int) -> str:
    """The source key of a participation's next share invoice after `earlier` ones: "share:<id>"
    for the first, then "share:<id>:2", "share:<id>:3", ... after each one credited in full."""
    return f"share:{participation_pk}" + (f":{earlier + 1}" if earlier else "")


def _share_lines(member: Member, amount: Decimal) -> list[InvoiceLineSpec]:
    return [
        InvoiceLineSpec(
            description=f"Engangsandel i DigiFin-ordningen for {member.name}", unit_price=amount
        )
    ]


@dataclass
class SharesIssued:
    invoices: dict[int, Invoice]  # participation id → its standing share invoice
    new: set[int]  # the participations invoiced by this call
    refused: dict[int, InvoicingError]  # why the others could not be invoiced


@transaction.atomic
def share_invoices_issue(
    *, amounts: dict[int, Decimal | None], issued_on: datetime.date, actor
) -> SharesIssued:
    """Invoice the shares of confirmed participations and freeze them in members, numbered
    consecutively under one lock of the counter, in as many queries for one member as for four
    hundred (the invoice batch issues 50 at a time). `amounts` maps participation id to the share
    to invoice (selectors.shares_to_invoice, computed for the batch at once); a missing or zero
    amount is computed here (selectors.share_to_invoice: the member's share, or for a merged
    successor what its predecessors left unpaid). Idempotent: a participation's share invoice
    that stands (not credited in full) is its answer; after one credited in full the next is
    "share:<id>:2". Files and e-mail are the caller's."""
    participations = list(
        Participation.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(pk__in=list(amounts))
        .order_by("pk")
    )
    earlier: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(
        buyer_id__in=[p.member_id for p in participations],
        document_type=Invoice.DocumentType.INVOICE,
        source_key__startswith="share:",
    ):
        earlier.setdefault(int(invoice.source_key.split(":")[1]), []).append(invoice)
    result, drafts = SharesIssued(invoices={}, new=set(), refused={}), []
    for participation in participations:
        mine = earlier.get(participation.pk, [])
        existing = next((i for i in mine if i.status != Invoice.Status.CREDITED), None)
        if existing is not None:
            result.invoices[participation.pk] = existing
            continue
        try:
            if participation.status != Participation.Status.CONFIRMED:
                raise InvoicingError(gettext("Bare bekreftede deltakelser kan faktureres."))
            amount = amounts[participation.pk]
            if amount is None or amount <= 0:
                amount = selectors.share_to_invoice(participation=participation)
            if amount <= 0:
                raise InvoicingError(
                    gettext("%(member)s har ingen andel å fakturere.")
                    % {"member": participation.member}
                )
            draft = invoice_draft(
                buyer=participation.member,
                kind=Invoice.Kind.MEMBER_SHARE,
                lines=_share_lines(participation.member, amount),
                issued_on=issued_on,
                due_on=None,
                fakturareferanse=participation.fakturareferanse,
                actor=actor,
                source_key=_share_key(participation.pk, len(mine)),
            )
        except InvoicingError as exc:
            result.refused[participation.pk] = exc
            continue
        drafts.append((participation, amount, draft))
    if not drafts:
        return result
    invoices_create(drafts=[d for _p, _a, d in drafts], actor=actor)
    participations_mark_invoiced(
        invoiced=[(p, amount) for p, amount, _d in drafts], invoiced_on=issued_on, actor=actor
    )
    for participation, _a, draft in drafts:
        result.invoices[participation.pk] = draft.invoice
        result.new.add(participation.pk)
    return result


def share_invoice_targets() -> list[int]:
    """The members the share batch invoices: confirmed, with an organisation number."""
    return list(
        Participation.objects.filter(status=Participation.Status.CONFIRMED)
        .exclude(member__orgnr="")
        # Oslo fylke (2017) is billed with Oslo kommune (docs/decisions/members-oslo.md).
        .filter(member__billed_with__isnull=True)
        .order_by("member__number")
        .values_list("member_id", flat=True)
    )


def shares_for_members(member_ids: list[int]) -> dict[int, Decimal]:
    """Member id → share to invoice, for the confirmed participations among `member_ids`,
    computed for all of them at once (a few queries instead of a book of predecessors per
    member). The batch computes them when its items are enqueued, so a resumed job uses the
    shares of that day; a member left out or with a zero share computes its own
    (share_invoice_issue)."""
    if not member_ids:
        return {}
    participations = list(
        Participation.objects.filter(
            member_id__in=member_ids, status=Participation.Status.CONFIRMED
        ).select_related("member")
    )
    amounts = selectors.shares_to_invoice(participations=participations)
    return {p.member_id: amounts[p.pk] for p in participations}


def organisation_lineage(*, member_id: int) -> set[int]:
    """The organisation and every predecessor it took over (merges 2018/2020/2024): a merged
    kommune sees the invoices and letters its predecessors received."""
    seen, todo = {member_id}, [member_id]
    while todo:
        preds = MemberSuccession.objects.filter(successor_id__in=todo).values_list(
            "predecessor_id", flat=True
        )
        todo = [p for p in preds if p not in seen]
        seen.update(todo)
    return seen


def letter_recipients():
    """The members letters go to: today's organisations, KS itself excepted."""
    return Member.objects.exclude(kind=Member.Kind.KS).filter(valid_to__isnull=True)


# --- what invoicing asks of members (registered in apps.ready) -----------------------------------


class ShareInvoices(handlers.InvoiceHandler):
    """member_share invoices: a payment is booked in the fund's ledger against the member's
    participation (paid in full: the participation is paid); a full credit before payment
    confirms the participation again, so a corrected share can be invoiced."""

    def paid(self, *, invoice, payment, actor) -> None:
        participation = Participation.objects.get(member=invoice.buyer)
        participation_register_payment(
            participation=participation,
            amount=payment.amount,
            paid_on=payment.paid_on,
            actor=actor,
            reference=invoice.number,
            idempotency_key=f"invoicing-payment:{payment.pk}",
            subject=invoice,
        )

    def credited(self, *, invoice, actor, reason: str) -> None:
        participation_pk = int(invoice.source_key.split(":")[1])
        participation = Participation.objects.filter(
            pk=participation_pk, status=Participation.Status.INVOICED
        ).first()
        if participation is not None:
            participation_share_credited(
                participation=participation,
                actor=actor,
                note=f"Andelsfaktura {invoice.number} kreditert: {reason}"[:300],
            )


def document_language(member: Member) -> str:
    """The language of the member's invoices and letters: nynorsk → "nn"; bokmål and
    "nøytral" → "nb" (nøytral documents are bokmål unless KS decides otherwise:
    docs/decisions/i18n-documents-maalform.md)."""
    return "nn" if member.effective_maalform == Maalform.NYNORSK else "nb"


class Buyers(handlers.BuyerDirectory):
    def lineage(self, *, member_id: int) -> set[int]:
        return organisation_lineage(member_id=member_id)

    def letter_recipients(self):
        return letter_recipients()

    def letter_context(self, *, member, kind: str) -> dict:
        if kind == Document.Kind.INVITATION:
            return {"share": selectors.member_share(member=member)}
        return {}

    def language(self, *, member) -> str:
        return document_language(member)


class ShareBatch(handlers.BatchSource):
    """The batch that invoices every confirmed member's share (one item per member)."""

    def targets(self) -> list[int]:
        return share_invoice_targets()

    def prepare(self, object_ids: list[int]) -> dict[int, Decimal]:
        return shares_for_members(object_ids)

    def issue_many(self, amounts, *, issued_on, actor) -> dict[int, Invoice]:
        member_of = dict(
            Participation.objects.filter(member_id__in=list(amounts)).values_list("pk", "member_id")
        )
        issued = share_invoices_issue(
            amounts={pk: amounts[member_id] for pk, member_id in member_of.items()},
            issued_on=issued_on,
            actor=actor,
        )
        return {member_of[pk]: invoice for pk, invoice in issued.invoices.items()}

    def run(self, object_id, *, actor, today, amount) -> Invoice:
        # share_invoice_issue locks the participation and returns the invoice already issued
        # for it, if any (a rerun).
        participation = Participation.objects.only("pk").get(member_id=object_id)
        return share_invoice_issue(
            participation=participation, issued_on=today, actor=actor, deliver=False, amount=amount
        )


class InvitationBatch(handlers.BatchSource):
    """The batch that writes the invitation letter (one item per member) to the members that
    may still get one: not participants, not declined, not invited before (invitation_plan,
    the same list KS confirms on the members' invitation page)."""

    def targets(self) -> list[int]:
        return invitation_plan().recipient_ids

    def run(self, object_id, *, actor, today, amount) -> Document:
        member = Member.objects.get(pk=object_id)
        return letter_create(
            member=member,
            kind=Document.Kind.INVITATION,
            actor=actor,
            source_key=f"invitation:{member.pk}",
            email=False,
        )
