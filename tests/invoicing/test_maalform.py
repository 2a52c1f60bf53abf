"""Invoices and letters follow the member's målform (issue #20 §1): nynorsk → nynorsk documents;
bokmål and "nøytral" → bokmål (docs/decisions/i18n-documents-maalform.md). Amounts and dates
keep the Norwegian format in both; the EHF is language-neutral."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from invoicing.ehf import invoice_xml
from invoicing.models import Document
from invoicing.pdf import invoice_html, invoice_pdf
from invoicing.services import invoice_credit, letter_create, reminder_create
from invoicing.services.delivery import invoice_deliver
from tests.invoicing.factories import issue_manual, member_with_address
from tests.pdf_support import pdf_text

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 2)

NYNORSK = ["Referansen dykkar", "Skildring", "Einingspris", "Sum ekskl. mva.", "Spørsmål om"]
BOKMAL = ["Deres referanse", "Beskrivelse", "Enhetspris", "Sum eks. mva."]


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).replace("\xa0", " ").split())


@pytest.fixture
def volda():
    """A Vestland/Møre kommune with nynorsk in Enhetsregisteret and no setting by KS."""
    return member_with_address(name="Volda kommune", register_maalform="nynorsk", maalform="")


@pytest.fixture
def lillehammer():
    return member_with_address(name="Lillehammer kommune", register_maalform="bokmal")


def test_a_nynorsk_members_invoice_pdf_is_in_nynorsk(volda):
    invoice = issue_manual(buyer=volda, amount="5000")
    assert invoice.buyer_language == "nn"
    text = _flat(invoice_pdf(invoice))
    for phrase in NYNORSK:
        assert phrase in text, phrase
    for phrase in BOKMAL:
        assert phrase not in text, phrase
    # Amounts and dates stay Norwegian.
    assert "5 000,00 kr" in text and "02.11.2026" in text
    assert 'lang="nn"' in invoice_html(invoice)


def test_a_bokmal_members_invoice_stays_bokmal_whatever_the_readers_ui_language(lillehammer):
    invoice = issue_manual(buyer=lillehammer, amount="5000")
    assert invoice.buyer_language == "nb"
    with translation.override("en"):  # e.g. KS staff downloading it with the UI in English
        html = invoice_html(invoice)
        text = _flat(invoice_pdf(invoice))
    assert 'lang="nb"' in html
    for phrase in BOKMAL:
        assert phrase in text, phrase
    assert "Referansen dykkar" not in text and "Your reference" not in text
    assert "5 000,00 kr" in text


def test_ks_noytral_on_a_register_nynorsk_member_gives_bokmal():
    member = member_with_address(register_maalform="nynorsk", maalform="noytral")
    invoice = issue_manual(buyer=member)
    assert invoice.buyer_language == "nb"
    text = _flat(invoice_pdf(invoice))
    assert "Deres referanse" in text and "Referansen dykkar" not in text


def test_ks_nynorsk_on_a_register_bokmal_member_gives_nynorsk():
    member = member_with_address(register_maalform="bokmal", maalform="nynorsk")
    assert issue_manual(buyer=member).buyer_language == "nn"


def test_the_invoice_keeps_the_language_it_was_issued_in(volda):
    invoice = issue_manual(buyer=volda)
    volda.maalform = "bokmal"
    volda.save()
    invoice.refresh_from_db()
    assert "Referansen dykkar" in _flat(invoice_pdf(invoice))


def test_the_ehf_is_language_neutral(volda):
    invoice = issue_manual(buyer=volda)
    nynorsk = invoice_xml(invoice)
    invoice.buyer_language = "nb"
    assert invoice_xml(invoice) == nynorsk


def test_a_nynorsk_members_invoice_email_is_in_nynorsk(volda):
    invoice = issue_manual(buyer=volda, amount="5000")
    invoice_deliver(invoice=invoice)
    (message,) = mail.outbox
    assert message.subject == f"Faktura {invoice.number} frå KS (DigiFin)"
    assert "referansen dykkar REF-1" in message.body
    assert "5 000,00 kr" in message.body.replace("\xa0", " ")
    assert "Vennleg helsing" in message.body and "Vennlig hilsen" not in message.body


def test_a_bokmal_members_invoice_email_stays_bokmal(lillehammer):
    invoice = issue_manual(buyer=lillehammer)
    invoice_deliver(invoice=invoice)
    (message,) = mail.outbox
    assert message.subject == f"Faktura {invoice.number} fra KS (DigiFin)"
    assert "Vennlig hilsen" in message.body


def test_a_nynorsk_members_reminder_is_in_nynorsk(volda):
    invoice = issue_manual(buyer=volda, amount="5000")
    reminder = reminder_create(invoice=invoice, on=DUE + datetime.timedelta(days=3), actor=None)
    text = _flat(reminder.document.file.read())
    nynorsk = ["Vi kan ikkje sjå", "Uteståande beløp", "Referansen dykkar", "Med venleg helsing"]
    for phrase in nynorsk:
        assert phrase in text, phrase
    assert "Det blir ikkje rekna purregebyr." in text
    for phrase in ["Vi kan ikke se", "Utestående beløp", "Med vennlig hilsen", "beregnes"]:
        assert phrase not in text, phrase
    assert "5 000,00 kr" in text and "02.12.2026" in text


def test_a_bokmal_members_reminder_stays_bokmal(lillehammer):
    invoice = issue_manual(buyer=lillehammer, amount="5000")
    reminder = reminder_create(invoice=invoice, on=DUE + datetime.timedelta(days=3), actor=None)
    text = _flat(reminder.document.file.read())
    assert "Vi kan ikke se" in text and "Med vennlig hilsen" in text
    assert "Vi kan ikkje sjå" not in text


def test_a_nynorsk_members_letter_title_and_email_are_in_nynorsk(volda):
    document = letter_create(
        member=volda, kind="confirmation", actor=None, source_key="confirmation:volda"
    )
    assert document.title == "Stadfesting av deltaking i DigiFin – Volda kommune"
    with document.file.open("rb") as fh:
        text = _flat(fh.read())
    assert "KS stadfestar at Volda kommune deltek i finansieringsordninga DigiFin" in text
    assert "KS bekrefter" not in text
    (message,) = mail.outbox
    assert "Vennleg helsing" in message.body and "Vennlig hilsen" not in message.body


def test_a_nynorsk_members_credit_note_and_its_email_are_in_nynorsk(volda):
    invoice = issue_manual(buyer=volda, amount="5000")
    credit = invoice_credit(invoice=invoice, actor=None, reason="Feil", issued_on=invoice.issued_on)
    assert credit.buyer_language == "nn"
    text = _flat(invoice_pdf(credit))
    assert f"Kreditnota {credit.number}" in text and "Krediterer faktura" in text
    assert "Referansen dykkar" in text and "Deres referanse" not in text
    mail.outbox.clear()
    invoice_deliver(invoice=credit)
    (message,) = mail.outbox
    assert message.subject == f"Kreditnota {credit.number} frå KS (DigiFin)"
    assert "referansen dykkar" in message.body and "Vennleg helsing" in message.body


def test_the_invoice_document_and_email_ignore_the_ui_language_of_whoever_delivers(lillehammer):
    invoice = issue_manual(buyer=lillehammer)
    with translation.override("en"):
        invoice_deliver(invoice=invoice)
    document = invoice.documents.get(kind=Document.Kind.INVOICE)
    assert document.title == f"Faktura {invoice.number}"
    (message,) = mail.outbox
    assert message.subject == f"Faktura {invoice.number} fra KS (DigiFin)"
