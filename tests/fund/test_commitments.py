"""Capital commitments are separate from payments; the matching condition as a figure."""

import datetime
from decimal import Decimal

import pytest

from fund.models import CapitalCommitment, CapitalSource, LedgerEntry
from fund.selectors import commitments_by_source, matching_condition, member_pledges
from fund.services import LedgerError, commitment_record, ledger_record, ledger_reverse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2018, 6, 20)


def _pay(kind, source, amount):
    return ledger_record(
        kind=kind, source=source, amount=Decimal(amount), occurred_on=DAY, description="x"
    )


def test_commitment_is_not_a_payment():
    commitment_record(source="kmd", year=2017, amount=Decimal("25000000"), actor=None)
    commitment_record(source="kmd", year=2018, amount=Decimal("100000000"), actor=None)
    _pay(LedgerEntry.Kind.STATE_GRANT, CapitalSource.KMD, "25000000")
    assert LedgerEntry.objects.count() == 1
    assert commitments_by_source() == {"kmd": (Decimal("125000000"), False)}
    assert matching_condition().kmd_committed == Decimal("125000000")
    assert matching_condition().kmd_paid == Decimal("25000000")


def test_commitment_record_is_idempotent_and_validates():
    first = commitment_record(
        source="ks",
        year=2017,
        amount=Decimal("40000000"),
        is_ceiling=True,
        reference="17/14",
        actor=None,
    )
    again = commitment_record(
        source="ks", year=2017, amount=Decimal("40000000"), reference="17/14", actor=None
    )
    assert first == again and CapitalCommitment.objects.count() == 1
    with pytest.raises(LedgerError):
        commitment_record(source="ks", year=2017, amount=Decimal("0"), actor=None)
    with pytest.raises(LedgerError):
        commitment_record(source="nobody", year=2017, amount=Decimal("1"), actor=None)


def test_matching_condition_compares_member_payments_with_kmd():
    _pay(LedgerEntry.Kind.STATE_GRANT, CapitalSource.KMD, "125000000")
    _pay(LedgerEntry.Kind.MEMBER_SHARE, CapitalSource.MEMBERS, "110000000")
    _pay(LedgerEntry.Kind.KS_CAPITAL, CapitalSource.KS, "35000000")
    figure = matching_condition()
    assert figure.ratio == Decimal("0.8800")
    assert figure.percent == Decimal("88.0")
    assert figure.ks_paid == Decimal("35000000")  # shown apart, not counted (the decision)
    assert not figure.is_met
    assert figure.shortfall == Decimal("15000000")
    _pay(LedgerEntry.Kind.MEMBER_SHARE, CapitalSource.MEMBERS, "15000000")
    assert matching_condition().is_met


def test_matching_condition_counts_reversals_and_ignores_outflows():
    _pay(LedgerEntry.Kind.STATE_GRANT, CapitalSource.KMD, "100")
    wrong = _pay(LedgerEntry.Kind.MEMBER_SHARE, CapitalSource.MEMBERS, "100")
    ledger_reverse(entry=wrong, actor=None, reason="feil medlem")
    _pay(LedgerEntry.Kind.DISBURSEMENT, CapitalSource.PROJECTS, "50")
    figure = matching_condition()
    assert figure.municipal_paid == 0 and figure.kmd_paid == Decimal("100")
    assert figure.ratio == 0


def test_matching_condition_without_state_money_has_no_ratio():
    assert matching_condition().ratio is None
    assert not matching_condition().is_met


def test_the_cities_commitment_names_them_is_fulfilled_by_their_shares_and_not_counted_twice():
    from tests.members.factories import Member2017Factory

    oslo, bergen, other = (
        Member2017Factory(number=n, name=name)
        for n, name in (("0301", "Oslo"), ("1201", "Bergen"), ("0501", "Lillehammer"))
    )
    commitment_record(
        source=CapitalSource.MEMBERS,
        year=2017,
        amount=Decimal("35000000"),
        reference="brev 2. juni 2017",
        members=[oslo, bergen],
        actor=None,
    )
    commitment_record(source="kmd", year=2017, amount=Decimal("25000000"), actor=None)
    for member, amount in ((oslo, "16668975"), (bergen, "5571120"), (other, "555700")):
        ledger_record(
            kind=LedgerEntry.Kind.MEMBER_SHARE,
            source=CapitalSource.MEMBERS,
            amount=Decimal(amount),
            occurred_on=DAY,
            description="Andel",
            member=member,
        )
    (pledge,) = member_pledges()
    assert [m.number for m in pledge.members] == ["0301", "1201"]
    assert pledge.promised == Decimal("35000000")
    assert pledge.paid == Decimal("16668975") + Decimal("5571120")  # not Lillehammer's
    # the members' commitment is not capital on top of their shares
    assert "members" not in commitments_by_source()
    with pytest.raises(LedgerError):
        commitment_record(source="kmd", year=2019, amount=Decimal("1"), members=[oslo], actor=None)
