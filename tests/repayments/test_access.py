"""Access to a solution (figure 4): the three cases, the fee, its payment into the fund."""

import datetime
from decimal import Decimal

import pytest

from fund.models import LedgerEntry
from invoicing.models import Invoice
from members.models import Participation
from repayments import selectors, services
from repayments.models import AccessAgreement
from repayments.services import AccessError, Outcome
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    project,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def digiorden(ks_user):
    kommune(2_000, name="Eksisterende kommune")
    solution = SolutionFactory(name="Digiorden", project=project(actor=ks_user))
    return published(
        solution, kind="size_class", parameters={"classes": DIGIORDEN_CLASSES}, actor=ks_user
    )


def test_paid_up_participant_gets_access_and_fee_for_its_size(digiorden, municipal_user):
    member = kommune(5_084)
    make_participant(member, paid=True)
    decision = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=municipal_user
    )
    assert decision.outcome == Outcome.GRANTED
    agreement = decision.agreement
    assert agreement.status == AccessAgreement.Status.ACTIVE
    assert agreement.fee_amount == Decimal("40000.00")
    assert agreement.population == 5_084
    assert agreement.fdvu_terms_accepted == digiorden.fdvu_terms
    assert agreement.fee_status == AccessAgreement.FeeStatus.INVOICED
    invoice = Invoice.objects.get(pk=agreement.fee_invoice_id)
    assert (invoice.kind, invoice.source_key) == ("access_fee", f"access:{agreement.pk}")
    assert invoice.buyer == member
    assert invoice.lines.get().net_amount == Decimal("40000.00")


def test_fee_waits_as_ready_to_invoice_when_member_has_no_invoice_reference(digiorden, ks_user):
    member = kommune(5_084)
    participation = make_participant(member, paid=True)
    Participation.objects.filter(pk=participation.pk).update(fakturareferanse="")
    agreement = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement
    assert agreement.status == AccessAgreement.Status.ACTIVE
    assert agreement.fee_status == AccessAgreement.FeeStatus.PENDING_INVOICE
    assert not Invoice.objects.exists()
    assert agreement.events.filter(action="fee_invoice_failed").exists()


def test_paying_the_access_fee_invoice_books_the_ledger_entry_once(digiorden, ks_user):
    from invoicing.services import register_payment

    member = kommune(27_785)
    make_participant(member, paid=True)
    agreement = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement
    invoice = Invoice.objects.get(pk=agreement.fee_invoice_id)
    payment = register_payment(
        amount=Decimal("60000"),
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        invoice=invoice,
        external_ref="bank-1",
    )
    register_payment(
        amount=Decimal("60000"),
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        invoice=invoice,
        external_ref="bank-1",
    )
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.ACCESS_FEE)
    assert entry.idempotency_key == f"invoicing-payment:{payment.pk}"
    assert (entry.amount, entry.solution_ref, entry.member) == (
        Decimal("60000.00"),
        digiorden.pk,
        member,
    )
    agreement.refresh_from_db()
    assert agreement.fee_status == AccessAgreement.FeeStatus.PAID


def test_participant_without_paid_share_waits_and_is_told_what_it_owes(digiorden, ks_user):
    member = kommune(3_000)
    make_participant(member, paid=False, share_population=3_000)
    decision = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    assert decision.outcome == Outcome.WAITING_FOR_SHARE
    assert decision.owed_amount == Decimal("60000.00")
    assert decision.agreement.status == AccessAgreement.Status.WAITING_FOR_SHARE
    assert decision.agreement.fee_amount is None
    assert decision.agreement.fee_status == AccessAgreement.FeeStatus.NOT_DUE


