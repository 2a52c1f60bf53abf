"""The benchmark's own machinery at a tiny scale: the data set is consistent and the page
measurement counts queries. The real figures come from `make bench` (docs/bench.md)."""

import io

import pytest
from django.db import connection
from django.test import Client

from bench import data, pages, run
from fund.models import LedgerEntry
from fund.selectors import fund_balance
from invoicing.models import Invoice
from members.models import Participation
from projects.models import PaymentRequest, Project, Proposal
from repayments.models import AccessAgreement, Solution


@pytest.fixture
def small(db):
    data.ensure_members(20)
    data.generate(start=0, stop=1)
    return data.ensure_users()


def test_scale_one_has_the_fund_shape_and_a_ledger_that_never_goes_negative(small):
    assert Proposal.objects.count() == data.PROPOSALS_PER_UNIT
    assert Project.objects.count() == data.PROJECTS_PER_UNIT
    assert Solution.objects.count() == data.SOLUTIONS_PER_UNIT
    assert Participation.objects.filter(status="paid").count() == 20
    assert Invoice.objects.filter(kind="member_share").count() == 20
    agreements = AccessAgreement.objects.count()
    assert Invoice.objects.filter(kind="access_fee").count() == agreements > 0
    assert not AccessAgreement.objects.filter(fee_invoice_id__isnull=True).exists()
    assert data.ledger_never_negative()
    assert fund_balance() > 0
    # every approved proposal has its project and the history that led there
    approved = Proposal.objects.filter(status="approved")
    assert approved.count() == Project.objects.count()
    assert all(p.transitions.count() == 4 for p in approved[:5])


def test_a_further_unit_multiplies_the_scaled_part_but_not_members_or_users(small):
    from accounts.models import User
    from members.models import Member

    before = (Member.objects.count(), User.objects.count(), LedgerEntry.objects.count())
    data.generate(start=1, stop=2)
    assert Proposal.objects.count() == 2 * data.PROPOSALS_PER_UNIT
    assert Solution.objects.count() == 2 * data.SOLUTIONS_PER_UNIT
    assert (Member.objects.count(), User.objects.count()) == before[:2]
    assert LedgerEntry.objects.count() > before[2]
    assert data.ledger_never_negative()
    # the council's meetings are not multiplied, the open meeting's cases are
    from projects.models import AgendaItem, CouncilMeeting

    assert CouncilMeeting.objects.count() == 10
    waiting = AgendaItem.objects.filter(meeting__closed_at__isnull=True)
    assert waiting.count() == 2 * data.QUEUED_PER_UNIT


def test_a_ledger_that_goes_negative_on_some_day_is_detected(db):
    import datetime
    from decimal import Decimal

    LedgerEntry.objects.create(
        kind="disbursement",
        source="projects",
        amount=Decimal("-1.00"),
        occurred_on=datetime.date(2018, 1, 1),
        description="for tidlig",
    )
    LedgerEntry.objects.create(
        kind="ks_capital",
        source="ks",
        amount=Decimal("100.00"),
        occurred_on=datetime.date(2018, 1, 2),
        description="kapital",
    )
    assert not data.ledger_never_negative()


def test_the_measurement_counts_every_query_of_the_request(small):
    client = Client()
    client.force_login(small["ks_staff"])
    url = "/admin/members/member/"  # not the ledger's: its sums are cached after one request
    # Warm, as measure() is: the first request also reads what is cached for the next ones
    # (the reconciliation banner's latest run, kept five minutes).
    client.get(url)
    status, counted = pages.count_queries(client, url)
    assert status == 200
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert counted == len(ctx.captured_queries) > 0
    figures = pages.measure(client, url, repeats=3, warmup=1)
    assert figures["queries"] == counted
    assert 0 < figures["median_ms"] <= figures["p95_ms"]


def test_percentile_is_nearest_rank():
    values = list(range(1, 21))
    assert pages.percentile(values, 95) == 19
    assert pages.percentile(values, 50) == 10
    assert pages.percentile([7.0], 95) == 7.0


def test_every_key_page_answers_its_role(small):
    results = pages.measure_pages(small, repeats=1, warmup=0)
    assert [r["page"] for r in results] == [p for p, _r, _u in pages.key_pages(small)]
    assert {r.get("status") for r in results} == {200}, results
    assert len(results) >= 19  # issue 22: at least 12 pages, the new ones included
    for page in ("member overview", "reconciliation", "payment requests", "benefits and adoption"):
        assert any(r["page"] == page for r in results), page


def test_every_disbursement_is_an_approved_payment_request(small):
    disbursements = LedgerEntry.objects.filter(kind="disbursement")
    approved = PaymentRequest.objects.filter(status="approved")
    assert approved.count() == disbursements.count() > 0
    assert set(approved.values_list("ledger_entry_id", flat=True)) == set(
        disbursements.values_list("pk", flat=True)
    )
    assert all(r.amount == -r.ledger_entry.amount for r in approved.select_related("ledger_entry"))
    assert PaymentRequest.objects.filter(status="submitted").exists()


