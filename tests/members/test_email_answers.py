"""KS records a confirmation or a decline that came by e-mail (issue 16 §4)."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Participation, ParticipationCorrespondence, ParticipationEvent
from members.services import participation_record_email
from members.workflow import ParticipationError
from tests.members.factories import (
    Member2017Factory,
    MemberFactory,
    ParticipationFactory,
    succession,
)

pytestmark = pytest.mark.django_db
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
S = Participation.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="Vedtak PS 45-17.pdf", content=MINIMAL_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _confirm_post(key=None, **extra):
    data = {
        "bekreftelse-submission_key": str(key or uuid.uuid4()),
        "bekreftelse-received_on": "2026-11-20",
        "bekreftelse-reference": "2026/1432-3",
        "bekreftelse-fakturareferanse": "4601-DIGIFIN",
        "bekreftelse-decided_on": "2026-11-12",
        "bekreftelse-contact_name": "Kari Nordmann",
        "bekreftelse-contact_email": "kari@bergen.kommune.no",
        "bekreftelse-document": pdf(),
    }
    data.update(extra)
    return data


def _decline_post(key=None):
    return {
        "avslag-submission_key": str(key or uuid.uuid4()),
        "avslag-received_on": "2026-11-21",
        "avslag-reference": "26/889",
        "avslag-document": pdf("Svar.pdf"),
    }


def test_the_staff_page_offers_both_forms_for_an_invited_member(ks_client):
    member = MemberFactory(name="Utsira kommune")
    ParticipationFactory(member=member)
    page = ks_client.get(reverse("members:staff_member_detail", args=[member.pk])).content.decode()
    assert "Registrer bekreftelse" in page and "Registrer avslag" in page
    assert "<legend" in page and 'enctype="multipart/form-data"' in page


def test_ks_records_a_confirmation_with_its_document(ks_client, ks_user):
    member = MemberFactory(name="Gausdal kommune")
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    response = ks_client.post(url, _confirm_post())
    assert response.status_code == 302
    participation = Participation.objects.get(member=member)
    assert participation.status == S.CONFIRMED
    assert participation.fakturareferanse == "4601-DIGIFIN"
    assert participation.decided_on == datetime.date(2026, 11, 12)
    assert participation.decision_reference == "2026/1432-3"
    record = ParticipationCorrespondence.objects.get()
    assert record.kind == "confirmation" and record.recorded_by == ks_user
    assert record.content_type == "application/pdf" and record.original_name.endswith(".pdf")
    assert record.received_on == datetime.date(2026, 11, 20)
    event = record.event
    assert (event.from_status, event.to_status, event.actor) == (S.INVITED, S.CONFIRMED, ks_user)
    assert "20.11.2026" in event.note and "2026/1432-3" in event.note
    page = ks_client.get(reverse("members:staff_member_detail", args=[member.pk])).content.decode()
    assert (
        "20.11.2026" in page
        and reverse("members:correspondence_download", args=[record.pk]) in page
    )
    download = ks_client.get(reverse("members:correspondence_download", args=[record.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_the_same_form_sent_twice_changes_nothing_the_second_time(ks_client):
    member = MemberFactory()
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    key = uuid.uuid4()
    assert ks_client.post(url, _confirm_post(key)).status_code == 302
    second = ks_client.post(url, _confirm_post(key), follow=True)
    assert "allerede registrert" in second.content.decode()
    assert ParticipationCorrespondence.objects.count() == 1
    assert ParticipationEvent.objects.filter(to_status=S.CONFIRMED).count() == 1


def test_the_service_is_idempotent_on_the_submission_key(ks_user):
    member = MemberFactory()
    key = uuid.uuid4()
    kwargs = {
        "member": member,
        "kind": "decline",
        "received_on": datetime.date(2026, 11, 2),
        "reference": "26/1",
        "submission_key": key,
        "actor": ks_user,
    }
    first, created = participation_record_email(upload=pdf(), **kwargs)
    again, created_again = participation_record_email(upload=pdf(), **kwargs)
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert ParticipationEvent.objects.filter(to_status=S.DECLINED).count() == 1


def test_ks_records_a_decline(ks_client, ks_user):
    member = MemberFactory(name="Røst kommune")
    ParticipationFactory(member=member)
    url = reverse("members:record_email_answer", args=[member.pk, "avslag"])
    assert ks_client.post(url, _decline_post()).status_code == 302
    participation = Participation.objects.get(member=member)
    assert participation.status == S.DECLINED
    assert participation.declined_on == datetime.date(2026, 11, 21)
    assert ParticipationCorrespondence.objects.get().event.actor == ks_user


def test_a_declined_member_that_changes_its_mind_can_be_confirmed(ks_client):
    member = MemberFactory()
    ParticipationFactory(member=member, status=S.DECLINED)
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    assert ks_client.post(url, _confirm_post()).status_code == 302
    assert Participation.objects.get(member=member).status == S.CONFIRMED


def test_a_paid_member_cannot_be_confirmed_again(ks_client):
    member = MemberFactory()
    ParticipationFactory(member=member, status=S.PAID)
    page = ks_client.get(reverse("members:staff_member_detail", args=[member.pk])).content.decode()
    assert "Registrer bekreftelse" not in page and "Registrer avslag" not in page
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    response = ks_client.post(url, _confirm_post())
    assert response.status_code == 400
    assert Participation.objects.get(member=member).status == S.PAID
    assert not ParticipationCorrespondence.objects.exists()


def test_a_successor_that_inherited_participation_has_nothing_to_confirm(ks_client):
    old = Member2017Factory(name="Bergen kommune (1201)")
    ParticipationFactory(member=old, status=S.PAID)
    new = MemberFactory(name="Bergen kommune")
    succession(old, new)
    page = ks_client.get(reverse("members:staff_member_detail", args=[new.pk])).content.decode()
    assert "Registrer bekreftelse" not in page


@pytest.mark.parametrize(
    "name,content",
    [
        ("svar.pdf", b"<html><script>alert(1)</script></html>"),
        ("svar.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("svar.pdf", b""),
    ],
)
def test_a_document_is_checked_by_its_content(ks_client, name, content):
    member = MemberFactory()
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    response = ks_client.post(url, _confirm_post(**{"bekreftelse-document": pdf(name, content)}))
    assert response.status_code == 400
    assert not ParticipationCorrespondence.objects.exists()
    assert not Participation.objects.filter(member=member, status=S.CONFIRMED).exists()


def test_a_confirmation_needs_a_fakturareferanse(ks_client):
    member = MemberFactory()
    url = reverse("members:record_email_answer", args=[member.pk, "bekreftelse"])
    response = ks_client.post(url, _confirm_post(**{"bekreftelse-fakturareferanse": "  "}))
    assert response.status_code == 400
    assert "Fakturareferanse" in response.content.decode()


def test_only_ks_may_record_an_answer(municipal_user):
    member = MemberFactory()
    with pytest.raises(ParticipationError):
        participation_record_email(
            member=member,
            kind="decline",
            received_on=datetime.date(2026, 11, 2),
            reference="x",
            upload=pdf(),
            submission_key=uuid.uuid4(),
            actor=municipal_user,
        )


def test_an_unknown_answer_is_404(ks_client):
    member = MemberFactory()
    url = reverse("members:record_email_answer", args=[member.pk, "noe-annet"])
    assert ks_client.post(url, {}).status_code == 404
