"""The e-mails sent about a proposal (bokmål), sent through invoicing's mail module like every
e-mail: claimed by its key (an OutgoingEmail row) before it is handed to the mail server."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from invoicing.mail import Message, claim_many, mark_sent, send_claimed

from .models import ProposalTransition


def transition_email(log: ProposalTransition) -> tuple[str, str, list[str]]:
    proposal = log.proposal
    status = log.proposal.__class__(status=log.to_status).get_status_display()
    subject = f"DigiFin: {proposal.reference or proposal.title} – {status}"
    lines = [
        f"Prosjektforslaget «{proposal.title}» har fått status: {status}.",
    ]
    if log.comment:
        lines += ["", "Begrunnelse fra KS:", log.comment]
    lines += [
        "",
        f"Se forslaget i portalen: {reverse('projects:proposal_detail', args=[proposal.pk])}",
    ]
    users = User.objects.filter(
        role=Role.MUNICIPAL, is_active=True, organisation_id=proposal.lead_member_id
    ).exclude(email="")
    recipients = sorted({u.email for u in users} | {c.email for c in proposal.contacts.all()})
    return subject, "\n".join(lines), recipients


def transition_email_key(log: ProposalTransition) -> str:
    return f"proposal-transition:{log.pk}"


def transition_email_send(log: ProposalTransition) -> int:
    """E-mail everyone concerned about the transition, once: one message to all recipients.

    `notified_at` (the outbox the sweep reads) and the e-mail's key are claimed in one
    transaction, under the transition's row lock, and the message is sent after it commits; a
    second run claims nothing and sends nothing. Returns the number of recipients (0 when
    already notified)."""
    subject, body, recipients = transition_email(log)
    with transaction.atomic():
        claimed = ProposalTransition.objects.filter(pk=log.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return 0
        claims = claim_many(
            [
                Message(
                    key=transition_email_key(log),
                    to=recipients[0],
                    subject=subject,
                    body=body,
                    attachments=[],
                    also_to=recipients[1:],
                )
            ]
            if recipients
            else []
        )
    for record, message in claims:
        send_claimed(record, message)
    mark_sent([record for record, _message in claims])
    return len(recipients)
