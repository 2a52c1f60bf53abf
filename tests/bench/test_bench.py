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
from projects.models import Project, Proposal
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


def _scale(scale, *, ok=True, seconds=1.0):
    failed = {} if ok else {"payments": {"count": 3, "rows": ["Postering #1 …"]}}
    return {
        "scale": scale,
        "pages": [],
        "reconcile_s": seconds,
        "reconcile_ok": ok,
        "reconcile_failed": failed,
    }


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
