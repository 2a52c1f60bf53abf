"""What the exactly-once tests double-click on: an active project, an open invoice."""

import datetime
from decimal import Decimal

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from projects.models import PaymentRequest, ProposalStatus
from projects.services.payments import payment_request_submit
from projects.services.portfolio import project_approve
from tests.invoicing.factories import issue_manual, member_with_address
from tests.projects.factories import accept_grant, complete_proposal, participant_user


def active_project(ks_user, *, request: bool = True):
    """(project, the responsible member's user) with 100 000 kr granted from a funded fund and,
    unless `request=False`, a partial payment request of 1 000 kr waiting for KS's approval."""
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("3000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD",
    )
    applicant = participant_user()
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    proposal.status = ProposalStatus.PRIORITISED
    proposal.save()
    project = project_approve(proposal=proposal, budget={2026: Decimal("100000")}, actor=ks_user)
    accept_grant(project)  # the applicant accepted: payments may follow
    if request:
        payment_request_submit(
            project=project,
            kind="partial",
            amount=Decimal("1000"),
            progress="Første leveranse er ferdig.",
            costs={"external": Decimal("1000")},
            actor=applicant,
        )
    return project, applicant


def open_invoice():
    return issue_manual(buyer=member_with_address(), amount="1000", deliver=False)


def disbursement_data(**extra) -> dict:
    """KS approves the latest waiting payment request (the door disbursements go through)."""
    waiting = PaymentRequest.objects.filter(status=PaymentRequest.Status.SUBMITTED).latest("pk")
    return {
        "action": "approve_request",
        "payment_request": str(waiting.pk),
        "paid_on": datetime.date.today().isoformat(),
        **extra,
    }


def payment_data(**extra) -> dict:
    return {
        "amount": "400",
        "paid_on": datetime.date.today().isoformat(),
        "reference": "manuell",
        **extra,
    }


def report_data(**extra) -> dict:
    fields = {
        "period": "2026-T3",
        "light": "green",
        "progress": "I rute",
        "risks": "",
        "spent": "5000",
    }
    return {"action": "report", **fields, **extra}
