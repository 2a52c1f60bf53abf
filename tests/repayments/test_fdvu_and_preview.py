"""FDVU sharing (never the fund), the price preview, and repayments to contributors."""

import datetime
from decimal import Decimal

import pytest

from fund.models import LedgerEntry
from fund.services import ledger_record
from invoicing.models import Invoice
from invoicing.services import register_payment
from repayments import selectors, services
from repayments.models import FdvuKey, FdvuShare
from repayments.services import SolutionError
from tests.members.factories import MemberFactory
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    DIGIORDEN_FDVU,
    SolutionFactory,
    kommune,
    make_participant,
    published,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _users(solution, populations, actor):
    agreements = []
    for population in populations:
        member = kommune(population)
        make_participant(member, paid=True)
        agreements.append(
            services.access_request(
                solution=solution, member=member, accept_fdvu_terms=True, actor=actor
            ).agreement
        )
    return agreements


def test_digiorden_fdvu_tariff_shares_and_no_ledger_entry(ks_user):
    kommune(100)
    solution = SolutionFactory(
        fdvu_key=FdvuKey.TARIFF, fdvu_yearly_cost=None, fdvu_parameters=DIGIORDEN_FDVU
    )
    solution = published(
        solution, kind="size_class", parameters={"classes": DIGIORDEN_CLASSES}, actor=ks_user
    )
    _users(solution, [27_785, 5_084], ks_user)
    entries_before = LedgerEntry.objects.count()
    year = datetime.date.today().year
    period = services.fdvu_allocate(solution=solution, year=year, actor=ks_user)
    services.fdvu_invoice_request(period=period, actor=ks_user)
    amounts = sorted(FdvuShare.objects.values_list("amount", flat=True))
    assert amounts == [D("13626.00"), D("47678.00")]
    assert period.total_cost == D("61304.00")
    period.refresh_from_db()
    assert period.status == "invoiced"
    invoices = Invoice.objects.filter(kind="fdvu")
    assert sorted(i.lines.get().net_amount for i in invoices) == amounts
    for invoice in invoices:  # the users pay their FDVU invoices in full
        register_payment(
            amount=invoice.lines.get().net_amount,
            paid_on=datetime.date.today(),
            actor=ks_user,
            invoice=invoice,
        )
    assert LedgerEntry.objects.count() == entries_before  # FDVU never touches the fund


def test_fdvu_cost_is_split_by_inhabitants_to_the_krone(ks_user):
    kommune(100)
    solution = SolutionFactory(fdvu_key=FdvuKey.PER_INHABITANT, fdvu_yearly_cost=D("1000"))
    solution = published(solution, kind="flat", parameters={"amount": "10000"}, actor=ks_user)
    _users(solution, [27_785, 5_084, 6_193], ks_user)
    period = services.fdvu_allocate(
        solution=solution, year=datetime.date.today().year, actor=ks_user
    )
    by_population = dict(period.shares.values_list("population", "amount"))
    assert by_population == {27_785: D("711.00"), 5_084: D("130.00"), 6_193: D("159.00")}


def test_member_that_left_shares_this_year_but_not_the_next(ks_user):
    kommune(100)
    solution = SolutionFactory(fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("90000"))
    solution = published(solution, kind="flat", parameters={"amount": "10000"}, actor=ks_user)
    staying, leaving = _users(solution, [1_000, 2_000], ks_user)
    today = datetime.date.today()
    services.access_leave(agreement=leaving, left_on=today, actor=ks_user)
    this_year = services.fdvu_allocate(solution=solution, year=today.year, actor=ks_user)
    next_year = services.fdvu_allocate(solution=solution, year=today.year + 1, actor=ks_user)
    assert this_year.shares.count() == 2
    assert list(next_year.shares.values_list("member_id", "amount")) == [
        (staying.member_id, D("90000.00"))
    ]


def test_fdvu_for_a_year_without_users_is_refused(ks_user):
    kommune(100)
    solution = SolutionFactory()
    solution = published(solution, kind="flat", parameters={"amount": "10000"}, actor=ks_user)
    with pytest.raises(SolutionError, match="ingen brukere"):
        services.fdvu_allocate(solution=solution, year=2020, actor=ks_user)


