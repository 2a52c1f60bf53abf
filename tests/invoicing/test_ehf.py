import datetime
from decimal import Decimal

import pytest
from lxml import etree

from invoicing.ehf import CUSTOMIZATION_ID, NSMAP, PROFILE_ID, invoice_xml, validate_ehf
from invoicing.services import InvoiceLineSpec, invoice_credit
from tests.invoicing.factories import issue_manual


def test_the_validator_accepts_all_ten_official_examples(ehf_examples):
    assert len(ehf_examples) == 10
    for path in ehf_examples:
        assert validate_ehf(path.read_bytes()) == [], path.name


def _xml(invoice):
    return etree.fromstring(invoice_xml(invoice))


@pytest.mark.django_db
def test_generated_invoice_is_xsd_valid_and_meets_the_bis_rules():
    invoice = issue_manual(
        amount="555700",
        lines=[
            InvoiceLineSpec(description="Andel", unit_price=Decimal("555700")),
            InvoiceLineSpec(description="Ekstra", unit_price=Decimal("0.35"), quantity=3),
        ],
    )
    assert validate_ehf(invoice_xml(invoice), digifin=True) == []
    doc = _xml(invoice)
    get = lambda p: doc.xpath(p, namespaces=NSMAP)[0].text  # noqa: E731
    assert get("cbc:CustomizationID") == CUSTOMIZATION_ID
    assert get("cbc:ProfileID") == PROFILE_ID
    assert get("cbc:BuyerReference") == "REF-1"
    assert get("cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert get("cac:PaymentMeans/cbc:PaymentID") == invoice.kid
    assert get("cac:LegalMonetaryTotal/cbc:PayableAmount") == "555701.05"
    assert doc.xpath(
        "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID", namespaces=NSMAP
    ) == ["0192"]
    assert get("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID") == (
        "971032146"
    )
    assert get("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "O"
    assert not doc.xpath("//cbc:Percent", namespaces=NSMAP)


@pytest.mark.django_db
def test_generated_credit_note_is_valid_and_refers_to_the_invoice():
    invoice = issue_manual()
    credit = invoice_credit(invoice=invoice, actor=None, reason="Feil", issued_on=invoice.issued_on)
    xml = invoice_xml(credit)
    assert validate_ehf(xml, digifin=True) == []
    doc = etree.fromstring(xml)
    assert etree.QName(doc).localname == "CreditNote"
    ref = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert doc.xpath(ref, namespaces=NSMAP)[0].text == invoice.number


@pytest.mark.django_db
def test_vat_registered_seller_gets_mva_id_and_foretaksregisteret(settings):
    settings.DIGIFIN_INVOICE_SELLER = {"vat_registered": True}
    settings.DIGIFIN_INVOICE_VAT = {"category": "S", "rate": "25", "exemption_reason": ""}
    invoice = issue_manual(amount="100")
    xml = invoice_xml(invoice)
    assert validate_ehf(xml, digifin=True) == []
    assert b"NO971032146MVA" in xml and b"Foretaksregisteret" in xml


def _break(xml: bytes, path: str, *, text=None, remove=False, attr=None) -> bytes:
    doc = etree.fromstring(xml)
    node = doc.xpath(path, namespaces=NSMAP)[0]
    if remove:
        node.getparent().remove(node)
    elif attr:
        node.set(*attr)
    else:
        node.text = text
    return etree.tostring(doc)


@pytest.fixture
def good_xml(db):
    return invoice_xml(issue_manual(amount="1000"))


@pytest.mark.parametrize(
    ("path", "change", "rule"),
    [
        ("cbc:BuyerReference", {"remove": True}, "PEPPOL-EN16931-R003"),
        ("cbc:CustomizationID", {"text": "urn:other"}, "PEPPOL-EN16931-R004"),
        (
            "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
            {"remove": True},
            "PEPPOL-EN16931-R010",
        ),
        (
            "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
            {"text": "123456789"},
            "PEPPOL-COMMON-R040",
        ),
        (
            "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID",
            {"attr": ("schemeID", "0088")},
            "DigiFin",
        ),
        (
            "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
            {"text": "971032147"},
            "NO-R-001",
        ),
        ("cac:LegalMonetaryTotal/cbc:PayableAmount", {"text": "999.00"}, "BR-CO-16"),
        ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", {"text": "999.00"}, "BR-CO-10"),
        ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", {"text": "1000.001"}, "BR-DEC"),
        ("cac:InvoiceLine/cac:Price/cbc:PriceAmount", {"text": "999.00"}, "R120"),
        ("cbc:DueDate", {"text": "2020-01-01"}, "DigiFin: forfallsdato"),
        ("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", {"text": "5.00"}, "BR-O-09"),
        (
            "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason",
            {"remove": True},
            None,  # the reason code alone still satisfies BR-O-10
        ),
        ("cac:PaymentMeans/cbc:PaymentID", {"text": "12345"}, "gyldig KID"),
        ("cac:PaymentMeans/cbc:PaymentMeansCode", {"text": "31"}, "PaymentMeansCode"),
    ],
)
def test_the_validator_catches_each_rule_digifin_can_break(good_xml, path, change, rule):
    errors = validate_ehf(_break(good_xml, path, **change), digifin=True)
    if rule is None:
        assert errors == []
    else:
        assert any(rule in e for e in errors), errors


def test_missing_exemption_reason_and_code_breaks_br_o_10(good_xml):
    sub = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    xml = _break(good_xml, sub + "cbc:TaxExemptionReason", remove=True)
    xml = _break(xml, sub + "cbc:TaxExemptionReasonCode", remove=True)
    assert any("BR-O-10" in e for e in validate_ehf(xml))


def test_missing_due_date_and_terms_breaks_br_co_25(good_xml):
    xml = _break(_break(good_xml, "cbc:DueDate", remove=True), "cac:PaymentTerms", remove=True)
    assert any("BR-CO-25" in e for e in validate_ehf(xml))


def test_a_percent_on_category_o_breaks_br_o_05(good_xml):
    doc = etree.fromstring(good_xml)
    cat = doc.xpath("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", namespaces=NSMAP)[0]
    percent = etree.Element(f"{{{NSMAP['cbc']}}}Percent")
    percent.text = "0"
    cat.insert(1, percent)
    assert any("BR-O-05" in e for e in validate_ehf(etree.tostring(doc)))


def test_schema_errors_are_reported(good_xml):
    xml = _break(good_xml, "cbc:IssueDate", text="1. desember")
    assert any(e.startswith("XSD") for e in validate_ehf(xml))


def test_not_xml_is_reported():
    assert validate_ehf(b"<Invoice")[0].startswith("XML")


@pytest.mark.django_db
def test_due_date_is_in_the_document():
    invoice = issue_manual(due_on=datetime.date(2026, 12, 24))
    assert _xml(invoice).xpath("cbc:DueDate", namespaces=NSMAP)[0].text == "2026-12-24"
