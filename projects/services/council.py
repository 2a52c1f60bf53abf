"""KommIT-rådet: meetings, the agenda (`sak YY-NN`), scores, conflicts and the chair's outcome."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasking import enqueue_on_commit

from ..models import (
    AgendaItem,
    ConflictDeclaration,
    CouncilMeeting,
    Proposal,
    ProposalStatus,
    Score,
    ScoringCriterion,
)
from ..selectors import (
    has_declared_conflict,
    is_recused,
    may_record_outcome,
    meeting_participants,
    quorum,
)
from ..tasks import council_minutes_send, notify_case_to_score
from .proposals import ProposalError
from .workflow import TransitionError, perform_transition


@transaction.atomic
def meeting_create(
    *,
    held_on: datetime.date,
    title: str,
    actor,
    deputy_chair=None,
    quorum_percent: int = 50,
    place: str = "",
) -> CouncilMeeting:
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan opprette rådsmøter."))
    if deputy_chair is not None and not (deputy_chair.is_council and deputy_chair.is_active):
        raise ProposalError(_("Nestlederen må være medlem av KommIT-rådet."))
    if not 0 <= quorum_percent <= 100:
        raise ProposalError(_("Beslutningsdyktighet oppgis i prosent, 0–100."))
    return CouncilMeeting.objects.create(
        held_on=held_on,
        title=title.strip() or "KommIT-rådet",
        place=place.strip(),
        deputy_chair=deputy_chair,
        quorum_percent=quorum_percent,
    )


@transaction.atomic
def agenda_add(*, meeting: CouncilMeeting, proposal: Proposal, actor) -> AgendaItem:
    """Put a qualified proposal on the agenda with the next case number of the meeting's year;
    the council members who may score it are told after commit (projects/notifications.py)."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan sette saker på sakslisten."))
    meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_closed:
        raise ProposalError(_("Møtet er lukket."))
    if proposal.status != ProposalStatus.QUALIFIED:
        raise ProposalError(_("Bare kvalifiserte forslag kan settes på sakslisten."))
    if AgendaItem.objects.filter(proposal=proposal, meeting__closed_at__isnull=True).exists():
        raise ProposalError(_("Forslaget står allerede på et åpent møtes saksliste."))
    year = meeting.held_on.year
    number = (
        AgendaItem.objects.filter(case_year=year).aggregate(m=Max("case_number"))["m"] or 0
    ) + 1
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                meeting=meeting, proposal=proposal, case_year=year, case_number=number
            )
    except IntegrityError as exc:
        raise ProposalError(_("Saksnummeret ble tatt samtidig; prøv igjen.")) from exc
    enqueue_on_commit(notify_case_to_score, item.pk)
    return item


def _require_scorer(item: AgendaItem, actor) -> None:
    if not actor.is_council:
        raise ProposalError(_("Bare rådsmedlemmer gir poeng."))
    if item.meeting.is_closed:
        raise ProposalError(_("Møtet er lukket."))
    if is_recused(item=item, user=actor):
        raise ProposalError(_("Du er inhabil i saken: organisasjonen din er søker eller medsøker."))
    if has_declared_conflict(item=item, user=actor):
        raise ProposalError(_("Du har meldt deg inhabil i saken."))


@transaction.atomic
def score_record(
    *, item: AgendaItem, values: dict[ScoringCriterion, tuple[int, str]], actor
) -> list[Score]:
    """Record (or change, while the meeting is open) the member's score 1-5 per criterion."""
    item = AgendaItem.objects.select_related("meeting", "proposal").get(pk=item.pk)
    _require_scorer(item, actor)
    saved = []
    for criterion, (value, comment) in values.items():
        if not 1 <= int(value) <= 5:
            raise ProposalError(_("Poeng må være mellom 1 og 5."))
        score, _created = Score.objects.update_or_create(
            item=item,
            member=actor,
            criterion=criterion,
            defaults={"value": int(value), "comment": comment.strip()},
        )
        saved.append(score)
    return saved


