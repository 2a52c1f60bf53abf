"""The demo loader: Digiorden at KS's prices, real services, and idempotent."""

import io
from decimal import Decimal

import pytest

from digifin.demo import ensure_demo_users
from fund.models import LedgerEntry
from members.models import Member
from repayments import demo, selectors
from repayments.models import AccessAgreement, FdvuKey, FdvuPeriod, Solution
from tests.repayments.factories import kommune, make_participant
from tests.repayments.factories import population as population_figure

pytestmark = pytest.mark.django_db


def test_demo_loads_solutions_agreements_and_fees_once():
    ensure_demo_users()
    for population in (3_000, 7_000, 15_000, 40_000):
        make_participant(kommune(population), paid=True)
    demo.load(stdout=io.StringIO())
    counts = (
        Solution.objects.count(),
        AccessAgreement.objects.count(),
        LedgerEntry.objects.filter(kind="access_fee").count(),
        FdvuPeriod.objects.count(),
    )
    demo.load(stdout=io.StringIO())
    assert (
        Solution.objects.count(),
        AccessAgreement.objects.count(),
        LedgerEntry.objects.filter(kind="access_fee").count(),
        FdvuPeriod.objects.count(),
    ) == counts
    digiorden = Solution.objects.get(name="Digiorden")
    agreements = list(digiorden.agreements.all())
    assert agreements
    for agreement in agreements:  # KS's real Digiorden prices
        population = agreement.population
        expected = 25_000 if population < 5_000 else 40_000 if population <= 10_000 else 60_000
        assert agreement.fee_amount == Decimal(expected)
    assert counts[2] > 0
    assert not Solution.objects.get(name="Fylkeskommunal tilskuddsportal").is_published


def test_demo_building_application_shares_fdvu_fairly():
    """Digital byggesøknad shares FDVU by inhabitants, not equally: Øyer (about 5 000
    inhabitants) pays far less than Oslo, not the same 225 000 kr."""
    ensure_demo_users()  # makes the demo users' organisations, Øyer (3440) among them
    oyer = Member.objects.get(kind="kommune", number="3440", valid_to__isnull=True)
    population_figure(oyer, 5_000)
    oslo = kommune(717_710, name="Oslo", number="0301")
    for member in (oslo, oyer):
        make_participant(member, paid=True)
    for population in (3_000, 7_000, 15_000, 40_000):
        make_participant(kommune(population), paid=True)
    demo.load(stdout=io.StringIO())
    solution = Solution.objects.get(name="Digital byggesøknad")
    assert solution.fdvu_key == FdvuKey.PER_INHABITANT
    assert solution.fdvu_key != FdvuKey.EQUAL
    oyer_part = selectors.fdvu_part(solution=solution, member=oyer)
    oslo_part = selectors.fdvu_part(solution=solution, member=oslo)
    assert oyer_part.amount < oslo_part.amount
    assert oyer_part.amount * 50 < oslo_part.amount  # "far less": by inhabitants, ~1/140
    # Every demo agreement recorded the part its member accepted.
    assert not AccessAgreement.objects.filter(fdvu_amount_accepted__isnull=True).exists()


def test_demo_moves_an_equal_split_loaded_earlier_to_the_fair_key():
    ensure_demo_users()
    for population in (3_000, 7_000, 15_000, 40_000):
        make_participant(kommune(population), paid=True)
    demo.load(stdout=io.StringIO())
    solution = Solution.objects.get(name="Digital byggesøknad")
    Solution.objects.filter(pk=solution.pk).update(fdvu_key=FdvuKey.EQUAL)
    FdvuPeriod.objects.filter(solution=solution).update(key=FdvuKey.EQUAL)
    demo.load(stdout=io.StringIO())
    solution.refresh_from_db()
    assert solution.fdvu_key == FdvuKey.PER_INHABITANT
    assert set(FdvuPeriod.objects.filter(solution=solution).values_list("key", flat=True)) <= {
        FdvuKey.PER_INHABITANT
    }
