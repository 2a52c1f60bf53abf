"""Ledger sums cached under the latest entry: a new entry (or a reversal) is a new key, so a
cached figure is never stale."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.models import CapitalSource, LedgerEntry
from fund.selectors import fund_balance, ledger_cached
from fund.services import ledger_record, ledger_reverse

pytestmark = pytest.mark.django_db


def _grant(amount):
    return ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal(amount),
        occurred_on=datetime.date(2018, 3, 1),
        description="KMD",
    )


def test_a_cached_sum_follows_every_new_entry_and_reversal():
    first = _grant("100")
    assert ledger_cached("balance", fund_balance) == Decimal("100.00")
    _grant("50")
    assert ledger_cached("balance", fund_balance) == Decimal("150.00")
    ledger_reverse(entry=first, reason="Feil", actor=None)
    assert ledger_cached("balance", fund_balance) == Decimal("50.00")


def test_an_unchanged_ledger_is_summed_once():
    _grant("100")
    ledger_cached("balance", fund_balance)
    with CaptureQueriesContext(connection) as ctx:
        assert ledger_cached("balance", fund_balance) == Decimal("100.00")
    assert len(ctx.captured_queries) == 1  # the latest entry, not the sum
    assert "SUM" not in ctx.captured_queries[0]["sql"].upper()


def test_the_latest_figures_are_kept_in_the_process_without_unpickling(monkeypatch):
    """The shared cache is read once per ledger state and process; a new entry reads it anew."""
    from django.core.cache import cache

    _grant("100")
    assert ledger_cached("balance", fund_balance) == Decimal("100.00")
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a: reads.append(key) or get(key, *a))
    assert ledger_cached("balance", fund_balance) == Decimal("100.00")
    assert reads == []
    _grant("50")
    assert ledger_cached("balance", fund_balance) == Decimal("150.00")
    assert len(reads) == 1
