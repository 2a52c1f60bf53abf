"""The e-mails sent about proposals and the council, sent through invoicing's mail module like
every e-mail: claimed by its key (an OutgoingEmail row) before it is handed to the mail server.
The transition e-mail is one message in bokmål to everyone concerned; the notifications to
users (co-applicant to confirm, case to score, meeting coming) go through
invoicing.notify.notify_users: one per user, in the user's language, once per event."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from invoicing.mail import Message, claim_many, mark_sent, send_claimed
from invoicing.notify import notify_users

from .models import AgendaItem, CouncilMeeting, Proposal, ProposalStatus, ProposalTransition
from .selectors import applicant_member_ids


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


def _municipal_users(member_ids):
    return User.objects.filter(
        role=Role.MUNICIPAL, is_active=True, organisation_id__in=member_ids
    ).exclude(email="")


def coapplicant_requests_send(proposal: Proposal) -> int:
    """Ask the users of every co-applicant that has not confirmed to confirm, each user once
    per proposal and co-applicant (the key), however often the draft is saved. Essential: the
    proposal cannot be submitted before they confirm. Returns the number of e-mails sent."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.RETURNED):
        return 0
    waiting = list(proposal.co_applicants.filter(confirmed_at__isnull=True))
    users = list(_municipal_users([row.member_id for row in waiting]))
    lead = proposal.lead_member.name
    sent = 0
    for row in waiting:
        sent += len(
            notify_users(
                kind="coapplicant_confirm",
                users=[u for u in users if u.organisation_id == row.member_id],
                key=f"coapplicant:{proposal.pk}:{row.member_id}",
                subject=lambda: _("Bekreft medsøknad: %(title)s") % {"title": proposal.title},
                body=lambda: (
                    _(
                        "%(lead)s har ført opp organisasjonen din som medsøker på "
                        "prosjektforslaget "
                        "«%(title)s». Forslaget kan ikke sendes inn før dere har bekreftet."
                    )
                    % {"lead": lead, "title": proposal.title}
                ),
                path=reverse("projects:proposal_detail", args=[proposal.pk]),
            )
        )
    return sent


def case_to_score_send(item: AgendaItem) -> int:
    """Tell the council members who may score a new case on an open meeting's agenda
    (non-essential: the task list shows it too). Members whose organisation applies are left
    out (they are recused). Returns the number of e-mails sent."""
    proposal = item.proposal
    applicants = applicant_member_ids(proposal=proposal)
    members = [
        u
        for u in User.objects.filter(role=Role.COUNCIL, is_active=True).exclude(email="")
        if u.organisation_id is None or u.organisation_id not in applicants
    ]
    return len(
        notify_users(
            kind="case_to_score",
            users=members,
            key=f"case-to-score:{item.pk}",
            subject=lambda: (
                _("Ny sak å gi poeng i: %(case)s %(title)s")
                % {"case": item.case_label, "title": proposal.title}
            ),
            body=lambda: (
                _(
                    "%(case)s «%(title)s» står på sakslisten til %(meeting)s (%(date)s). "
                    "Gi poeng før møtet."
                )
                % {
                    "case": item.case_label,
                    "title": proposal.title,
                    "meeting": item.meeting.title,
                    "date": date_format(item.meeting.held_on, "d.m.Y"),
                }
            ),
            path=reverse("projects:council_item", args=[item.pk]),
        )
    )


def meeting_reminders_send(*, today) -> int:
    """Remind the council of each open meeting held within the next
    DIGIFIN_MEETING_REMINDER_DAYS days, once per meeting and member (non-essential)."""
    until = today + datetime.timedelta(days=settings.DIGIFIN_MEETING_REMINDER_DAYS)
    meetings = list(
        CouncilMeeting.objects.filter(closed_at__isnull=True, held_on__range=(today, until))
    )
    members = list(User.objects.filter(role=Role.COUNCIL, is_active=True).exclude(email=""))
    sent = 0
    for meeting in meetings:
        cases = meeting.items.count()
        sent += len(
            notify_users(
                kind="meeting_coming",
                users=members,
                key=f"meeting-coming:{meeting.pk}",
                subject=lambda m=meeting: (
                    _("Rådsmøte %(date)s") % {"date": date_format(m.held_on, "d.m.Y")}
                ),
                body=lambda m=meeting, n=cases: (
                    _("%(meeting)s holdes %(date)s med %(cases)s saker på sakslisten.")
                    % {"meeting": m.title, "date": date_format(m.held_on, "d.m.Y"), "cases": n}
                ),
                path=reverse("projects:council_queue"),
            )
        )
    return sent


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
