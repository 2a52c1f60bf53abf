"""What the exactly-once tests double-click on: an active project, an open invoice."""

import datetime
from decimal import Decimal

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from projects.models import ProposalStatus
from projects.services.portfolio import project_approve
from tests.invoicing.factories import issue_manual, member_with_address
from tests.projects.factories import complete_proposal, participant_user


def active_project(ks_user):
    """(project, the responsible member's user) with 100 000 kr granted from a funded fund."""
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
    return project, applicant


def open_invoice():
    return issue_manual(buyer=member_with_address(), amount="1000", deliver=False)


def _action_data(action: str, fields: dict, extra: dict) -> dict:
    """A project page action's POST: its form's fields carry the action as prefix
    (`disburse-amount`), so two forms on one page never share an id; other keys (the one-time
    token) go as they are."""
    data = {"action": action}
    for key, value in {**fields, **extra}.items():
        data[f"{action}-{key}" if key in fields else key] = value
    return data


def disbursement_data(**extra) -> dict:
    fields = {"amount": "1000", "paid_on": datetime.date.today().isoformat(), "note": ""}
    return _action_data("disburse", fields, extra)


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
    return _action_data("report", fields, extra)
