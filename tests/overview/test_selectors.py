"""The overview's figures equal sums taken straight from the ledger (in Python, row by row)."""

from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.models import CapitalSource, LedgerEntry
from overview import selectors


def _ledger_sum(**match):
    return sum(
        (
            e.amount
            for e in LedgerEntry.objects.all()
            if all(getattr(e, k) == v for k, v in match.items())
        ),
        D("0"),
    )


def test_paid_by_source_equals_ledger_sums(fund):
    ov = selectors.fund_overview()
    paid = {s.source: s.paid for s in ov.sources}
    assert paid[CapitalSource.KMD] == _ledger_sum(source="kmd") == D("25000000")
    assert paid[CapitalSource.KS] == _ledger_sum(source="ks") == D("10000000")
    assert paid[CapitalSource.MEMBERS] == _ledger_sum(source="members") == D("6305700")


def test_balance_disbursed_and_recovered_equal_ledger_sums(fund):
    ov = selectors.fund_overview()
    assert ov.balance == _ledger_sum()
    # The reversed 999 kr disbursement does not count.
    assert ov.disbursed == -_ledger_sum(source="projects") == D("4200000.50")
    assert ov.recovered == _ledger_sum(source="access_fees") == D("55570")
    assert ov.total_paid_in == D("41305700")


def test_committed_by_source_counts_ceiling_and_invoiced_shares(fund):
    ov = selectors.fund_overview()
    committed = {s.source: s.committed for s in ov.sources}
    assert committed["kmd"] == D("125000000")
    assert committed["ks"] == D("40000000")
    assert committed["members"] == D("555700") + D("101680") + D("5700000")


def test_matching_is_members_paid_over_kmd_paid(fund):
    ov = selectors.fund_overview()
    assert ov.matching.ratio == (D("6305700") / D("25000000")).quantize(D("0.0001"))
    assert ov.matching.percent == D("25.2")


def test_participants_and_population_share(fund):
    ov = selectors.fund_overview()
    assert ov.participants["count"] == 3
    assert ov.participants["paid"] == 2  # Øyer has paid only part of its share
    assert ov.participants["population_covered"] == 28000 + 5000 + 290000
    assert ov.participants["population_total"] == 28000 + 5000 + 290000 + 7000
    by_fylke = {r["fylke"]: r for r in ov.by_fylke}
    assert by_fylke["Oppland"]["participating"] == 2
    assert by_fylke["Oppland"]["paid"] == 1
    assert by_fylke["Hordaland"]["kommuner"] == 2
    assert by_fylke["Hordaland"]["participating"] == 1


def test_timeline_per_year_adds_up_to_the_balance(fund):
    years = selectors.fund_overview().timeline["years"]
    by_year = {y["year"]: y for y in years}
    assert by_year[2017]["in"] == D("25000000")
    assert by_year[2019]["out"] == D("3000000")  # 3 M, and 999 reversed within the year
    assert by_year[2021]["back"] == D("55570")
    assert years[-1]["capital"] == _ledger_sum()
    for y in years:
        assert y["capital"] == sum(
            (e.amount for e in LedgerEntry.objects.all() if e.occurred_on.year <= y["year"]), D("0")
        )


def test_recovery_per_project_from_ledger(fund):
    rows = {r["project_ref"]: r for r in selectors.fund_overview().recovery}
    assert rows[1]["disbursed"] == D("3000000")
    assert rows[1]["recovered"] == D("55570")
    assert rows[2]["disbursed"] == D("1200000.50")
    assert rows[2]["recovered"] == D("0")


def test_overview_is_a_handful_of_queries_at_any_scale(fund, ks_user):
    from fund.services import ledger_record

    with CaptureQueriesContext(connection) as small:
        selectors.fund_overview()
    import datetime

    for i in range(60):
        ledger_record(
            kind=LedgerEntry.Kind.ACCESS_FEE,
            source=CapitalSource.ACCESS_FEES,
            amount=D("100"),
            occurred_on=datetime.date(2018 + i % 8, 1, 1),
            description="x",
            project_ref=10 + i,
            solution_ref=i,
        )
    with CaptureQueriesContext(connection) as large:
        selectors.fund_overview()
    # The content type of projects' grants is cached after the first call: at most one less.
    assert len(small) - 1 <= len(large) <= len(small)
    assert len(large) <= 12  # + the members' named commitments (issue 16)


def test_coverage_uses_the_recorded_contribution_basis_before_later_figures(fund):
    from members.models import ContributionBasis

    ContributionBasis.objects.create(
        member=fund["lillehammer"], population=27785, period="2017K2", source="SSB 01222"
    )
    summary = selectors.participation_summary()
    assert summary["population_covered"] == 27785 + 5000 + 290000
