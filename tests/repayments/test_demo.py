"""The demo loader: Digiorden at KS's prices, real services, and idempotent."""

import io
from decimal import Decimal

import pytest

from digifin.demo import ensure_demo_users
from fund.models import LedgerEntry
from repayments import demo
from repayments.models import AccessAgreement, FdvuPeriod, Solution
from tests.repayments.factories import kommune, make_participant

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
