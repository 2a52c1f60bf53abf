"""Shares: rates as data, the seeds' worked examples, freezing, merges and splits."""

import datetime
from decimal import Decimal

import pytest

from members.models import ContributionRate, Member, Participation
from members.selectors import current_member, effective_participation, member_share
from members.services import (
    participation_confirm,
    participation_for_member,
    participation_mark_invoiced,
    participation_register_payment,
)
from tests.members.factories import Member2017Factory, MemberFactory, basis, succession

pytestmark = pytest.mark.django_db
D = datetime.date(2017, 11, 1)


def _confirmed(member, actor=None):
    participation = Participation.objects.create(
        member=member, invited_on=datetime.date(2017, 9, 1)
    )
    return participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 10, 19),
        decision_reference="K-sak 1/17",
        fakturareferanse="12345",
        contact_name="Kari",
        contact_email="kari@example.no",
        actor=actor,
    )


def _paid(member, amount=None):
    participation = _confirmed(member)
    share = member_share(member=member)
    participation_mark_invoiced(
        participation=participation, amount=share, invoiced_on=D, actor=None
    )
    return participation_register_payment(
        participation=participation, amount=amount or share, paid_on=D, actor=None
    )


@pytest.mark.parametrize(
    ("population", "share"), [(27785, "555700"), (6193, "123860"), (5084, "101680")]
)
def test_worked_examples_of_the_seeds_come_out_exactly(population, share):
    member = Member2017Factory()
    basis(member, population)
    assert member_share(member=member) == Decimal(share)


def test_fylkeskommune_pays_five_kroner_per_inhabitant():
    fylke = Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, number="05")
    basis(fylke, 189479)
    assert member_share(member=fylke) == Decimal("947395")


def test_rates_are_data_a_new_rate_changes_the_share():
    ContributionRate.objects.filter(kind="kommune").update(per_inhabitant=Decimal("20.50"))
    member = Member2017Factory()
    basis(member, 1001)
    # 20.50 × 1001 = 20520.50 → half up to whole kroner
    assert member_share(member=member) == Decimal("20521")


def test_member_without_basis_has_no_share():
    assert member_share(member=MemberFactory()) == Decimal("0")


def test_invoiced_share_is_frozen_when_the_basis_changes():
    member = Member2017Factory()
    b = basis(member, 5084)
    participation = _confirmed(member)
    participation_mark_invoiced(
        participation=participation, amount=Decimal("101680"), invoiced_on=D, actor=None
    )
    b.population = 9999
    b.save()
    assert member_share(member=member) == Decimal("101680")


def test_oslo_fylke_is_billed_with_the_kommune_at_both_rates():
    kommune = Member2017Factory(number="0301", name="Oslo")
    fylke = Member2017Factory(
        kind=Member.Kind.FYLKESKOMMUNE, number="03", name="Oslo", billed_with=kommune
    )
    basis(kommune, 666759)
    basis(fylke, 666759)
    assert member_share(member=kommune) == Decimal(666759 * 25)
    assert member_share(member=fylke) == Decimal("0")
    _paid(kommune)
    effective = effective_participation(member=fylke)
    assert effective.has_paid_share
    assert effective.share_amount == 0


def test_merged_successor_inherits_participation_and_payments():
    lillehammer_2017 = Member2017Factory(number="0501")
    basis(lillehammer_2017, 27785)
    _paid(lillehammer_2017)
    lillehammer = MemberFactory(number="3405")
    succession(lillehammer_2017, lillehammer)
    effective = effective_participation(member=lillehammer)
    assert effective.is_participant
    assert effective.has_paid_share
    assert effective.status == Participation.Status.PAID
    assert effective.share_amount == Decimal("555700")
    assert effective.paid_amount == Decimal("555700.00")
    assert effective.owed_amount == 0
    assert effective.basis_population == 27785
    assert effective.basis_period == "2017K2"
    assert [p.member for p in effective.participations] == [lillehammer_2017]


