import datetime
from decimal import Decimal

import pytest
from django.core import mail

from invoicing.models import ImmutableInvoiceError, Invoice, InvoiceNumberCounter
from invoicing.services import (
    InvoiceLineSpec,
    InvoicingError,
    invoice_credit,
    invoice_issue,
)
from tests.invoicing.factories import issue_manual, member_with_address

pytestmark = pytest.mark.django_db


def test_invoice_lines_and_totals_are_exact_decimals():
    invoice = issue_manual(
        lines=[
            InvoiceLineSpec(description="A", unit_price=Decimal("0.10"), quantity=Decimal("3")),
            InvoiceLineSpec(description="B", unit_price=Decimal("1234.55")),
        ]
    )
    assert invoice.net_total == Decimal("1234.85")
    assert invoice.vat_total == Decimal("0.00")
    assert invoice.total == Decimal("1234.85")
    assert [line.net_amount for line in invoice.lines.all()] == [
        Decimal("0.30"),
        Decimal("1234.55"),
    ]


def test_default_vat_is_category_o_with_the_exemption_reason():
    line = issue_manual().lines.get()
    assert line.vat_category == "O"
    assert line.vat_rate == 0
    assert line.vat_exemption_reason == "Utenfor merverdiavgiftsområdet"


def test_configured_standard_vat_is_added_per_rate(settings):
    settings.DIGIFIN_INVOICE_VAT = {"category": "S", "rate": "25", "exemption_reason": ""}
    invoice = issue_manual(amount="100.01")
    assert invoice.vat_total == Decimal("25.00")  # 25.0025 rounded half up to øre
    assert invoice.total == Decimal("125.01")


def test_mixing_category_o_with_other_categories_is_refused():
    with pytest.raises(InvoicingError):
        issue_manual(
            lines=[
                InvoiceLineSpec(description="A", unit_price=Decimal("1")),
                InvoiceLineSpec(
                    description="B", unit_price=Decimal("1"), vat_category="S", vat_rate=25
                ),
            ]
        )
    assert not Invoice.objects.exists()


def test_issuing_twice_with_the_same_source_key_returns_the_same_invoice():
    buyer = member_with_address()
    first = issue_manual(buyer=buyer, source_key="access:17")
    second = issue_manual(buyer=buyer, source_key="access:17", amount="999")
    assert first.pk == second.pk
    assert Invoice.objects.count() == 1
    assert InvoiceNumberCounter.objects.get().last_number == 1


def test_fakturareferanse_is_required_and_nothing_is_created_without_it():
    with pytest.raises(InvoicingError, match="Fakturareferanse"):
        issue_manual(fakturareferanse="  ")
    assert not Invoice.objects.exists()
    assert not InvoiceNumberCounter.objects.filter(last_number__gt=0).exists()


def test_buyer_without_orgnr_is_refused():
    with pytest.raises(InvoicingError, match="organisasjonsnummer"):
        issue_manual(buyer=member_with_address(orgnr=""))


def test_due_date_defaults_to_thirty_days_and_cannot_precede_the_issue_date():
    invoice = issue_manual()
    assert invoice.due_on == invoice.issued_on + datetime.timedelta(days=30)
    with pytest.raises(InvoicingError):
        issue_manual(source_key="x", due_on=datetime.date(2026, 1, 1))


def test_numbers_are_gapless_per_series_and_year():
    a = issue_manual(source_key="a")
    b = issue_manual(source_key="b")
    c = issue_manual(source_key="c", issued_on=datetime.date(2027, 1, 4))
    credit = invoice_credit(invoice=a, actor=None, reason="Feil", issued_on=a.issued_on)
    assert (a.number, b.number) == ("F2026-00001", "F2026-00002")
    assert c.number == "F2027-00001"
    assert credit.number == "K2026-00001"
    assert credit.kid == ""


def test_a_failed_issue_gives_its_number_back():
    issue_manual(source_key="a")
    with pytest.raises(InvoicingError):
        issue_manual(source_key="b", lines=[InvoiceLineSpec(description="", unit_price=1)])
    assert issue_manual(source_key="c").number == "F2026-00002"


def test_an_issued_invoice_cannot_be_edited_or_deleted():
    invoice = issue_manual()
    invoice.net_total = Decimal("1.00")
    with pytest.raises(ImmutableInvoiceError):
        invoice.save()
    with pytest.raises(ImmutableInvoiceError):
        invoice.save(update_fields=["total"])
    with pytest.raises(ImmutableInvoiceError):
        invoice.delete()
    invoice.refresh_from_db()
    assert invoice.net_total == Decimal("1000.00")


def test_a_full_credit_note_marks_the_invoice_credited_and_cannot_be_repeated():
    invoice = issue_manual()
    credit = invoice_credit(invoice=invoice, actor=None, reason="Feil mottaker")
    invoice.refresh_from_db()
    assert credit.credits == invoice
    assert credit.total == invoice.total
    assert invoice.status == Invoice.Status.CREDITED
    with pytest.raises(InvoicingError, match="overstige"):
        invoice_credit(invoice=invoice, actor=None, reason="igjen")
    assert invoice.credit_notes.count() == 1


def test_a_partial_credit_note_takes_the_given_lines():
    invoice = issue_manual(amount="1000")
    credit = invoice_credit(
        invoice=invoice,
        actor=None,
        reason="Rabatt",
        lines=[InvoiceLineSpec(description="Rabatt", unit_price=Decimal("200"))],
    )
    invoice.refresh_from_db()
    assert credit.total == Decimal("200.00")
    assert invoice.status == Invoice.Status.ISSUED


def test_issue_delivers_files_document_and_one_email_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_manual()
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.ehf_xml
    assert invoice.documents.count() == 1
    assert len(mail.outbox) == 1
    assert {a[0] for a in mail.outbox[0].attachments} == {
        f"{invoice.number}.pdf",
        f"{invoice.number}.xml",
    }
    from invoicing.services import invoice_deliver

    invoice_deliver(invoice=invoice)
    assert len(mail.outbox) == 1


def test_unknown_kind_is_refused():
    with pytest.raises(InvoicingError):
        invoice_issue(
            buyer=member_with_address(),
            kind="gift",
            lines=[InvoiceLineSpec(description="x", unit_price=Decimal(1))],
            issued_on=datetime.date(2026, 1, 1),
            fakturareferanse="R",
            actor=None,
            source_key="g",
        )
