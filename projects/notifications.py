"""The text of the e-mails sent about a proposal (bokmål)."""

from django.urls import reverse

from accounts.models import Role, User

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
