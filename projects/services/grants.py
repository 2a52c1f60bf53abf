"""The grant (tilsagn) after KS's decision: ONE declarative table of its transitions and ONE
function that performs them (the pattern of projects/services/workflow.py).

KS's approval offers the grant (`grant_offer`, called by portfolio.project_approve in the same
transaction); the formal applicant accepts it with the signer's name, or declines it with a
reason, by the deadline; after the deadline it lapses (the daily task projects.tasks
.grant_deadlines). Declined or lapsed, the project stops and its grant is released from the
committed capital (projects.selectors.committed_unspent_grants counts active projects only).
Payment requests and closing (issue 18 §4) add their rows to the same table."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bounds import TEXT_LONG, TEXT_SHORT
from core.money import format_nok
from core.tasking import enqueue_on_commit

from ..models import (
    AgendaItem,
    Grant,
    GrantCondition,
    GrantTransition,
    Project,
    StandardCondition,
)
from .proposals import ProposalError, acts_for_applicant

G = Grant.Status


class GrantError(ProposalError):
    """A grant action that is not allowed; the message is for the user."""


Check = Callable[[Grant, object], tuple[bool, str]]


def _today() -> datetime.date:
    return timezone.localdate()


def accept_days() -> int:
    return settings.DIGIFIN_GRANT_ACCEPT_DAYS


# --- who may, what must hold ----------------------------------------------------------------
def is_formal_applicant(grant: Grant, user) -> tuple[bool, str]:
    """The lead organisation's municipal users (KS staff when KS is the applicant): the formal
    applicant accepts or declines; co-applicants receive the letter but do not sign."""
    if user is not None and acts_for_applicant(proposal=grant.project.proposal, user=user):
        return True, ""
    return False, _("Bare søkerens egne brukere kan akseptere eller avslå tilsagnet.")


def is_deadline_task_or_ks(grant: Grant, user) -> tuple[bool, str]:
    # None: the daily deadline task (projects.tasks.grant_deadlines).
    if user is None or user.is_ks_staff:
        return True, ""
    return False, _("Bare KS kan gjøre dette.")


def before_deadline(grant: Grant, user) -> tuple[bool, str]:
    if _today() <= grant.accept_by:
        return True, ""
    return False, _(
        "Fristen for å akseptere tilsagnet gikk ut %(date)s. Tilsagnet kan ikke lenger "
        "aksepteres; ta kontakt med KS."
    ) % {"date": grant.accept_by.strftime("%d.%m.%Y")}


def after_deadline(grant: Grant, user) -> tuple[bool, str]:
    if _today() > grant.accept_by:
        return True, ""
    return False, _("Fristen for aksept (%(date)s) er ikke ute ennå.") % {
        "date": grant.accept_by.strftime("%d.%m.%Y")
    }


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # lazy translation
    sources: tuple[str, ...]
    target: str
    who: Check
    conditions: tuple[Check, ...] = field(default_factory=tuple)
    comment_required: object = None  # the reason's message when a text is required


# fmt: off
# name, label, from, to, who may, what must hold, text required (signer's name / reason)
TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("accept", gettext_lazy("Aksepter tilsagnet"), (G.OFFERED,), G.ACCEPTED,
               who=is_formal_applicant, conditions=(before_deadline,),
               comment_required=gettext_lazy("Navnet på den som signerer for søker må fylles ut.")),
    Transition("decline", gettext_lazy("Avslå tilsagnet"), (G.OFFERED,), G.DECLINED,
               who=is_formal_applicant,
               comment_required=gettext_lazy("Begrunnelse for avslaget må fylles ut.")),
    Transition("lapse", gettext_lazy("Tilsagnet bortfaller"), (G.OFFERED,), G.LAPSED,
               who=is_deadline_task_or_ks, conditions=(after_deadline,)),
    # Issue 18 §4 (payment requests, final report, closing) adds its rows here.
]}
# fmt: on


def can_transition(
    *, grant: Grant, name: str, user, comment: str | None = None
) -> tuple[bool, str]:
    """(allowed, reason). `comment=None` skips the text check (for showing buttons)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return False, _("Ukjent handling.")
    if grant.status not in transition.sources:
        return False, _(
            "Handlingen «%(action)s» er ikke mulig når tilsagnet har status «%(status)s»."
        ) % {"action": transition.label, "status": grant.get_status_display()}
    allowed, reason = transition.who(grant, user)
    if not allowed:
        return False, reason
    for condition in transition.conditions:
        allowed, reason = condition(grant, user)
        if not allowed:
            return False, reason
    if comment is not None and transition.comment_required and not comment.strip():
        return False, str(transition.comment_required)
    return True, ""


def available_transitions(*, grant: Grant, user) -> list[tuple[Transition, bool, str]]:
    """Transitions from the current state this user could take, with why not."""
    rows = []
    for transition in TRANSITIONS.values():
        if grant.status in transition.sources and transition.who(grant, user)[0]:
            allowed, reason = can_transition(grant=grant, name=transition.name, user=user)
            rows.append((transition, allowed, reason))
    return rows


def _stop_project(grant: Grant, note: str) -> None:
    """A declined or lapsed grant stops the project: its grant leaves the committed capital."""
    project = Project.objects.select_for_update().get(pk=grant.project_id)
    if project.status == Project.Status.ACTIVE:
        project.status = Project.Status.STOPPED
        project.closed_at = timezone.now()
        project.closing_note = note
        project.save(update_fields=["status", "closed_at", "closing_note"])


