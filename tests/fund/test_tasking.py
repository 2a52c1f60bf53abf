import pytest
from celery import shared_task
from django.db import transaction

from core import tasking

CALLS = []


@shared_task(name="tests.record_call")
def record_call(value):
    CALLS.append(value)


class BrokenTask:
    name = "tests.broken"

    def apply_async(self, args=None, kwargs=None):
        raise ConnectionRefusedError("broker down")


@pytest.mark.django_db(transaction=True)
def test_task_is_published_only_after_commit():
    CALLS.clear()
    with transaction.atomic():
        tasking.enqueue_on_commit(record_call, 1)
        assert CALLS == []
    assert CALLS == [1]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_publishes_nothing():
    CALLS.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        tasking.enqueue_on_commit(record_call, 2)
        raise RuntimeError
    assert CALLS == []


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_does_not_break_the_committed_request(caplog):
    with transaction.atomic():
        tasking.enqueue_on_commit(BrokenTask())
    assert "the periodic sweep will retry" in caplog.text
    assert tasking.publish(BrokenTask()) is False
