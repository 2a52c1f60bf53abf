"""KommIT-rådet's meeting documents: the agenda (sakskart) before the meeting and the minutes
(protokoll) after it, rendered as PDFs by invoicing's letter module. A new agenda is a new
version (the older ones are kept); the minutes are made once per meeting, when it is closed,
and sent as a letter to every applicant (lead and co-applicants) of the meeting's cases."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoicing.models import Document
from invoicing.services import document_pdf, document_send

from .. import selectors
from ..models import CouncilMeeting, MeetingDocument
from .proposals import ProposalError


def _council_members():
    return (
        get_user_model()
        .objects.filter(role="council", is_active=True)
        .select_related("organisation")
        .order_by("-is_council_chair", "last_name", "first_name")
    )


def _render(template: str, context: dict) -> bytes:
    # The documents are Norwegian whoever (or whichever worker) makes them.
    with translation.override("nb"):
        return document_pdf(template=template, context=context)


@transaction.atomic
def agenda_document_create(*, meeting: CouncilMeeting, actor) -> MeetingDocument:
    """KS makes the meeting's agenda; each call makes the next version."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan lage sakskartet."))
    meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_closed:
        raise ProposalError(_("Møtet er lukket; sakskartet lages før møtet."))
    version = (meeting.documents.filter(kind="agenda").aggregate(v=Max("version"))["v"] or 0) + 1
    rows = selectors.meeting_agenda(meeting=meeting)
    pdf = _render(
        "council_agenda",
        {
            "meeting": meeting,
            "version": version,
            "members": _council_members(),
            "rows": rows,
            "total": sum((row.requested for row in rows), selectors.ZERO),
        },
    )
    document = MeetingDocument(
        meeting=meeting, kind=MeetingDocument.Kind.AGENDA, version=version, created_by=actor
    )
    document.file.save(document.file_name, ContentFile(pdf), save=False)
    document.save()
    return document


def minutes_document_create(*, meeting: CouncilMeeting, actor) -> MeetingDocument:
    """The closed meeting's minutes, made once (a second call returns the first)."""
    existing = meeting.documents.filter(kind=MeetingDocument.Kind.MINUTES).first()
    if existing is not None:
        return existing
    meeting = CouncilMeeting.objects.get(pk=meeting.pk)
    if not meeting.is_closed:
        raise ProposalError(_("Protokollen lages når møtet er lukket."))
    pdf = _render(
        "council_minutes",
        {
            "meeting": meeting,
            "closed_on": timezone.localtime(meeting.closed_at).date(),
            "attendees": meeting.attendees.select_related("organisation").order_by(
                "-is_council_chair", "last_name", "first_name"
            ),
            "rows": selectors.meeting_minutes(meeting=meeting),
        },
    )
    document = MeetingDocument(
        meeting=meeting, kind=MeetingDocument.Kind.MINUTES, version=1, created_by=actor
    )
    document.file.save(document.file_name, ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # made at the same time by another worker: keep theirs
        document.file.delete(save=False)
        return meeting.documents.get(kind=MeetingDocument.Kind.MINUTES)
    return document


def minutes_send(*, meeting: CouncilMeeting, actor, email: bool = True) -> list[Document]:
    """Make the minutes (once) and send them as a letter to every applicant member of the
    meeting's cases: kept in their letters and e-mailed once per member and meeting."""
    minutes = minutes_document_create(meeting=meeting, actor=actor)
    meeting = minutes.meeting
    with minutes.file.open("rb") as handle:
        content = handle.read()
    title = f"Protokoll fra {meeting.title} {meeting.held_on:%d.%m.%Y}"
    return [
        document_send(
            member=member,
            kind=Document.Kind.MINUTES,
            title=title,
            source_key=f"minutes:{meeting.pk}:{member.pk}",
            file_name=minutes.file_name,
            content=content,
            actor=actor,
            email=email,
        )
        for member in selectors.meeting_minutes_recipients(meeting=meeting)
    ]
