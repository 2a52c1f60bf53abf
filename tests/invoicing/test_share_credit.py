"""Crediting a member's share invoice in full before payment confirms the participation again,
so a corrected share (for example after a population correction) can be invoiced anew."""

import datetime
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from invoicing.services import (
    InvoiceLineSpec,
    invoice_credit,
    register_payment,
    share_invoice_issue,
)
from members.models import ContributionBasis, Participation, ParticipationEvent
from tests.invoicing.factories import confirmed_participation

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


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
