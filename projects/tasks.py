"""Celery tasks for proposals: thin, take ids, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import ProposalTransition


@shared_task
def notify_proposal_transition(transition_id: int) -> int:
    """E-mail the applicant about a change of state. Claims the row first (notified_at), so a
    second run sends nothing. Returns the number of recipients."""
    claimed = ProposalTransition.objects.filter(pk=transition_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    log = ProposalTransition.objects.select_related("proposal", "proposal__lead_member").get(
        pk=transition_id
    )
    from .notifications import transition_email

    subject, body, recipients = transition_email(log)
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
