"""Celery tasks for proposals: thin, take ids, safe to run twice."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.tasking import publish
from invoicing.models import Document
from invoicing.services import letter_create

from .letters import grant_letters_send
from .models import Grant, GrantTransition, ProposalTransition
from .notifications import grant_reminder_send, grant_transition_email_send, transition_email_send

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
def sweep_pending_notifications(older_than_minutes: int = 2) -> int:
    """Re-publish notifications still pending (e.g. Redis was down when the transition was
    committed). Run by Celery beat; returns how many were re-published."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    pending = ProposalTransition.objects.filter(notified_at__isnull=True, at__lt=cutoff)
    ids = pending.values_list("pk", flat=True)
    return sum(publish(notify_proposal_transition, pk) for pk in ids)


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