def test_successor_owes_the_part_of_predecessors_that_had_not_paid():
    moss, rygge = Member2017Factory(), Member2017Factory()
    basis(moss, 32407)
    basis(rygge, 15430)
    _paid(moss)
    Participation.objects.create(member=rygge, status=Participation.Status.DECLINED)
    new_moss = MemberFactory()
    succession(moss, new_moss)
    succession(rygge, new_moss)
    effective = effective_participation(member=new_moss)
    assert effective.share_amount == Decimal((32407 + 15430) * 20)
    assert effective.owed_amount == Decimal(15430 * 20)
    assert effective.is_participant and not effective.has_paid_share
    assert effective.status == Participation.Status.CONFIRMED
    assert effective.basis_population == 32407 + 15430

    # The owed part is invoiced to the successor and paid: then its share is fully paid.
    own = participation_for_member(member=new_moss, actor=None)
    assert own.status == Participation.Status.CONFIRMED
    participation_mark_invoiced(
        participation=own, amount=effective.owed_amount, invoiced_on=D, actor=None
    )
    assert effective_participation(member=new_moss).status == Participation.Status.INVOICED
    participation_register_payment(
        participation=own, amount=effective.owed_amount, paid_on=D, actor=None
    )
    after = effective_participation(member=new_moss)
    assert after.has_paid_share and after.owed_amount == 0


def test_successor_of_non_participants_is_not_a_participant_until_it_confirms():
    old = Member2017Factory()
    basis(old, 1000)
    Participation.objects.create(member=old, status=Participation.Status.INVITED)
    new = MemberFactory()
    succession(old, new)
    effective = effective_participation(member=new)
    assert not effective.is_participant
    assert effective.status == Participation.Status.INVITED
    own = participation_for_member(member=new, actor=None)
    assert own.status == Participation.Status.INVITED
    participation_confirm(
        participation=own,
        decided_on=D,
        decision_reference="sak",
        fakturareferanse="ref",
        contact_name="",
        contact_email="",
        actor=None,
    )
    assert effective_participation(member=new).is_participant


def test_split_divides_share_and_payments_by_population_part():
    tysfjord = Member2017Factory()
    basis(tysfjord, 1999)
    _paid(tysfjord)  # 39 980
    narvik, hamaroy = MemberFactory(), MemberFactory()
    succession(tysfjord, narvik, fraction="0.5200")
    succession(tysfjord, hamaroy, fraction="0.4800")
    n = effective_participation(member=narvik)
    h = effective_participation(member=hamaroy)
    assert n.share_amount == Decimal("20790")  # 39980 × 0.52 = 20789.6 → 20790
    assert h.share_amount == Decimal("19190")  # 39980 × 0.48 = 19190.4 → 19190
    assert n.has_paid_share and h.has_paid_share


def test_chain_2017_2020_2024_reaches_the_2017_basis():
    old = Member2017Factory()
    basis(old, 5084)
    mid = MemberFactory(valid_to=datetime.date(2023, 12, 31))
    new = MemberFactory(valid_from=datetime.date(2024, 1, 1))
    succession(old, mid)
    succession(mid, new, changed_on=datetime.date(2024, 1, 1))
    assert member_share(member=new) == Decimal("101680")


def test_partial_payment_leaves_share_owed():
    member = Member2017Factory()
    basis(member, 6193)
    _paid(member, amount=Decimal("100000"))
    effective = effective_participation(member=member)
    assert effective.status == Participation.Status.INVOICED
    assert effective.owed_amount == Decimal("23860.00")
    assert effective.is_participant and not effective.has_paid_share


def test_current_member_is_the_one_valid_today():
    MemberFactory(number="3405", valid_to=datetime.date(2023, 12, 31))
    today = MemberFactory(number="3405", valid_from=datetime.date(2024, 1, 1))
    assert current_member(kind="kommune", number="3405") == today
    assert current_member(kind="kommune", number="0000") is None


def test_never_invited_member_has_no_status():
    effective = effective_participation(member=MemberFactory())
    assert effective.status is None and not effective.is_participant
