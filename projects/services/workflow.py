"""The proposal state machine: ONE declarative table and ONE function that performs a transition.

Each row says from which states, to which state, who may, and what must hold. Permission and
condition checks return (allowed, reason) so the UI can say why not. `perform_transition` locks
the proposal row (SELECT ... FOR UPDATE), re-checks everything against the locked row, changes
the state and writes the transition log row in the same transaction; the applicant's e-mail is
enqueued after commit."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tasking import enqueue_on_commit

from ..models import AgendaItem, Proposal, ProposalStatus, ProposalTransition
from ..selectors import active_criteria, available_capital, may_record_outcome
from ..tasks import notify_proposal_transition
from .proposals import acts_for_applicant, snapshot_proposal, submit_problems

S = ProposalStatus


class TransitionError(ValueError):
    """A transition that is not allowed; the message is for the user."""


Check = Callable[[Proposal, object], tuple[bool, str]]


def is_applicant_user(proposal: Proposal, user) -> tuple[bool, str]:
    # The lead organisation's users; KS staff when KS is the applicant.
    if acts_for_applicant(proposal=proposal, user=user):
        return True, ""
    return False, _("Bare søkerens egne brukere kan sende inn forslaget.")


def is_ks_staff(proposal: Proposal, user) -> tuple[bool, str]:
    if user.is_ks_staff:
        return True, ""
    return False, _("Bare KS kan gjøre dette.")


def ready_to_submit(proposal: Proposal, user) -> tuple[bool, str]:
    problems = submit_problems(proposal=proposal)
    if problems:
        return False, _("Forslaget mangler: %(list)s") % {"list": "; ".join(problems)}
    return True, ""


def checklist_complete(proposal: Proposal, user) -> tuple[bool, str]:
    criteria = list(active_criteria())
    if not criteria:
        return False, _("Ingen kvalifiseringskriterier er satt opp (se administrasjonen).")
    answered = set(proposal.qualification_answers.values_list("criterion_id", flat=True))
    missing = [c.text for c in criteria if c.pk not in answered]
    if missing:
        return False, _("Sjekklisten er ikke fullført: %(list)s") % {"list": "; ".join(missing)}
    return True, ""


def records_council_outcome(proposal: Proposal, user) -> tuple[bool, str]:
    """The chair, or where the chair is recused the meeting's deputy chair, on the proposal's
    case of an open meeting (projects.selectors.may_record_outcome)."""
    item = (
        AgendaItem.objects.select_related("meeting", "proposal")
        .filter(proposal=proposal, meeting__closed_at__isnull=True)
        .first()
    )
    if item is None:
        if user.is_council and user.is_council_chair:
            return True, ""
        return False, _("Bare rådets leder kan føre rådets konklusjon.")
    return may_record_outcome(item=item, user=user)


def grant_within_capital(proposal: Proposal, user) -> tuple[bool, str]:
    """The grant being decided (the proposal's Project, created in the same transaction by
    projects.services.portfolio.project_approve) must fit within the fund's available capital:
    the balance minus every committed-but-undisbursed grant, this one included."""

    project = getattr(proposal, "project", None)
    if project is None:
        return False, _("Innvilgelse skjer med et beløp (bruk beslutningssiden).")
    if available_capital() < 0:
        return False, _(
            "Beløpet overstiger fondets tilgjengelige kapital. Reduser beløpet eller avslå."
        )
    return True, ""


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # lazy translation
    sources: tuple[str, ...]
    target: str
    who: Check
    conditions: tuple[Check, ...] = field(default_factory=tuple)
    comment_required: bool = False


# fmt: off
# name, label, from, to, who may, what must hold, reason required
TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("submit", gettext_lazy("Send inn"), (S.DRAFT, S.RETURNED), S.SUBMITTED,
               who=is_applicant_user, conditions=(ready_to_submit,)),
    Transition("qualify", gettext_lazy("Kvalifiser"), (S.SUBMITTED,), S.QUALIFIED,
               who=is_ks_staff, conditions=(checklist_complete,)),
    Transition("return", gettext_lazy("Returner for revisjon"), (S.SUBMITTED,), S.RETURNED,
               who=is_ks_staff, comment_required=True),
    Transition("reject", gettext_lazy("Avvis"), (S.SUBMITTED,), S.REJECTED,
               who=is_ks_staff, comment_required=True),
    # KommIT-rådet: the chair records the council's outcome per case (issue 5).
    Transition("prioritise", gettext_lazy("Prioritert"), (S.QUALIFIED,), S.PRIORITISED,
               who=records_council_outcome),
    Transition("not_prioritise", gettext_lazy("Ikke prioritert"), (S.QUALIFIED,), S.NOT_PRIORITISED,
               who=records_council_outcome, comment_required=True),
    # KS' administration decides on prioritised proposals.
    Transition("approve", gettext_lazy("Innvilg"), (S.PRIORITISED,), S.APPROVED,
               who=is_ks_staff, conditions=(grant_within_capital,)),
    Transition("decline", gettext_lazy("Avslå"), (S.PRIORITISED,), S.DECLINED,
               who=is_ks_staff, comment_required=True),
]}
# fmt: on


def can_transition(
    *, proposal: Proposal, name: str, user, comment: str | None = None
) -> tuple[bool, str]:
    """(allowed, reason). `comment=None` skips the comment check (for showing buttons)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return False, _("Ukjent handling.")
    if proposal.status not in transition.sources:
        return False, _(
            "Handlingen «%(action)s» er ikke mulig når forslaget har status «%(status)s»."
        ) % {
            "action": transition.label,
            "status": proposal.get_status_display(),
        }
    allowed, reason = transition.who(proposal, user)
    if not allowed:
        return False, reason
    for condition in transition.conditions:
        allowed, reason = condition(proposal, user)
        if not allowed:
            return False, reason
    if comment is not None and transition.comment_required and not comment.strip():
        return False, _("Begrunnelse må fylles ut.")
    return True, ""


