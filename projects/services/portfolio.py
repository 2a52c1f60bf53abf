"""KS' decision on prioritised proposals, and the portfolio: disbursements, milestones,
status reports and closing. Money leaves the fund only through fund.services.ledger_record."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_nok, to_money
from fund.models import CapitalSource, LedgerEntry
from fund.services import LedgerError, ledger_lock, ledger_record

from ..models import Milestone, Project, ProjectBudgetYear, Proposal, StatusReport
from ..selectors import (
    available_capital,
    grant_accepted,
    grant_of,
    project_disbursed,
    proposal_funding,
)
from .grants import grant_offer
from .proposals import ProposalError
from .workflow import TransitionError, perform_transition


@transaction.atomic
def project_approve(
    *, proposal: Proposal, budget: dict[int, Decimal], actor, comment: str = ""
) -> Project:
    """Approve a prioritised proposal with a grant split per year (possibly less than asked,
    never more: the grant is at most what was applied for from the fund).

    Serialised with disbursements by the ledger lock, so two approvals cannot together
    commit more than the available capital. Refused above it, with the available amount."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan innvilge."))
    budget = {int(y): to_money(a) for y, a in budget.items() if to_money(a) > 0}
    granted = sum(budget.values(), Decimal("0.00"))
    if granted <= 0:
        raise ProposalError(_("Innvilget beløp må være større enn null."))
    applied = proposal_funding(proposal=proposal).requested_from_fund
    if granted > applied:
        raise ProposalError(
            _(
                "Regelen om søkt beløp: KS kan ikke innvilge mer enn det er søkt om fra fondet. "
                "Innvilget %(granted)s, søkt %(applied)s."
            )
            % {"granted": format_nok(granted), "applied": format_nok(applied)}
        )
    ledger_lock()
    available = available_capital()
    if granted > available:
        raise ProposalError(
            _(
                "Regelen om tilgjengelig kapital: beløpet %(granted)s overstiger fondets "
                "tilgjengelige kapital %(available)s."
            )
            % {"granted": format_nok(granted), "available": format_nok(available)}
        )
    project = Project.objects.create(
        proposal=proposal,
        title=proposal.title,
        responsible=proposal.lead_member,
        granted=granted,
        decided_by=actor,
    )
    ProjectBudgetYear.objects.bulk_create(
        [ProjectBudgetYear(project=project, year=y, amount=a) for y, a in sorted(budget.items())]
    )
    # The grant (tilsagn) offered to the applicant, with its conditions and deadline (issue 18).
    grant_offer(project=project, actor=actor)
    try:
        perform_transition(
            proposal=proposal,
            name="approve",
            actor=actor,
            comment=comment or _("Innvilget %(amount)s.") % {"amount": format_nok(granted)},
        )
    except TransitionError as exc:
        raise ProposalError(str(exc)) from exc
    return project


@transaction.atomic
def disbursement_record(
    *,
    project: Project,
    amount: Decimal,
    paid_on: datetime.date,
    actor,
    note: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Pay part of the grant out of the fund. Never more than the grant left, never below 0.
    Called by the approval of a payment request (projects/services/payments.py), which passes
    the request's key so that it is booked once."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan utbetale."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.ACTIVE:
        raise ProposalError(_("Prosjektet er avsluttet."))
    if not grant_accepted(project=project):
        grant = grant_of(project=project)
        raise ProposalError(
            _(
                "Regelen om aksept: ingenting utbetales før søker har akseptert tilsagnet "
                "(tilsagnets status: %(status)s)."
            )
            % {"status": grant.get_status_display() if grant else _("ikke opprettet")}
        )
    amount = to_money(amount)
    if amount <= 0:
        raise ProposalError(_("Beløpet må være større enn null."))
    remaining = project.granted - project_disbursed(project=project)
    if amount > remaining:
        raise ProposalError(
            _("Utbetalingen overstiger det som gjenstår av tilsagnet (%(left)s).")
            % {"left": format_nok(remaining)}
        )
    try:
        return ledger_record(
            kind=LedgerEntry.Kind.DISBURSEMENT,
            source=CapitalSource.PROJECTS,
            amount=amount,
            occurred_on=paid_on,
            description=f"Utbetaling {project.title} {note}".strip()[:300],
            actor=actor,
            member=project.responsible,
            subject=project,
            project_ref=project.pk,
            idempotency_key=idempotency_key,
        )
    except LedgerError as exc:
        raise ProposalError(str(exc)) from exc


@transaction.atomic
def milestone_add(*, project: Project, title: str, due_on: datetime.date, actor) -> Milestone:
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan legge inn milepæler."))
    return Milestone.objects.create(project=project, title=title.strip(), due_on=due_on)


@transaction.atomic
def status_report_submit(
    *, project: Project, period: str, light: str, progress: str, risks: str, spent: Decimal, actor
) -> StatusReport:
    """The responsible member's status report for a period (one per period)."""
    if not (actor.is_municipal and actor.organisation_id == project.responsible_id):
        raise ProposalError(_("Bare det ansvarlige medlemmet rapporterer."))
    already = _("Det finnes allerede en rapport for perioden.")
    if StatusReport.objects.filter(project=project, period=period).exists():
        raise ProposalError(already)
    try:
        # The period is the natural key (report_once_per_period): a race loser waits for the
        # winner's commit and gets the message, not a 500.
        with transaction.atomic():
            return StatusReport.objects.create(
                project=project,
                period=period,
                light=light,
                progress=progress,
                risks=risks,
                spent=to_money(spent),
                reported_by=actor,
            )
    except IntegrityError as exc:
        raise ProposalError(already) from exc


@transaction.atomic
def project_close(*, project: Project, status: str, note: str, actor) -> Project:
    """Completed (the solution can be made available) or stopped; the unspent grant is
    released from the committed capital either way."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan avslutte prosjekter."))
    if status not in (Project.Status.COMPLETED, Project.Status.STOPPED):
        raise ProposalError(_("Ugyldig status."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.ACTIVE:
        raise ProposalError(_("Prosjektet er allerede avsluttet."))
    project.status = status
    project.closed_at = timezone.now()
    project.closing_note = note.strip()
    project.save(update_fields=["status", "closed_at", "closing_note"])
    return project