def test_preview_shows_every_fee_and_totals_at_adoption_levels(ks_user):
    for population in (1_000, 6_000, 20_000, 30_000):
        make_participant(kommune(population), paid=True)
    no_figure = MemberFactory(name="Uten tall")
    make_participant(no_figure, paid=False)
    solution = SolutionFactory(development_cost=D("200000"), expected_adoption=D("50"))
    services.price_model_set(
        solution=solution,
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=ks_user,
    )
    preview = selectors.price_preview(solution=solution)
    assert [r["fee"] for r in preview.rows] == [D(25000), D(40000), D(60000), D(60000)]
    assert preview.missing == [no_figure]
    assert preview.sum_of_fees == D("185000")
    assert preview.totals == [
        (D("0.25"), D("46250.00")),
        (D("0.50"), D("92500.00")),
        (D("0.75"), D("138750.00")),
        (D("1.00"), D("185000.00")),
    ]
    assert preview.expected_recovery == D("92500.00")
    assert preview.expected_gap == D("107500.00")


def test_price_model_is_frozen_once_published(ks_user):
    kommune(100)
    solution = SolutionFactory()
    solution = published(solution, kind="flat", parameters={"amount": "10000"}, actor=ks_user)
    with pytest.raises(SolutionError, match="publisert"):
        services.price_model_set(
            solution=solution, kind="flat", parameters={"amount": "1"}, actor=ks_user
        )
    assert solution.price_model.parameters == {"amount": "10000.00"}


def _contributions():
    a, b = MemberFactory(name="A"), MemberFactory(name="B")
    for kind, source, amount, member in [
        ("state_grant", "kmd", "600000", None),
        ("ks_capital", "ks", "300000", None),
        ("member_share", "members", "70000", a),
        ("member_share", "members", "30000", b),
    ]:
        ledger_record(
            kind=kind,
            source=source,
            amount=D(amount),
            occurred_on=datetime.date(2018, 1, 1),
            description=source,
            member=member,
        )
    return a, b


def test_repayment_scenario_is_pro_rata_and_changes_nothing():
    a, b = _contributions()
    before = LedgerEntry.objects.count()
    scenario = selectors.repayment_scenario(amount=D("100000.01"))
    parts = {line.label: line.repayment for line in scenario.lines}
    assert parts == {
        "KMD (staten)": D("60000.01"),
        "KS": D("30000.00"),
        str(a): D("7000.00"),
        str(b): D("3000.00"),
    }
    assert sum(parts.values()) == D("100000.01")
    assert LedgerEntry.objects.count() == before


def test_confirmed_repayment_records_ledger_entries_once(ks_user):
    _contributions()
    scenario = selectors.repayment_scenario(amount=D("100000"))
    kwargs = {
        "amount": D("100000"),
        "occurred_on": datetime.date(2026, 12, 1),
        "reference": "KS styresak 1/26",
        "fingerprint": scenario.fingerprint,
        "actor": ks_user,
    }
    services.capital_repayment_confirm(**kwargs)
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CONTRIBUTOR_REPAYMENT)
    assert sorted(e.amount for e in entries) == [D(-60000), D(-30000), D(-7000), D(-3000)]
    assert sum(e.amount for e in entries) == D("-100000.00")
    assert entries.count() == 4
    with pytest.raises(SolutionError, match="endret seg"):
        services.capital_repayment_confirm(**kwargs)  # the same confirmation again
    assert entries.count() == 4
    again = selectors.repayment_scenario(amount=D("1000"))
    assert {line.label: line.repaid_before for line in again.lines}["KS"] == D("30000.00")


def test_repayment_with_stale_scenario_changes_nothing(ks_user):
    a, _b = _contributions()
    scenario = selectors.repayment_scenario(amount=D("50000"))
    ledger_record(
        kind="member_share",
        source="members",
        amount=D("1000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="late",
        member=a,
    )
    with pytest.raises(SolutionError, match="endret seg"):
        services.capital_repayment_confirm(
            amount=D("50000"),
            occurred_on=datetime.date(2026, 12, 1),
            reference="x",
            fingerprint=scenario.fingerprint,
            actor=ks_user,
        )
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CONTRIBUTOR_REPAYMENT).exists()


def test_member_created_after_last_figure_inherits_predecessors_population():
    from tests.members.factories import succession

    old_a, old_b = kommune(20_000), kommune(5_000)
    renumbered = MemberFactory()
    succession(old_a, renumbered)  # all of A
    succession(old_b, renumbered, fraction="0.5")  # half of B (a split)
    assert selectors.member_population(member=renumbered) == 22_500
    orphan = MemberFactory()
    assert selectors.member_population(member=orphan) is None
