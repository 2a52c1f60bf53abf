"""The demo reconciles honestly: load_demo (every demo's money through the real services)
ends with a stored, passing reconciliation run, and `manage.py reconcile` exits 0 on it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from fund.models import LedgerEntry
from invoicing.models import Payment
from overview.models import ReconciliationRun

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the demo on PostgreSQL"),
]


def test_the_demo_passes_the_reconciliation():
    call_command("load_demo", stdout=io.StringIO())
    run = ReconciliationRun.objects.get()  # load_demo's own run, stored for the page
    assert run.ok is True, [r for r in run.results if not r["ok"]]
    call_command("reconcile", stdout=io.StringIO())  # raises CommandError on any failure
    # Honest: every share in the ledger has the payment it books.
    shares = LedgerEntry.objects.filter(kind="member_share")
    assert shares.count() == Payment.objects.filter(invoice__kind="member_share").count() > 100
    assert not shares.exclude(idempotency_key__startswith="invoicing-payment:").exists()