def test_waiting_request_is_granted_once_the_share_is_paid(digiorden, ks_user):
    from members import services as ms

    member = kommune(3_000)
    participation = make_participant(member, paid=False, share_population=3_000)
    services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    ms.participation_register_payment(
        participation=participation,
        amount=Decimal("60000"),
        paid_on=datetime.date(2026, 2, 1),
        actor=ks_user,
    )
    [decision] = services.access_resume_for_member(member=member, actor=ks_user)
    assert decision.outcome == Outcome.GRANTED
    assert decision.agreement.fee_amount == Decimal("25000.00")
    assert AccessAgreement.objects.get().status == AccessAgreement.Status.ACTIVE


def test_non_participant_is_refused_and_nothing_is_stored(digiorden, ks_user):
    member = kommune(3_000)
    decision = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    assert decision.outcome == Outcome.NOT_PARTICIPANT
    assert AccessAgreement.objects.count() == 0


def test_request_without_accepting_fdvu_terms_is_refused(digiorden, ks_user):
    member = kommune(3_000)
    make_participant(member, paid=True)
    with pytest.raises(AccessError, match="godta vilkårene"):
        services.access_request(
            solution=digiorden, member=member, accept_fdvu_terms=False, actor=ks_user
        )
    assert AccessAgreement.objects.count() == 0


def test_unpublished_solution_cannot_be_requested(ks_user):
    solution = SolutionFactory()
    member = kommune(3_000)
    make_participant(member, paid=True)
    with pytest.raises(AccessError, match="ikke tilgjengelig"):
        services.access_request(
            solution=solution, member=member, accept_fdvu_terms=True, actor=ks_user
        )


def test_second_request_returns_the_same_agreement_and_invoices_once(digiorden, ks_user):
    member = kommune(12_000)
    make_participant(member, paid=True)
    first = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    second = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    assert second.outcome == Outcome.ALREADY
    assert second.agreement.pk == first.agreement.pk
    assert first.agreement.events.filter(action="fee_invoice_requested").count() == 1
    assert Invoice.objects.filter(kind="access_fee").count() == 1


def _granted(digiorden, population, actor):
    member = kommune(population)
    make_participant(member, paid=True)
    return services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=actor
    ).agreement


def test_paid_fee_returns_capital_to_the_fund_attributed_to_solution_and_project(
    digiorden, ks_user
):
    agreement = _granted(digiorden, 27_785, ks_user)
    entry = services.access_fee_paid(
        agreement=agreement,
        amount=Decimal("60000"),
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        idempotency_key="invoice-1",
    )
    assert entry.kind == LedgerEntry.Kind.ACCESS_FEE
    assert entry.source == "access_fees"
    assert entry.amount == Decimal("60000.00")
    assert (entry.solution_ref, entry.project_ref) == (digiorden.pk, digiorden.project_id)
    assert entry.subject == agreement
    agreement.refresh_from_db()
    assert agreement.fee_status == AccessAgreement.FeeStatus.PAID
    recovery = selectors.solution_recovery(solution=digiorden)
    assert (recovery.recovered, recovery.gap) == (Decimal("60000.00"), Decimal("940000.00"))


def test_fee_payment_retried_with_same_key_books_once(digiorden, ks_user):
    agreement = _granted(digiorden, 27_785, ks_user)
    for _ in range(2):
        services.access_fee_paid(
            agreement=agreement,
            amount=Decimal("60000"),
            paid_on=datetime.date(2026, 3, 1),
            actor=ks_user,
            idempotency_key="invoice-1",
        )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ACCESS_FEE).count() == 1


def test_fee_payment_above_outstanding_is_refused(digiorden, ks_user):
    agreement = _granted(digiorden, 1_000, ks_user)
    with pytest.raises(AccessError, match="utestående"):
        services.access_fee_paid(
            agreement=agreement,
            amount=Decimal("25000.01"),
            paid_on=datetime.date(2026, 3, 1),
            actor=ks_user,
            idempotency_key="x",
        )
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ACCESS_FEE).exists()


