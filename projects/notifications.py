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


# --- the grant (tilsagn, issue 18) -----------------------------------------------------------
def applicant_recipients(proposal) -> list[str]:
    """The formal applicant's active case officers and the proposal's contact persons."""
    users = User.objects.filter(
        role=Role.MUNICIPAL, is_active=True, organisation_id=proposal.lead_member_id
    ).exclude(email="")
    return sorted({u.email for u in users} | {c.email for c in proposal.contacts.all() if c.email})


def _send_once_to_all(*, key: str, recipients: list[str], subject: str, body: str) -> int:
    """One message to everyone concerned, claimed by `key` (sent at most once)."""
    if not recipients:
        return 0
    with transaction.atomic():
        claims = claim_many(
            [Message(key, recipients[0], subject, body, [], also_to=recipients[1:])]
        )
    for record, message in claims:
        send_claimed(record, message)
    mark_sent([record for record, _message in claims])
    return len(recipients) if claims else 0


def grant_reminder_send(grant) -> int:
    """The reminder before the acceptance deadline, once per grant (key grant-reminder:<id>)."""
    proposal = grant.project.proposal
    deadline = grant.accept_by.strftime("%d.%m.%Y")
    subject = f"DigiFin: påminnelse – aksepter tilsagnet innen {deadline} ({proposal.reference})"
    body = "\n".join(
        [
            f"KS har gitt tilsagn om midler fra DigiFin til «{proposal.title}».",
            f"Tilsagnet må aksepteres i portalen senest {deadline}. Etter fristen bortfaller "
            "tilsagnet, og midlene frigis til andre prosjekter.",
            "",
            f"Aksepter i portalen: {reverse('projects:grant_detail', args=[grant.project_id])}",
            "",
            "Vennlig hilsen\nKS, DigiFin",
        ]
    )
    return _send_once_to_all(
        key=f"grant-reminder:{grant.pk}",
        recipients=applicant_recipients(proposal),
        subject=subject,
        body=body,
    )


def grant_transition_email_send(log) -> int:
    """Tell the applicant that its grant was accepted, declined or lapsed (once per event)."""
    grant = log.grant
    proposal = grant.project.proposal
    status = grant.__class__.Status(log.to_status).label
    lines = [f"Tilsagnet til «{proposal.title}» har fått status: {status}."]
    if log.name == "accept":
        lines.append(f"Signert for søker av {log.comment}.")
    elif log.name == "lapse":
        lines.append(
            f"Tilsagnet ble ikke akseptert innen fristen {grant.accept_by:%d.%m.%Y} og har "
            "bortfalt. Midlene er frigitt i fondet."
        )
    elif log.comment:
        lines += ["", "Begrunnelse:", log.comment]
    lines += ["", f"Se tilsagnet: {reverse('projects:grant_detail', args=[grant.project_id])}"]
    return _send_once_to_all(
        key=f"grant-transition:{log.pk}",
        recipients=applicant_recipients(proposal),
        subject=f"DigiFin: {proposal.reference or proposal.title} – tilsagn {status.lower()}",
        body="\n".join(lines),
    )
