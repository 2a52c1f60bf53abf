"""The buyer's postal address from Enhetsregisteret reaches the invoice PDF, the EHF
(cac:AccountingCustomerParty/cac:Party/cac:PostalAddress) and every letter."""

import subprocess
from decimal import Decimal

import pytest
from lxml import etree

from invoicing.ehf import NSMAP, invoice_xml, validate_ehf
from invoicing.models import Document
from invoicing.pdf import invoice_pdf
from invoicing.services import invoice_credit, letter_create
from members.enhetsregisteret import fixture_lookup
from members.models import RegisterRefresh
from members.register import register_refresh_apply, register_refresh_fetch
from tests.invoicing.factories import issue_manual
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db
PARTY = "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress"


def _text(pdf: bytes) -> str:
    """The PDF's text (poppler's pdftotext, as tests/invoicing/test_letters_and_reminders.py)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode().replace("\xa0", " ")


@pytest.fixture
def lillehammer():
    """Lillehammer kommune as DigiFin knows it after a refresh from the register's fixtures."""
    member = MemberFactory(name="Lillehammer", number="3405", orgnr="945578564", address="")
    refresh = RegisterRefresh.objects.create(member_ids=[member.pk])
    register_refresh_apply(
        refresh=register_refresh_fetch(refresh=refresh, lookup=fixture_lookup()), actor=None
    )
    member.refresh_from_db()
    assert member.address == "Postboks 986\n2626 LILLEHAMMER"
    return member


def test_invoice_pdf_shows_the_buyers_postal_address(lillehammer):
    invoice = issue_manual(buyer=lillehammer)
    assert invoice.buyer_address == "Postboks 986\n2626 LILLEHAMMER"
    text = _text(invoice_pdf(invoice))
    assert "Postboks 986" in text and "2626 LILLEHAMMER" in text
    assert "Org.nr. 945 578 564" in text


@pytest.mark.parametrize("credit", [False, True])
def test_ehf_has_the_buyers_postal_address_and_stays_valid(lillehammer, credit):
    invoice = issue_manual(buyer=lillehammer)
    if credit:
        invoice = invoice_credit(
            invoice=invoice, actor=None, reason="Feil", issued_on=invoice.issued_on
        )
    xml = invoice_xml(invoice)
    assert validate_ehf(xml, digifin=True) == []
    doc = etree.fromstring(xml)

    def get(path):
        return doc.xpath(f"{PARTY}/{path}", namespaces=NSMAP)[0].text

    assert get("cbc:StreetName") == "Postboks 986"
    assert get("cbc:CityName") == "LILLEHAMMER"
    assert get("cbc:PostalZone") == "2626"
    assert get("cac:Country/cbc:IdentificationCode") == "NO"


def test_the_invoice_keeps_the_address_of_its_day(lillehammer):
    invoice = issue_manual(buyer=lillehammer)
    lillehammer.address = "Postboks 1\n2601 LILLEHAMMER"
    lillehammer.save()
    invoice.refresh_from_db()
    assert "Postboks 986" in _text(invoice_pdf(invoice))


@pytest.mark.parametrize("kind", ["invitation", "confirmation", "decision", "access_confirmation"])
def test_every_letter_shows_the_recipients_address(lillehammer, kind, monkeypatch):
    monkeypatch.setattr("members.selectors.member_share", lambda *, member: Decimal("555700.00"))
    doc = letter_create(
        member=lillehammer, kind=kind, actor=None, source_key=f"adr:{kind}", email=False
    )
    text = _text(doc.file.read())
    assert "Lillehammer\nPostboks 986\n2626 LILLEHAMMER\nOrg.nr. 945 578 564" in text


def test_reminder_letter_shows_the_recipients_address(lillehammer):
    from invoicing.services import reminder_create

    invoice = issue_manual(buyer=lillehammer)
    reminder = reminder_create(
        invoice=invoice, on=invoice.due_on.replace(year=invoice.due_on.year + 1), actor=None
    )
    document = Document.objects.filter(kind=Document.Kind.REMINDER).first()
    assert reminder is not None and document is not None
    assert "Postboks 986" in _text(document.file.read())