@transaction.atomic
def conflict_declare(*, item: AgendaItem, reason: str, actor) -> ConflictDeclaration:
    """Declaring a conflict removes any scores the member already gave on the case."""
    if not actor.is_council:
        raise ProposalError(_("Bare rådsmedlemmer kan melde inhabilitet."))
    if not reason.strip():
        raise ProposalError(_("Begrunnelse må fylles ut."))
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        item=item, member=actor, defaults={"reason": reason.strip()}
    )
    Score.objects.filter(item=item, member=actor).delete()
    return declaration


_OUTCOME_TRANSITION = {
    AgendaItem.Outcome.PRIORITISED: "prioritise",
    AgendaItem.Outcome.NOT_PRIORITISED: "not_prioritise",
    AgendaItem.Outcome.DEFERRED: None,  # stays qualified; may go on a later agenda
}


@transaction.atomic
def outcome_record(*, item: AgendaItem, outcome: str, minutes: str, actor) -> AgendaItem:
    """The chair (or, where the chair is recused, the meeting's deputy chair) records the
    council's outcome with the minutes' text; prioritising or not needs the meeting's quorum."""
    item = (
        AgendaItem.objects.select_for_update().select_related("proposal", "meeting").get(pk=item.pk)
    )
    allowed, reason = may_record_outcome(item=item, user=actor)
    if not allowed:
        raise ProposalError(reason)
    if item.outcome:
        raise ProposalError(_("Konklusjonen i saken er allerede ført."))
    if outcome not in _OUTCOME_TRANSITION:
        raise ProposalError(_("Ugyldig utfall."))
    name = _OUTCOME_TRANSITION[outcome]
    if name:  # deferring needs no quorum: a case can always wait for the next meeting
        scored, able, met = quorum(item=item)
        if not met:
            raise ProposalError(
                _(
                    "Saken er ikke beslutningsdyktig: %(scored)s av %(able)s rådsmedlemmer har "
                    "gitt poeng, og minst %(percent)s %% må ha gjort det. Utsett saken eller "
                    "vent på flere poeng."
                )
                % {"scored": scored, "able": able, "percent": item.meeting.quorum_percent}
            )
    if name:
        try:
            perform_transition(
                proposal=item.proposal,
                name=name,
                actor=actor,
                comment=f"{item.case_label}: {minutes}".strip(),
            )
        except TransitionError as exc:
            raise ProposalError(str(exc)) from exc
    item.outcome = outcome
    item.minutes = minutes.strip()
    item.decided_by = actor
    item.save(update_fields=["outcome", "minutes", "decided_by"])
    return item


@transaction.atomic
def meeting_close(*, meeting: CouncilMeeting, actor, attendees=None) -> CouncilMeeting:
    """Close the meeting once every case has an outcome, record who attended (`attendees`, or
    else the members who scored, declared a conflict or recorded an outcome) and, after commit,
    make the minutes and send them to the applicants (projects.tasks.council_minutes_send)."""
    if not (actor.is_ks_staff or (actor.is_council and actor.is_council_chair)):
        raise ProposalError(_("Bare KS eller rådets leder kan lukke møtet."))
    meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
    undecided = [
        item.case_label for item in meeting.items.filter(outcome="").order_by("case_number")
    ]
    if not meeting.is_closed and undecided:
        raise ProposalError(
            _("Møtet kan ikke lukkes før alle saker har en konklusjon. Mangler: %(cases)s.")
            % {"cases": ", ".join(undecided)}
        )
    if not meeting.is_closed:
        if attendees is None:
            attendees = meeting_participants(meeting=meeting)
        if any(not user.is_council for user in attendees):
            raise ProposalError(_("Bare rådsmedlemmer kan føres som til stede."))
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["closed_at"])
        meeting.attendees.set(attendees)
        enqueue_on_commit(council_minutes_send, meeting.pk, actor.pk)
    return meeting
