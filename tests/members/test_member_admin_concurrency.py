"""The same e-mailed answer, or the same invitation list, sent twice at the same moment: one
effect. Needs real row locks (PostgreSQL); SQLite serialises whole-database writes instead."""

import datetime
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from invoicing.models import BatchItem, BatchJob
from members.invitations import invitations_send
from members.models import ParticipationCorrespondence, ParticipationEvent
from members.services import participation_record_email
from tests.accounts.factories import KsStaffFactory
from tests.invoicing.factories import member_with_address
from tests.members.factories import ParticipationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _twice(work):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        barrier.wait()
        try:
            work()
        except Exception as exc:  # noqa: BLE001  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_the_same_confirmation_sent_twice_at_once_is_recorded_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ks = KsStaffFactory()
    member = member_with_address()
    ParticipationFactory(member=member)
    key = uuid.uuid4()

    def record():
        participation_record_email(
            member=member,
            kind="confirmation",
            received_on=datetime.date(2026, 11, 20),
            reference="2026/1",
            fakturareferanse="4711",
            upload=SimpleUploadedFile("v.pdf", PDF),
            submission_key=key,
            actor=ks,
        )

    assert _twice(record) == []
    assert ParticipationCorrespondence.objects.count() == 1
    assert ParticipationEvent.objects.filter(to_status="confirmed").count() == 1


def test_the_same_invitation_list_sent_twice_at_once_makes_one_job():
    ks = KsStaffFactory()
    ids = [member_with_address().pk for _ in range(3)]
    assert _twice(lambda: invitations_send(member_ids=ids, actor=ks)) == []
    assert BatchJob.objects.count() == 1
    assert BatchItem.objects.count() == 3
