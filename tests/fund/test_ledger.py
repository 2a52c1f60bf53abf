import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from fund.models import AppendOnlyError, CapitalSource, LedgerEntry
from fund.selectors import balance_by_kind, balance_by_source, fund_balance
from fund.services import LedgerError, ledger_record, ledger_reverse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2018, 3, 1)


def _grant(amount="25000000", **kw):
    return ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal(amount),
        occurred_on=DAY,
        description="KMD kap. 571 post 64",
        **kw,
    )


def test_balance_is_the_sum_of_signed_entries():
    _grant("25000000")
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=Decimal("1000000.50"),
        occurred_on=DAY,
        description="Utbetaling",
    )
    assert fund_balance() == Decimal("23999999.50")
    assert balance_by_source() == {
        "kmd": Decimal("25000000.00"),
        "projects": Decimal("-1000000.50"),
    }


def test_outflow_that_would_make_the_fund_negative_is_refused():
    _grant("100")
    with pytest.raises(LedgerError, match="minus"):
        ledger_record(
            kind=LedgerEntry.Kind.DISBURSEMENT,
            source=CapitalSource.PROJECTS,
            amount=Decimal("100.01"),
            occurred_on=DAY,
            description="For mye",
        )
    assert LedgerEntry.objects.count() == 1


def test_entries_cannot_be_edited_or_deleted():
    entry = _grant()
    entry.amount = Decimal("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("25000000.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_updates_of_ledger_rows():
    entry = _grant()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE fund_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM fund_ledgerentry WHERE id = %s", [entry.pk])


def test_a_reversal_cancels_an_entry_once():
    entry = _grant("500")
    reversal = ledger_reverse(entry=entry, actor=None, reason="Feilført")
    assert reversal.amount == Decimal("-500.00")
    assert fund_balance() == 0
    assert balance_by_kind().get(LedgerEntry.Kind.STATE_GRANT) == 0
    with pytest.raises(LedgerError):
        ledger_reverse(entry=entry, actor=None, reason="Igjen")
    with pytest.raises(LedgerError):
        ledger_reverse(entry=reversal, actor=None, reason="Reversering av reversering")


def test_idempotency_key_books_a_payment_once():
    first = _grant("10", idempotency_key="bank:2018-03-01:42")
    second = _grant("10", idempotency_key="bank:2018-03-01:42")
    assert first.pk == second.pk
    assert fund_balance() == Decimal("10.00")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_amount_must_be_positive(amount):
    with pytest.raises(LedgerError):
        _grant(amount)
