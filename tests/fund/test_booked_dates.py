"""Issue 16 §3: no ledger entry or payment dated after today or before the fund began (a
disbursement dated 15.01.2027 lowered today's capital; 0001 and 9999 were booked). Enforced in
the services, so every caller (views, admin, imports, demo) meets the rule, which is named."""

import datetime
from decimal import Decimal

import pytest

from fund.models import CapitalSource, LedgerEntry
from fund.selectors import fund_balance
from fund.services import LedgerError, ledger_record, ledger_reverse
from invoicing.models import Payment
from invoicing.services import InvoicingError, register_payment

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _record(day):
    return ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("100"),
        occurred_on=day,
        description="KMD",
    )


@pytest.mark.parametrize(
    "day",
    [
        TODAY + datetime.timedelta(days=1),
        datetime.date(9999, 12, 31),
        datetime.date(2016, 12, 31),
        datetime.date(1, 1, 1),
    ],
)
def test_a_ledger_entry_outside_the_fund_start_to_today_is_refused_naming_the_rule(day):
    with pytest.raises(LedgerError, match="Regelen om bokføringsdato"):
        _record(day)
    assert not LedgerEntry.objects.exists()


def test_the_first_day_of_the_fund_and_today_are_booked():
    _record(datetime.date(2017, 1, 1))
    _record(TODAY)
    assert fund_balance() == Decimal("200")


def test_a_reversal_dated_in_the_future_is_refused():
    entry = _record(TODAY)
    with pytest.raises(LedgerError, match="Regelen om bokføringsdato"):
        ledger_reverse(
            entry=entry, actor=None, reason="x", occurred_on=TODAY + datetime.timedelta(days=1)
        )
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("day", [TODAY + datetime.timedelta(days=1), datetime.date(2016, 12, 31)])
def test_a_payment_outside_the_bounds_is_refused_by_register_payment(day, ks_user):
    with pytest.raises(InvoicingError, match="Regelen om bokføringsdato"):
        register_payment(amount=Decimal("100"), paid_on=day, kid="000000017", actor=ks_user)
    assert not Payment.objects.exists()