def available_transitions(*, proposal: Proposal, user) -> list[tuple[Transition, bool, str]]:
    """Transitions from the current state that this kind of user could take, with why not."""
    rows = []
    for transition in TRANSITIONS.values():
        if proposal.status in transition.sources and transition.who(proposal, user)[0]:
            allowed, reason = can_transition(proposal=proposal, name=transition.name, user=user)
            rows.append((transition, allowed, reason))
    return rows


@transaction.atomic
def perform_transition(*, proposal: Proposal, name: str, actor, comment: str = "") -> Proposal:
    """Lock the proposal, check the table, change the state, log it, notify after commit.

    Two people acting at once: the second waits for the lock, then sees the new state and is
    refused with a message naming it."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    allowed, reason = can_transition(proposal=locked, name=name, user=actor, comment=comment)
    if not allowed:
        raise TransitionError(reason)
    transition = TRANSITIONS[name]
    from_status = locked.status
    locked.status = transition.target
    now = timezone.now()
    update_fields = ["status", "updated_at"]
    if transition.target == S.SUBMITTED:
        if from_status == S.RETURNED:
            locked.version += 1
            update_fields.append("version")
        locked.submitted_at = now
        update_fields.append("submitted_at")
        if not locked.reference:
            locked.reference = f"DF-{now:%Y}-{locked.pk:04d}"
            update_fields.append("reference")
        locked.save(update_fields=update_fields)
        snapshot_proposal(proposal=locked)
    else:
        locked.save(update_fields=update_fields)
    log = ProposalTransition.objects.create(
        proposal=locked,
        name=name,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        comment=comment.strip(),
    )

    # Published after commit; if the broker is down the committed change stands and
    # tasks.sweep_pending_notifications publishes it later (notified_at is the outbox).
    enqueue_on_commit(notify_proposal_transition, log.pk)
    return locked