def test_bench_data_reconciles_by_construction(small):
    """Every check of the nightly reconciliation passes on two units of bench data: payments
    behind every share and access-fee entry, commitments behind the capital, gapless numbers
    with their counters, grants within the applied amount, nothing dated after today."""
    from django.core.management import call_command

    from invoicing.models import InvoiceNumberCounter, Payment
    from overview import reconciliation

    data.generate(start=1, stop=2)
    failed = {o.name: o.rows[:5] for o in reconciliation.run_checks() if not o.ok}
    assert failed == {}
    paid = Invoice.objects.filter(kind__in=["member_share", "access_fee"], status="paid")
    assert Payment.objects.count() == paid.count() > 0
    assert InvoiceNumberCounter.objects.filter(series=data.SERIES).count() > 1  # one per year
    call_command("reconcile", stdout=io.StringIO())  # exit 1 would raise CommandError
    recorded = run.reconcile()  # what the bench writes to results.json per scale
    assert recorded["reconcile_ok"] is True
    assert recorded["reconcile_failed"] == {}
    assert set(recorded["reconcile_checks_s"]) == {c.name for c in reconciliation.CHECKS}


def _scale(scale, *, ok=True, seconds=1.0, forecast=40.0, defaults=60.0, pages=()):
    failed = {} if ok else {"payments": {"count": 3, "rows": ["Postering #1 …"]}}
    return {
        "scale": scale,
        "pages": list(pages),
        "reconcile_s": seconds,
        "reconcile_ok": ok,
        "reconcile_failed": failed,
        "computations": {"forecast_ms": forecast, "solution_defaults_ms": defaults},
    }


def _page(p95, queries=8):
    return {"page": "my proposals", "status": 200, "queries": queries, "p95_ms": p95}


def test_page_targets_are_issue_22s_queries_p95_and_growth():
    met = [_scale(1, pages=[_page(20.0)]), _scale(100, pages=[_page(30.0)])]
    assert run.misses({"scales": met}) == []
    grown = [_scale(1, pages=[_page(20.0)]), _scale(100, pages=[_page(31.0)])]
    assert run.misses({"scales": grown}) == [
        "my proposals: p95 20.0 ms at scale 1 → 31.0 ms at scale 100 (> 1.5×)"
    ]
    slow = [_scale(1, pages=[_page(40.0)]), _scale(100, pages=[_page(51.0)])]
    assert "my proposals at scale 100: p95 51.0 ms" in run.misses({"scales": slow})
    many = [_scale(1, pages=[_page(20.0, queries=13)])]
    assert run.misses({"scales": many}) == ["my proposals at scale 1: 13 queries (> 12)"]


def test_forecast_and_solution_defaults_count_at_scale_100_and_not_measured_is_a_miss():
    assert run.misses({"scales": [_scale(10, forecast=500.0)]}) == []
    assert run.misses({"scales": [_scale(100, forecast=101.0, defaults=99.0)]}) == [
        "forecast at scale 100: 101.0 ms (> 100 ms)"
    ]
    skipped = _scale(100, defaults=None)
    skipped["computations"]["solution_defaults_not_measured"] = "projected 90 s"
    assert run.misses({"scales": [skipped]}) == [
        "solution defaults at scale 100: not measured (projected 90 s)"
    ]


def test_a_pages_figures_are_the_medians_of_its_rounds():
    rounds = [
        {"status": 200, "queries": 9, "median_ms": 10.0, "p95_ms": 12.0, "samples": 20},
        {"status": 200, "queries": 9, "median_ms": 30.0, "p95_ms": 90.0, "samples": 20},
        {"status": 200, "queries": 9, "median_ms": 11.0, "p95_ms": 14.0, "samples": 20},
    ]
    out = pages._combined("my proposals", "municipal", "/x/", rounds)
    assert (out["p95_ms"], out["median_ms"], out["samples"]) == (14.0, 11.0, 60)
    assert out["p95_rounds"] == [12.0, 90.0, 14.0]
    rounds[1]["queries"] = 11  # a count that differs between rounds shows as the largest
    assert pages._combined("my proposals", "municipal", "/x/", rounds)["queries"] == 11


def test_the_batch_median_of_pairs_decides_and_the_groups_deal_every_member_once():
    from bench import batch

    dealt = batch.groups(list(range(10)), 3)
    assert dealt == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert sorted(sum(dealt, [])) == list(range(10))
    assert batch.groups([1], 3) == [[1]]
    noisy = {"ratio": 1.1, "pairs": 3, "ratios": [1.05, 1.1, 1.7]}
    assert run.misses({"scales": [_scale(1)], "batch": noisy}) == []
    slow = {"ratio": 1.2, "pairs": 3, "ratios": [1.2, 1.19, 1.3]}
    assert run.misses({"scales": [_scale(1)], "batch": slow}) == [
        "invoice batch: 1.2× the bare rendering (> 1.15×; median of 3 pairs [1.2, 1.19, 1.3])"
    ]


def test_a_failed_or_slow_reconciliation_is_a_missed_target():
    assert run.misses({"scales": [_scale(1), _scale(100, seconds=4.9)]}) == []
    assert run.misses({"scales": [_scale(1, ok=False)]}) == [
        "reconcile at scale 1: failed checks payments (3)"
    ]
    # slower than the target only counts at scale 100
    assert run.misses({"scales": [_scale(10, seconds=9.0)]}) == []
    assert run.misses({"scales": [_scale(100, seconds=5.2)]}) == [
        f"reconcile at scale 100: 5.2 s (> {run.MAX_RECONCILE_S} s)"
    ]
