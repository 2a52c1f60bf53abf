"""Share invoices (members.invoicing): the share rules, and crediting a member's share invoice
in full before payment confirms the participation again, so a corrected share (for example
after a population correction) can be invoiced anew. Moved here from tests/invoicing with the
share rules."""

import datetime
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from invoicing.services import (
    InvoiceLineSpec,
    InvoicingError,
    invoice_credit,
    register_payment,
)
from members.invoicing import share_invoice_issue
from members.models import ContributionBasis, Participation, ParticipationEvent
from tests.invoicing.factories import confirmed_participation, member_with_address

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def invoiced(ks_user):
    from tests.members.factories import basis

    participation = confirmed_participation(actor=ks_user)
    basis(participation.member, 27785)
    invoice = share_invoice_issue(participation=participation, issued_on=DAY, actor=ks_user)
    return participation, invoice


def test_full_credit_reopens_the_participation_and_a_corrected_share_is_invoiced(ks_user, invoiced):

    participation, first = invoiced
    invoice_credit(invoice=first, actor=ks_user, reason="Feil innbyggertall")
    participation = Participation.objects.get(pk=participation.pk)
    assert participation.status == Participation.Status.CONFIRMED
    assert participation.share_amount is None and participation.invoiced_on is None
    event = ParticipationEvent.objects.filter(participation=participation).latest("pk")
    assert event.actor == ks_user and first.number in event.note

    # the population is corrected (as a population import with "replace basis" does)
    ContributionBasis.objects.filter(member=participation.member).update(population=27781)
    second = share_invoice_issue(participation=participation, issued_on=DAY, actor=ks_user)
    assert second.pk != first.pk
    assert second.total == Decimal("555620.00")
    assert second.source_key == f"share:{participation.pk}:2"
    participation = Participation.objects.get(pk=participation.pk)
    assert participation.status == Participation.Status.INVOICED
    assert participation.share_amount == Decimal("555620.00")
    # idempotent again: the invoice that stands is the answer
    assert share_invoice_issue(participation=participation, issued_on=DAY, actor=ks_user) == second


def test_a_partial_credit_leaves_the_participation_invoiced(ks_user, invoiced):
    participation, invoice = invoiced
    invoice_credit(
        invoice=invoice,
        actor=ks_user,
        reason="Avrunding",
        lines=[InvoiceLineSpec(description="Avrunding", unit_price=Decimal("100"))],
    )
    participation = Participation.objects.get(pk=participation.pk)
    assert participation.status == Participation.Status.INVOICED
    assert share_invoice_issue(participation=participation, issued_on=DAY, actor=ks_user) == invoice


def test_a_paid_share_stays_paid_when_credited(ks_user, invoiced):
    participation, invoice = invoiced
    register_payment(invoice=invoice, amount=invoice.total, paid_on=DAY, actor=ks_user)
    participation = Participation.objects.get(pk=participation.pk)
    assert participation.status == Participation.Status.PAID
    invoice_credit(invoice=invoice, actor=ks_user, reason="Tilbakebetales")
    participation = Participation.objects.get(pk=participation.pk)
    assert participation.status == Participation.Status.PAID
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.CREDITED


def test_share_invoice_uses_the_recorded_basis_and_freezes_it(ks_user):
    from tests.members.factories import basis

    participation = confirmed_participation(actor=ks_user)
    basis(participation.member, 27785)  # Lillehammer 2017K2: 27 785 × 20 kr
    invoice = share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 11, 2), actor=ks_user
    )
    participation = Participation.objects.get(pk=participation.pk)
    assert invoice.total == Decimal("555700.00")
    assert invoice.fakturareferanse == "4100-DIGI"
    assert invoice.kind == Invoice.Kind.MEMBER_SHARE
    assert participation.status == Participation.Status.INVOICED
    assert participation.share_amount == Decimal("555700.00")
    again = share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 11, 3), actor=ks_user
    )
    assert again.pk == invoice.pk


def test_a_merged_successor_is_invoiced_only_what_its_predecessors_left_unpaid(ks_user):
    """0521 Øyer paid its 101 680 kr; 0522 Gausdal did not: their (fictional) merger owes
    Gausdal's 123 860 kr, not the sum of both shares."""
    from fund.models import CapitalSource, LedgerEntry
    from fund.services import ledger_record
    from members.selectors import shares_to_invoice
    from tests.members.factories import Member2017Factory, basis, succession

    oyer, gausdal = Member2017Factory(name="Øyer"), Member2017Factory(name="Gausdal")
    basis(oyer, 5084)
    basis(gausdal, 6193)
    ledger_record(
        kind=LedgerEntry.Kind.MEMBER_SHARE,
        source=CapitalSource.MEMBERS,
        amount=Decimal("101680"),
        occurred_on=datetime.date(2018, 3, 1),
        description="Andel Øyer",
        member=oyer,
    )
    merged = member_with_address(name="Sammenslått")
    succession(oyer, merged)
    succession(gausdal, merged)
    participation = confirmed_participation(actor=ks_user, member=merged)
    # the bulk version the batch uses agrees (with another member in the same book)
    other = confirmed_participation(actor=ks_user)
    assert shares_to_invoice(participations=[participation, other])[participation.pk] == Decimal(
        "123860.00"
    )
    invoice = share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 11, 2), actor=ks_user
    )
    assert invoice.total == Decimal("123860.00")
    assert Participation.objects.get(pk=participation.pk).share_amount == Decimal("123860.00")


def test_only_confirmed_participations_are_share_invoiced(ks_user):
    from tests.members.factories import ParticipationFactory

    participation = ParticipationFactory(member=member_with_address())
    with pytest.raises(InvoicingError):
        share_invoice_issue(
            participation=participation, issued_on=datetime.date(2026, 11, 2), actor=ks_user
        )
