"""The members demo shows KS-recorded answers: a confirmation with its document and a decline."""

import io

import pytest
from django.core.management import call_command

from digifin.demo import ensure_demo_users
from members import demo
from members.models import Member, Participation, ParticipationCorrespondence

pytestmark = pytest.mark.django_db


def test_demo_records_a_confirmation_with_a_document_and_a_decline_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_reference_data", stdout=io.StringIO())
    ensure_demo_users()
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    records = {r.kind: r for r in ParticipationCorrespondence.objects.select_related("event")}
    assert set(records) == {"confirmation", "decline"}
    assert ParticipationCorrespondence.objects.count() == 2
    confirmation = records["confirmation"]
    assert confirmation.participation.status == Participation.Status.CONFIRMED
    assert confirmation.fakturareferanse and confirmation.file.read().startswith(b"%PDF")
    assert confirmation.recorded_by.username == "ks" and confirmation.event.actor.username == "ks"
    assert records["decline"].participation.status == Participation.Status.DECLINED
    for record in records.values():  # real, current kommuner
        member = record.participation.member
        assert member.kind == Member.Kind.KOMMUNE and member.valid_to is None
        assert "Testkommune" not in member.name
    # and the demo's other declined members (Utsira, Røst, ...) are still there
    assert Participation.objects.filter(status=Participation.Status.DECLINED).count() > 1
