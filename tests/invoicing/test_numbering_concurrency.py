"""Gapless numbers under concurrent issuing, on PostgreSQL (threads, each with its own
connection and transaction)."""

import threading

import pytest
from django.db import connection, connections

from invoicing.models import Invoice, InvoiceNumberCounter
from tests.invoicing.factories import issue_manual, member_with_address

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
PER_THREAD = 5


def test_concurrent_issuing_gives_gapless_unique_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (scripts/test.sh)")
    buyers = [member_with_address() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def issue(buyer):
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                issue_manual(buyer=buyer, source_key=f"t:{buyer.pk}:{n}", deliver=False)
            # the same key again, concurrently with the others: no new number
            issue_manual(buyer=buyer, source_key=f"t:{buyer.pk}:0", deliver=False)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    total = THREADS * PER_THREAD
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    assert InvoiceNumberCounter.objects.get(series="F", year=2026).last_number == total


def test_two_threads_with_the_same_source_key_get_one_invoice():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (scripts/test.sh)")
    buyer = member_with_address()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def issue():
        try:
            barrier.wait()
            results.append(issue_manual(buyer=buyer, source_key="same", deliver=False).pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(set(results)) == 1
    assert Invoice.objects.count() == 1
    assert InvoiceNumberCounter.objects.get().last_number == 1
