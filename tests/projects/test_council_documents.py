"""Issue 19 §3: the council meeting's agenda (sakskart) and minutes (protokoll) as PDFs through
invoicing's letter module; the minutes sent to the applicants. The PDFs are read as text with
poppler's pdftotext, as the letters' tests do (pypdf is not among the dependencies)."""

import datetime
import re
import subprocess

import pytest

from invoicing.models import Document, OutgoingEmail
from projects import selectors
from projects.models import CoApplicant, MeetingDocument, ProposalStatus, ScoringCriterion
from projects.services.council import (
    agenda_add,
    conflict_declare,
    meeting_close,
    meeting_create,
    outcome_record,
    score_record,
)
from projects.services.council_documents import (
    agenda_document_create,
    minutes_document_create,
    minutes_send,
)
from projects.services.proposals import ProposalError
from projects.tasks import council_minutes_send
from tests.accounts.factories import CouncilMemberFactory
from tests.members.factories import MemberFactory

from .factories import complete_proposal, ensure_criteria, participant_member

pytestmark = pytest.mark.django_db
DAY = datetime.date(2027, 3, 14)


def pdf_text(field) -> str:
    """The PDF's text, a table row per line (-layout), runs of spaces as one."""
    text = subprocess.run(
        ["pdftotext", "-layout", field.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[ \xa0\u202f]+", " ", text)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_criteria()


@pytest.fixture
def council():
    chair_org = participant_member(name="Trondheim kommune")
    chair = CouncilMemberFactory(
        first_name="Kari", last_name="Leder", is_council_chair=True, organisation=chair_org
    )
    deputy = CouncilMemberFactory(first_name="Per", last_name="Aas")
    other = CouncilMemberFactory(first_name="Ola", last_name="Borte")
    return chair, deputy, other


@pytest.fixture
def meeting(ks_user, council):
    _chair, deputy, _other = council
    meeting = meeting_create(
        held_on=DAY, title="KommIT-rådet, møte 1/2027", actor=ks_user, deputy_chair=deputy
    )
    meeting.place = "KS-huset, Haakon VIIs gate 9, Oslo"
    meeting.save(update_fields=["place"])
    return meeting


@pytest.fixture
def cases(meeting, ks_user, council):
    chair, _deputy, _other = council
    own = complete_proposal(
        lead_member=chair.organisation,
        title="Felles løsning for digital byggesøknad",
        status=ProposalStatus.QUALIFIED,
    )
    co = MemberFactory(name="Malvik kommune")
    CoApplicant.objects.create(proposal=own, member=co)
    other = complete_proposal(
        lead_member=participant_member(name="Bergen kommune"),
        title="Digitalt tilsyn",
        status=ProposalStatus.QUALIFIED,
    )
    return [agenda_add(meeting=meeting, proposal=p, actor=ks_user) for p in (own, other)]


def _score(item, member, value):
    criteria = ScoringCriterion.objects.filter(active=True)
    score_record(item=item, values=dict.fromkeys(criteria, (value, "")), actor=member)


def _decide_all(cases, council):
    chair, deputy, other = council
    own, tilsyn = cases
    _score(own, deputy, 4)
    _score(own, other, 2)
    outcome_record(item=own, outcome="prioritised", minutes="Nestleder fører.", actor=deputy)
    _score(tilsyn, chair, 5)
    _score(tilsyn, deputy, 5)
    conflict_declare(item=tilsyn, reason="Styreverv i leverandøren.", actor=other)
    outcome_record(item=tilsyn, outcome="deferred", minutes="Utsettes; avklar FDVU.", actor=chair)


def test_agenda_lists_every_case_with_applicant_amount_and_npv_per_krone(
    meeting, cases, ks_user, council
):
    document = agenda_document_create(meeting=meeting, actor=ks_user)
    text = pdf_text(document.file)
    assert "Sakskart" in text and "14.03.2027" in text and "KS-huset" in text
    rows = selectors.meeting_agenda(meeting=meeting)
    assert [row.item.case_label for row in rows] == ["sak 27-01", "sak 27-02"]
    for row in rows:
        heading = f"{row.item.case_label} {row.item.proposal.title}"
        assert heading in text
        case = text.split(heading, 1)[1].split("sak 27-", 1)[0]  # this case's block
        assert f"Søker {row.applicants[0]}" in case
        # 1 000 000 + 500 000 kr of development, nothing of their own: 1 500 000 kr.
        assert "Omsøkt fra fondet 1 500 000 kr" in case
        npv = f"{row.npv_per_krone:.2f}".replace(".", ",")
        assert f"Netto nåverdi per krone {npv}" in case
        assert "KS' kvalifisering" in case
    assert "Medsøkere Malvik kommune" in text
    assert "Sum omsøkt fra fondet: 3 000 000 kr (2 saker)" in text
    assert "Kari Leder (leder)" in text and "Per Aas (nestleder)" in text
    assert "Side 1 av" in text  # a real document: page numbers on the letterhead


def test_a_new_agenda_is_a_new_version_and_the_old_one_is_kept(meeting, cases, ks_user):
    first = agenda_document_create(meeting=meeting, actor=ks_user)
    second = agenda_document_create(meeting=meeting, actor=ks_user)
    assert (first.version, second.version) == (1, 2)
    assert meeting.documents.filter(kind="agenda").count() == 2
    assert "Versjon 2" in pdf_text(second.file)
    assert first.file.storage.exists(first.file.name)


def test_only_ks_makes_the_agenda_and_only_before_the_meeting_is_closed(
    meeting, cases, ks_user, council
):
    with pytest.raises(ProposalError):
        agenda_document_create(meeting=meeting, actor=council[0])
    _decide_all(cases, council)
    meeting_close(meeting=meeting, actor=ks_user)
    with pytest.raises(ProposalError, match="lukket"):
        agenda_document_create(meeting=meeting, actor=ks_user)


def test_minutes_list_outcome_score_recusals_and_attendees(meeting, cases, ks_user, council):
    chair, deputy, other = council
    _decide_all(cases, council)
    meeting_close(meeting=meeting, actor=ks_user)
    assert set(meeting.attendees.all()) == {chair, deputy, other}  # derived: all took part
    text = pdf_text(minutes_document_create(meeting=meeting, actor=ks_user).file)
    assert "Protokoll" in text and "14.03.2027" in text
    assert "sak 27-01 Felles løsning for digital byggesøknad" in text
    assert "sak 27-02 Digitalt tilsyn" in text
    assert "Prioritert (ført av Per Aas)" in text
    assert "Utsatt (ført av Kari Leder)" in text
    # 27-01: members' weighted scores 4 and 2 → 3,00, spread 2,00; 27-02: 5 and 5.
    assert "3,00 (spredning 2,00, 2 medlemmer)" in text
    assert "5,00 (spredning 0,00, 2 medlemmer)" in text
    # The chair's organisation applies for 27-01; Ola declared a conflict on 27-02.
    assert "Inhabile Kari Leder" in text and "Inhabile Ola Borte" in text
    assert "Nestleder fører." in text and "Utsettes; avklar FDVU." in text
    assert "Kari Leder (leder)" in text and "Per Aas (nestleder)" in text and "Ola Borte" in text


def test_attendance_is_what_ks_records_at_closing(meeting, cases, ks_user, council):
    chair, deputy, other = council
    _decide_all(cases, council)
    meeting_close(meeting=meeting, actor=ks_user, attendees=[chair, deputy])
    text = pdf_text(minutes_document_create(meeting=meeting, actor=ks_user).file)
    attended = text.split("Til stede", 1)[1].split("Saker", 1)[0]
    assert "Kari Leder" in attended and "Per Aas" in attended
    assert "Ola Borte" not in attended


def test_minutes_wait_for_the_meeting_to_close(meeting, cases, ks_user):
    with pytest.raises(ProposalError):
        minutes_document_create(meeting=meeting, actor=ks_user)


def test_minutes_are_made_once_and_sent_once_to_every_applicant(
    meeting, cases, ks_user, council, django_capture_on_commit_callbacks, mailoutbox
):
    _decide_all(cases, council)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting=meeting, actor=ks_user)
    council_minutes_send(meeting.pk, ks_user.pk)  # the task again: nothing new
    minutes_send(meeting=meeting, actor=ks_user)
    assert meeting.documents.filter(kind=MeetingDocument.Kind.MINUTES).count() == 1
    letters = Document.objects.filter(kind=Document.Kind.MINUTES)
    names = sorted(letters.values_list("member__name", flat=True))
    assert names == ["Bergen kommune", "Malvik kommune", "Trondheim kommune"]
    assert all(d.title == "Protokoll fra KommIT-rådet, møte 1/2027 14.03.2027" for d in letters)
    assert "sak 27-02" in pdf_text(letters.get(member__name="Bergen kommune").file)
    emailed = OutgoingEmail.objects.filter(document__in=letters)
    assert emailed.count() == sum(1 for d in letters if d.member.email)


def test_the_applicant_sees_the_minutes_in_its_letters(meeting, cases, ks_user, council, client):
    from tests.accounts.factories import MunicipalUserFactory

    _decide_all(cases, council)
    meeting_close(meeting=meeting, actor=ks_user)
    minutes_send(meeting=meeting, actor=ks_user, email=False)
    bergen = cases[1].proposal.lead_member
    officer = MunicipalUserFactory(organisation=bergen)
    client.force_login(officer)
    page = client.get("/fakturaer/").content.decode()
    assert "Protokoll fra KommIT-rådet, møte 1/2027 14.03.2027" in page
    outsider = MunicipalUserFactory(organisation=MemberFactory())
    client.force_login(outsider)
    assert "Protokoll fra KommIT-rådet" not in client.get("/fakturaer/").content.decode()


def test_ks_makes_the_agenda_from_the_queue_page_once_per_click(
    client, meeting, cases, ks_user, council
):
    from django.urls import reverse

    from tests.once_support import with_once

    client.force_login(ks_user)
    url = reverse("projects:meeting_agenda_create", args=[meeting.pk])
    data = with_once(ks_user, {})
    client.post(url, data)
    client.post(url, data)  # the double click: the same form token
    assert meeting.documents.filter(kind="agenda").count() == 1
    page = client.get(reverse("projects:council_queue") + f"?mote={meeting.pk}")
    assert "Sakskart, versjon 1" in page.content.decode()
    document = meeting.documents.get()
    client.force_login(council[1])
    response = client.get(reverse("projects:meeting_document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_closing_from_the_page_records_the_attendees_ks_ticked(
    client, meeting, cases, ks_user, council
):
    from django.urls import reverse

    from tests.once_support import with_once

    chair, deputy, other = council
    _decide_all(cases, council)
    client.force_login(ks_user)
    page = client.get(reverse("projects:council_queue") + f"?mote={meeting.pk}").content.decode()
    assert "Kari Leder (leder)" in page  # the attendance checkboxes, pre-ticked
    client.post(
        reverse("projects:meeting_close", args=[meeting.pk]),
        with_once(ks_user, {"attendees": [chair.pk, other.pk]}),
    )
    meeting.refresh_from_db()
    assert meeting.is_closed
    assert set(meeting.attendees.all()) == {chair, other}


def test_demo_has_a_held_meeting_with_both_documents_and_a_coming_one_with_its_agenda():
    """load_demo renders the files as real use does, and a second run adds nothing."""
    import io
    from decimal import Decimal

    from digifin.demo import ensure_demo_users
    from fund.models import CapitalSource, LedgerEntry
    from fund.services import ledger_record
    from projects import demo
    from projects.models import CouncilMeeting

    ensure_demo_users()
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("25000000"),
        occurred_on=datetime.date(2017, 12, 1),
        description="KMD",
    )
    demo.load(stdout=io.StringIO())
    counts = (MeetingDocument.objects.count(), Document.objects.filter(kind="minutes").count())
    demo.load(stdout=io.StringIO())
    assert (
        MeetingDocument.objects.count(),
        Document.objects.filter(kind="minutes").count(),
    ) == counts
    held = CouncilMeeting.objects.get(closed_at__isnull=False)
    coming = CouncilMeeting.objects.get(closed_at__isnull=True)
    assert sorted(held.documents.values_list("kind", flat=True)) == ["agenda", "minutes"]
    assert list(coming.documents.values_list("kind", flat=True)) == ["agenda"]
    minutes = pdf_text(held.documents.get(kind="minutes").file)
    for item in held.items.all():
        assert item.case_label in minutes and item.get_outcome_display() in minutes
    assert "Randi Dahl (leder)" in minutes and "Per Aas (nestleder)" in minutes
    agenda = pdf_text(coming.documents.get().file)
    assert "Sakskart" in agenda and "03.12.2026" in agenda
    for item in coming.items.all():
        assert item.case_label in agenda and item.proposal.title in agenda
    # Lillehammer, Øyer and Bergen apply in the held meeting: each has the minutes as a letter.
    letters = Document.objects.filter(kind="minutes")
    assert {"3405", "3440", "4601"} <= set(letters.values_list("member__number", flat=True))