@transaction.atomic
def grant_transition(*, grant: Grant, name: str, actor, comment: str = "") -> Grant:
    """Lock the grant, check the table, change the state and its fields, log it with the actor
    (None: the deadline task). A second click waits for the lock and is refused by name."""
    locked = Grant.objects.select_for_update().select_related("project__proposal").get(pk=grant.pk)
    comment = comment.strip()
    allowed, reason = can_transition(grant=locked, name=name, user=actor, comment=comment)
    if not allowed:
        raise GrantError(reason)
    if len(comment) > (TEXT_SHORT if name == "accept" else TEXT_LONG):
        raise GrantError(_("Teksten er for lang."))
    transition = TRANSITIONS[name]
    from_status = locked.status
    locked.status = transition.target
    now = timezone.now()
    fields = ["status"]
    if name == "accept":
        locked.accepted_at, locked.accepted_by, locked.signed_by_name = now, actor, comment
        fields += ["accepted_at", "accepted_by", "signed_by_name"]
    elif name == "decline":
        locked.declined_reason = comment
        fields.append("declined_reason")
        _stop_project(locked, _("Tilsagnet ble avslått av søker: %(reason)s") % {"reason": comment})
    elif name == "lapse":
        locked.lapsed_at = now
        fields.append("lapsed_at")
        _stop_project(
            locked,
            _("Tilsagnet bortfalt: ikke akseptert innen fristen %(date)s.")
            % {"date": locked.accept_by.strftime("%d.%m.%Y")},
        )
    locked.save(update_fields=fields)
    log = GrantTransition.objects.create(
        grant=locked,
        name=name,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        comment=comment,
    )
    if name in NOTIFIED_TRANSITIONS:
        enqueue_on_commit(_notify_task(), log.pk)
    return locked


# Transitions that tell the applicant and KS by e-mail (projects.tasks.notify_grant_transition).
NOTIFIED_TRANSITIONS = {"accept", "decline", "lapse"}


def _notify_task():
    # Local import: projects.tasks imports this module's services (a real cycle).
    from ..tasks import notify_grant_transition

    return notify_grant_transition


def grant_accept(*, grant: Grant, signed_by_name: str, actor) -> Grant:
    return grant_transition(grant=grant, name="accept", actor=actor, comment=signed_by_name)


def grant_decline(*, grant: Grant, reason: str, actor) -> Grant:
    return grant_transition(grant=grant, name="decline", actor=actor, comment=reason)


def grant_lapse(*, grant: Grant, actor=None) -> Grant:
    return grant_transition(grant=grant, name="lapse", actor=actor)


# --- offer (KS's approval) ------------------------------------------------------------------
def council_case_of(*, proposal) -> str:
    """The council's case that prioritised the proposal (`sak YY-NN`), else its latest case."""
    items = list(AgendaItem.objects.filter(proposal=proposal).order_by("case_year", "case_number"))
    prioritised = [i for i in items if i.outcome == AgendaItem.Outcome.PRIORITISED]
    chosen = (prioritised or items or [None])[-1]
    return chosen.case_label if chosen else ""


def grant_offer(*, project: Project, actor, decided_on: datetime.date | None = None) -> Grant:
    """The grant KS's approval offers (status offered), with the standard conditions copied
    onto it and the deadline DIGIFIN_GRANT_ACCEPT_DAYS after the decision. Called inside
    project_approve's transaction."""
    decided_on = decided_on or _today()
    grant = Grant.objects.create(
        project=project,
        amount=project.granted,
        decided_on=decided_on,
        decided_by=actor,
        accept_by=decided_on + datetime.timedelta(days=accept_days()),
        proposal_reference=project.proposal.reference or "",
        council_case=council_case_of(proposal=project.proposal),
    )
    GrantCondition.objects.bulk_create(
        GrantCondition(grant=grant, position=n, title=c.title, text=c.text)
        for n, c in enumerate(StandardCondition.objects.filter(active=True), start=1)
    )
    GrantTransition.objects.create(
        grant=grant,
        name="offer",
        from_status="",
        to_status=G.OFFERED,
        actor=actor,
        comment=_("Tilsagn på %(amount)s, frist for aksept %(date)s.")
        % {"amount": format_nok(grant.amount), "date": grant.accept_by.strftime("%d.%m.%Y")},
    )
    return grant


@transaction.atomic
def grant_conditions_update(*, grant: Grant, conditions: list[tuple[str, str]], actor) -> Grant:
    """KS edits the grant's conditions (title, text) while the grant is offered; an empty row
    removes a condition. The order given is the order kept."""
    if not actor.is_ks_staff:
        raise GrantError(_("Bare KS kan endre vilkårene."))
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked.status != G.OFFERED:
        raise GrantError(
            _("Vilkårene kan bare endres mens tilsagnet venter på aksept (status «%(s)s»).")
            % {"s": locked.get_status_display()}
        )
    rows = [(t.strip(), x.strip()) for t, x in conditions if t.strip() or x.strip()]
    for title, text in rows:
        if not title or not text:
            raise GrantError(_("Hvert vilkår må ha både overskrift og tekst."))
        if len(title) > TEXT_SHORT or len(text) > TEXT_LONG:
            raise GrantError(_("Teksten er for lang."))
    locked.conditions.all().delete()
    GrantCondition.objects.bulk_create(
        GrantCondition(grant=locked, position=n, title=t, text=x)
        for n, (t, x) in enumerate(rows, start=1)
    )
    GrantTransition.objects.create(
        grant=locked,
        name="conditions",
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        comment=_("Vilkårene er endret (%(n)s vilkår).") % {"n": len(rows)},
    )
    return locked
