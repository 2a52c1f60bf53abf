"""Celery tasks for proposals: thin, take ids, safe to run twice."""

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.tasking import publish
from invoicing.models import Document
from invoicing.notify import notify_users
from invoicing.services import letter_create

from .letters import grant_letters_send
from .models import AgendaItem, CouncilMeeting, Grant, GrantTransition, Proposal, ProposalTransition
from .notifications import (
    case_to_score_send,
    coapplicant_requests_send,
    grant_reminder_send,
    grant_transition_email_send,
    meeting_reminders_send,
    transition_email_send,
)
from .selectors import benefit_reports_due

# KS's decisions that are sent to the applicants as a decision letter (PDF).
DECISION_TRANSITIONS = {"approve", "decline"}


@shared_task
def notify_proposal_transition(transition_id: int) -> int:
    """E-mail the applicant about a change of state; for KS's decisions, first send the decision
    letter (PDF) to every applicant. Letters are idempotent on their key; the e-mail claims the
    row first (notified_at), so a second run sends nothing. Returns the number of recipients."""
    log = ProposalTransition.objects.select_related("proposal", "proposal__lead_member").get(
        pk=transition_id
    )
    if log.name == "approve" and getattr(log.proposal, "project", None) is not None:
        # The approval's letter is the tilsagnsbrev (issue 18): amount, budget, conditions,
        # references and the deadline, to every applicant.
        grant = log.proposal.project.grant
        grant_letters_send(grant=grant, actor=log.actor, comment=log.comment)
    elif log.name in DECISION_TRANSITIONS:
        decision_letters_send(log=log)
    return transition_email_send(log)


def decision_letters_send(*, log: ProposalTransition) -> list:
    """The decision letter to the lead applicant and every co-applicant member, kept as a
    document on each member and e-mailed once (invoicing owns letters)."""

    proposal = log.proposal
    members = [proposal.lead_member, *(c.member for c in proposal.co_applicants.all())]
    outcome = "innvilget" if log.name == "approve" else "avslått"
    text = f"KS har {outcome} søknaden om midler fra DigiFin til «{proposal.title}»."
    if log.comment:
        text += f"\n\n{log.comment}"
    extra = {
        "heading": f"Vedtak: {proposal.title}",
        "decision_text": text,
        "decided_by": "KS",
        "decided_on": timezone.localtime(log.at).date() if log.at else None,
    }
    return [
        letter_create(
            member=member,
            kind=Document.Kind.DECISION,
            actor=log.actor,
            source_key=f"decision:{log.pk}:{member.pk}",
            extra=extra,
        )
        for member in members
        if member is not None
    ]


@shared_task
def council_minutes_send(meeting_id: int, actor_id: int | None = None) -> int:
    """Make a closed meeting's minutes and send them to the applicants; safe to run twice (the
    minutes exist once per meeting, each letter once per member). Returns the letters."""
    # Imported here: the services import this module to queue their tasks.
    from .services.council_documents import minutes_send  # noqa: PLC0415

    meeting = CouncilMeeting.objects.get(pk=meeting_id)
    actor = get_user_model().objects.filter(pk=actor_id).first()
    return len(minutes_send(meeting=meeting, actor=actor))


@shared_task
def sweep_pending_notifications(older_than_minutes: int = 2) -> int:
    """Re-publish notifications still pending (e.g. Redis was down when the transition was
    committed). Run by Celery beat; returns how many were re-published."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    pending = ProposalTransition.objects.filter(notified_at__isnull=True, at__lt=cutoff)
    ids = pending.values_list("pk", flat=True)
    return sum(publish(notify_proposal_transition, pk) for pk in ids)


@shared_task
def notify_coapplicants(proposal_id: int) -> int:
    """Ask the co-applicants that have not confirmed (once per user and co-applicant)."""
    proposal = Proposal.objects.select_related("lead_member").filter(pk=proposal_id).first()
    return coapplicant_requests_send(proposal) if proposal is not None else 0


@shared_task
def notify_case_to_score(item_id: int) -> int:
    """Tell the council a case was put on an open meeting's agenda (once per user and case)."""
    item = AgendaItem.objects.select_related("meeting", "proposal").filter(pk=item_id).first()
    if item is None or item.meeting.is_closed:
        return 0
    return case_to_score_send(item)


@shared_task
def remind_meetings() -> int:
    """Daily: remind the council of meetings in the coming week (once per meeting and user)."""
    return meeting_reminders_send(today=timezone.localdate())


@shared_task
def benefit_report_reminders(today: str | None = None) -> int:
    """The yearly reminder that a benefit report is due (issue 18 §5): one e-mail per project,
    year and reminder round to each of the responsible member's users, once per key and in the
    user's language (invoicing.notify.notify_users). Run by Celery beat on 15 November and 15
    January; `today` (an ISO date) is for tests."""
    today = datetime.date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    for due in benefit_reports_due(today=today):
        project = due.project
        users = User.objects.filter(
            role=Role.MUNICIPAL, is_active=True, organisation_id=project.responsible_id
        ).exclude(email="")
        sent += len(
            notify_users(
                kind="benefit_report_due",
                users=users,
                key=f"benefit-report-reminder:{project.pk}:{due.year}:{today:%Y-%m}",
                subject=lambda p=project, y=due.year: (
                    _("gevinstrapport for %(year)s – %(title)s") % {"year": y, "title": p.title}
                ),
                body=lambda p=project, y=due.year: "\n".join(
                    [
                        _("Gevinstrapporten for «%(title)s» for %(year)s er ikke sendt ennå.")
                        % {"title": p.title, "year": y},
                        "",
                        _(
                            "Prosjekteier rapporterer realiserte gevinster én gang i året etter "
                            "at løsningen er tatt i bruk (vilkår i tilsagnet fra DigiFin)."
                        ),
                    ]
                ),
                path=reverse("projects:project_detail", args=[project.pk]) + "#gevinster",
            )
        )
    return sent


@shared_task
def notify_grant_transition(transition_id: int) -> int:
    """E-mail the applicant that its grant was accepted, declined or lapsed (once per event)."""
    log = GrantTransition.objects.select_related("grant__project__proposal").get(pk=transition_id)
    return grant_transition_email_send(log)


@shared_task
def grant_deadlines() -> dict:
    """Daily (Celery beat): remind the applicant DIGIFIN_GRANT_REMINDER_DAYS before the deadline
    (once per grant: the e-mail's key), and lapse every offered grant whose deadline has passed
    (its project stops and the capital is released). Safe to run twice."""
    # Local import: services.grants enqueues this module's notify task (a real cycle).
    from .services.grants import GrantError, grant_lapse

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=settings.DIGIFIN_GRANT_REMINDER_DAYS)
    offered = Grant.objects.filter(status=Grant.Status.OFFERED).select_related("project__proposal")
    reminded = sum(
        1
        for grant in offered.filter(accept_by__gte=today, accept_by__lte=soon)
        if grant_reminder_send(grant)
    )
    lapsed = 0
    for grant in offered.filter(accept_by__lt=today):
        try:
            grant_lapse(grant=grant)
        except GrantError:
            continue  # accepted or lapsed meanwhile
        lapsed += 1
    return {"reminded": reminded, "lapsed": lapsed}
