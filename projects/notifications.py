"""The e-mails sent about proposals and the council, sent through invoicing's mail module like
every e-mail: claimed by its key (an OutgoingEmail row) before it is handed to the mail server.
Every message goes to each recipient separately, once per event and recipient, in the
recipient's language: users through invoicing.notify.notify_users (User.language), the
proposal's contact persons, who have no account, through notify_addresses in the applicant's
målform (invoicing.pdf.member_language)."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from invoicing.notify import notify_addresses, notify_users
from invoicing.pdf import member_language

from .models import AgendaItem, CouncilMeeting, Proposal, ProposalStatus, ProposalTransition
from .selectors import applicant_member_ids


def transition_email_key(log: ProposalTransition) -> str:
    return f"proposal-transition:{log.pk}"


def _notify_applicant(*, kind: str, proposal, key: str, subject, body, path: str) -> int:
    """The formal applicant's active case officers (each in the user's language) and the
    proposal's contact persons who are not among them (in the applicant's målform), once each
    for the event `key`. Returns how many were e-mailed by this call."""
    users = list(_municipal_users([proposal.lead_member_id]))
    known = {u.email.lower() for u in users}
    contacts = [c.email for c in proposal.contacts.all() if c.email.lower() not in known]
    sent = notify_users(kind=kind, users=users, key=key, subject=subject, body=body, path=path)
    to_contacts = notify_addresses(
        addresses=contacts,
        language=member_language(proposal.lead_member),
        key=key,
        subject=subject,
        body=body,
        path=path,
    )
    return len(sent) + len(to_contacts)


def transition_email_send(log: ProposalTransition) -> int:
    """E-mail everyone concerned about the transition, once each (the message's key per
    recipient, invoicing.mail.send_once), then mark the transition notified (`notified_at`, the
    outbox the sweep reads). A second run, or a run after a crash between the two, sends
    nothing twice; a run after a refused message sends to those not yet reached. Returns the
    number e-mailed by this call."""
    if ProposalTransition.objects.filter(pk=log.pk, notified_at__isnull=False).exists():
        return 0
    proposal = log.proposal

    def status():
        return proposal.__class__(status=log.to_status).get_status_display()

    def body():
        lines = [
            _("Prosjektforslaget «%(title)s» har fått status: %(status)s.")
            % {"title": proposal.title, "status": status()}
        ]
        if log.comment:
            lines += ["", _("Begrunnelse fra KS:"), log.comment]
        return "\n".join(lines)

    sent = _notify_applicant(
        kind="proposal_decision",
        proposal=proposal,
        key=transition_email_key(log),
        subject=lambda: f"{proposal.reference or proposal.title} – {status()}",
        body=body,
        path=reverse("projects:proposal_detail", args=[proposal.pk]),
    )
    ProposalTransition.objects.filter(pk=log.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return sent


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
def grant_reminder_send(grant) -> int:
    """The reminder before the acceptance deadline, once per grant and recipient (key
    grant-reminder:<id>)."""
    proposal = grant.project.proposal
    deadline = date_format(grant.accept_by, "d.m.Y")
    return _notify_applicant(
        kind="grant_to_accept",
        proposal=proposal,
        key=f"grant-reminder:{grant.pk}",
        subject=lambda: (
            _("påminnelse – aksepter tilsagnet innen %(deadline)s (%(reference)s)")
            % {"deadline": deadline, "reference": proposal.reference}
        ),
        body=lambda: "\n".join(
            [
                _("KS har gitt tilsagn om midler fra DigiFin til «%(title)s».")
                % {"title": proposal.title},
                _(
                    "Tilsagnet må aksepteres i portalen senest %(deadline)s. Etter fristen "
                    "bortfaller tilsagnet, og midlene frigis til andre prosjekter."
                )
                % {"deadline": deadline},
            ]
        ),
        path=reverse("projects:grant_detail", args=[grant.project_id]),
    )


def grant_transition_email_send(log) -> int:
    """Tell the applicant that its grant was accepted, declined or lapsed (once per event and
    recipient)."""
    grant = log.grant
    proposal = grant.project.proposal

    def status():
        return str(grant.__class__.Status(log.to_status).label)

    def body():
        lines = [
            _("Tilsagnet til «%(title)s» har fått status: %(status)s.")
            % {"title": proposal.title, "status": status()}
        ]
        if log.name == "accept":
            lines.append(_("Signert for søker av %(name)s.") % {"name": log.comment})
        elif log.name == "lapse":
            lines.append(
                _(
                    "Tilsagnet ble ikke akseptert innen fristen %(deadline)s og har bortfalt. "
                    "Midlene er frigitt i fondet."
                )
                % {"deadline": date_format(grant.accept_by, "d.m.Y")}
            )
        elif log.comment:
            lines += ["", _("Begrunnelse:"), log.comment]
        return "\n".join(lines)

    return _notify_applicant(
        kind="grant_status",
        proposal=proposal,
        key=f"grant-transition:{log.pk}",
        subject=lambda: (
            _("%(proposal)s – tilsagn %(status)s")
            % {"proposal": proposal.reference or proposal.title, "status": status().lower()}
        ),
        body=body,
        path=reverse("projects:grant_detail", args=[grant.project_id]),
    )