def test_leaving_does_not_refund_but_ks_refund_reduces_recovery(digiorden, ks_user):
    agreement = _granted(digiorden, 1_000, ks_user)
    services.access_fee_paid(
        agreement=agreement,
        amount=Decimal("25000"),
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        idempotency_key="inv-2",
    )
    services.access_leave(agreement=agreement, left_on=datetime.date.today(), actor=ks_user)
    assert selectors.recovered(solution=digiorden) == Decimal("25000.00")
    services.access_fee_refund(
        agreement=agreement,
        amount=Decimal("10000"),
        refunded_on=datetime.date(2026, 7, 1),
        reason="Avtalt ved utmelding",
        actor=ks_user,
    )
    assert selectors.recovered(solution=digiorden) == Decimal("15000.00")
    refund = LedgerEntry.objects.get(kind=LedgerEntry.Kind.ACCESS_FEE_REFUND)
    assert refund.amount == Decimal("-10000.00")


def test_development_cost_comes_from_project_disbursements_when_there_are_any(digiorden, ks_user):
    from fund.services import ledger_record

    ledger_record(
        kind="ks_capital",
        source="ks",
        amount=Decimal("5000000"),
        occurred_on=datetime.date(2025, 1, 1),
        description="KS",
    )
    assert selectors.development_cost(solution=digiorden) == Decimal("1000000.00")  # entered
    ledger_record(
        kind="disbursement",
        source="projects",
        amount=Decimal("2400000"),
        occurred_on=datetime.date(2025, 6, 1),
        description="Utbetaling Digiorden",
        project_ref=digiorden.project_id,
    )
    assert selectors.development_cost(solution=digiorden) == Decimal("2400000.00")
    [recovery] = selectors.project_recovery(project_id=digiorden.project_id)
    assert (recovery.development_cost, recovery.gap) == (
        Decimal("2400000.00"),
        Decimal("2400000.00"),
    )


def test_recovery_by_year_groups_fees_per_solution_and_year(digiorden, ks_user):
    a = _granted(digiorden, 1_000, ks_user)
    b = _granted(digiorden, 20_000, ks_user)
    services.access_fee_paid(
        agreement=a,
        amount=Decimal("25000"),
        paid_on=datetime.date(2025, 3, 1),
        actor=ks_user,
        idempotency_key="a",
    )
    services.access_fee_paid(
        agreement=b,
        amount=Decimal("60000"),
        paid_on=datetime.date(2026, 1, 10),  # money is booked on a day that has been
        actor=ks_user,
        idempotency_key="b",
    )
    years, rows = selectors.recovery_by_year()
    assert years == [2025, 2026]
    [row] = [r for r in rows if r["solution"] == digiorden]
    assert row["years"] == [Decimal("25000.00"), Decimal("60000.00")]
    assert row["total"] == Decimal("85000.00")


def test_paying_the_share_invoice_grants_the_waiting_request(digiorden, ks_user):
    from invoicing.services import register_payment
    from members import services as ms
    from members.invoicing import share_invoice_issue
    from tests.members.factories import basis

    member = kommune(3_000)
    basis(member, 3_000)
    participation = ms.participation_confirm(
        participation=Participation.objects.create(member=member),
        decided_on=datetime.date(2026, 1, 5),
        decision_reference="Kst-sak 4/26",
        fakturareferanse="4711",
        contact_name="Kari",
        contact_email="kari@example.no",
        actor=ks_user,
    )
    waiting = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    )
    assert waiting.outcome == Outcome.WAITING_FOR_SHARE
    share_invoice = share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 2, 1), actor=ks_user
    )
    register_payment(
        amount=share_invoice.lines.get().net_amount,
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        invoice=share_invoice,
    )
    agreement = AccessAgreement.objects.get(member=member)
    assert agreement.status == AccessAgreement.Status.ACTIVE
    assert agreement.fee_amount == Decimal("25000.00")
    assert Invoice.objects.filter(kind="access_fee", buyer=member).count() == 1
