"""Every kind of EHF document DigiFin makes, through the official PEPPOL BIS Billing 3.0 rules
(CEN's EN 16931 rules and OpenPEPPOL's rules, run in Saxon-HE): a fatal finding fails the test
with its rule id and message, as a PEPPOL access point would refuse the document.

The documents are made by the services that make them in the app: the member's share
(members.invoicing), the access fee and the FDVU share (repayments), a manual invoice, and credit
notes in full and in part; each with the default VAT (category O, outside the VAT scope) and with
a VAT-registered seller and 25 % VAT (category S)."""

import datetime
from decimal import Decimal

import pytest
from lxml import etree

from invoicing.ehf import NSMAP, invoice_xml, validate_ehf
from invoicing.models import Invoice
from invoicing.peppol import peppol_fatal, peppol_findings
from invoicing.services import InvoiceLineSpec, InvoicingError, invoice_credit
from members.invoicing import share_invoice_issue
from repayments import services as repayments
from tests.invoicing.factories import confirmed_participation, issue_manual, member_with_address
from tests.members.factories import basis
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    project,
    published,
)

DAY = datetime.date(2026, 11, 2)
ADDRESS = "Postboks 986\n2626 LILLEHAMMER"  # Lillehammer kommune's postal address

VAT = {
    # The default: outside the VAT scope (category O, VATEX-EU-O), seller not VAT-registered.
    "vat_O": ({}, {}),
    # The same documents from a seller that is VAT-registered for other business: still no
    # seller VAT identifier on them (BR-O-02), but «Foretaksregisteret».
    "vat_O_seller_registered": ({"vat_registered": True}, {}),
    # If KS's accountants decide the fees carry VAT: a VAT-registered seller, category S, 25 %.
    "vat_S25": (
        {"vat_registered": True},
        {"category": "S", "rate": "25.00", "exemption_reason": ""},
    ),
}


def _share_invoice(ks_user):
    participation = confirmed_participation(actor=ks_user, member=member_with_address())
    basis(participation.member, 27785)  # Lillehammer 2017K2: 27 785 × 20 kr
    return share_invoice_issue(participation=participation, issued_on=DAY, actor=ks_user)


def _solution(ks_user):
    kommune(2_000, name="Eksisterende kommune", address=ADDRESS)
    solution = SolutionFactory(name="Digiorden", project=project(actor=ks_user))
    return published(
        solution, kind="size_class", parameters={"classes": DIGIORDEN_CLASSES}, actor=ks_user
    )


def _user_of(solution, ks_user, population=5_084):
    member = kommune(population, address="Kommunehuset\nStorgata 1\n2624 LILLEHAMMER")
    make_participant(member, paid=True)
    return repayments.access_request(
        solution=solution, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement


def _access_fee_invoice(ks_user):
    agreement = _user_of(_solution(ks_user), ks_user)
    return Invoice.objects.get(pk=agreement.fee_invoice_id)


def _fdvu_invoice(ks_user):
    solution = _solution(ks_user)
    agreement = _user_of(solution, ks_user, population=27_785)
    period = repayments.fdvu_allocate(solution=solution, year=DAY.year, actor=ks_user)
    repayments.fdvu_invoice_request(period=period, actor=ks_user)
    return Invoice.objects.get(kind="fdvu", buyer=agreement.member)


def _manual_invoice(ks_user):
    # Several lines, a fractional quantity and a price in øre: the arithmetic rules bite here.
    return issue_manual(
        actor=ks_user,
        buyer=member_with_address(address=ADDRESS),
        lines=[
            InvoiceLineSpec(description="Fagseminar DigiFin, deltakeravgift", unit_price=2500),
            InvoiceLineSpec(
                description="Reise etter regning", unit_price=Decimal("0.35"), quantity=3
            ),
            InvoiceLineSpec(
                description="Rådgivning (timer)", unit_price=Decimal("1250.50"), quantity="2.5"
            ),
        ],
    )


def _manual_invoice_mixed_vat(ks_user):
    # Only with a VAT-registered seller: standard (25 %), reduced (15 %), zero-rated and exempt
    # lines in one invoice, each category and rate its own VAT breakdown.
    return issue_manual(
        actor=ks_user,
        buyer=member_with_address(address=ADDRESS),
        lines=[
            InvoiceLineSpec(description="Kurs", unit_price=Decimal("1999.99"), vat_category="S"),
            InvoiceLineSpec(
                description="Servering",
                unit_price=Decimal("333.33"),
                quantity=3,
                vat_category="S",
                vat_rate=Decimal("15"),
            ),
            InvoiceLineSpec(
                description="Trykksak",
                unit_price=Decimal("150"),
                vat_category="Z",
                vat_rate=Decimal("0"),
            ),
            InvoiceLineSpec(
                description="Lokalleie",
                unit_price=Decimal("5000"),
                vat_category="E",
                vat_rate=Decimal("0"),
            ),
        ],
    )


def _manual_invoice_without_buyer_address(ks_user):
    # Members not yet refreshed from Enhetsregisteret have no postal address: still no fatal.
    return issue_manual(actor=ks_user, buyer=member_with_address(address=""))


def _full_credit_note(ks_user):
    invoice = _share_invoice(ks_user)
    return invoice_credit(
        invoice=invoice, actor=ks_user, reason="Feil innbyggertall", issued_on=DAY
    )


def _partial_credit_note(ks_user):
    invoice = _manual_invoice(ks_user)
    return invoice_credit(
        invoice=invoice,
        actor=ks_user,
        reason="Reisen ble avlyst",
        issued_on=DAY,
        lines=[
            InvoiceLineSpec(
                description="Reise etter regning", unit_price=Decimal("0.35"), quantity=3
            )
        ],
    )


DOCUMENTS = {
    "member_share": _share_invoice,
    "access_fee": _access_fee_invoice,
    "fdvu": _fdvu_invoice,
    "manual": _manual_invoice,
    "manual_no_buyer_address": _manual_invoice_without_buyer_address,
    "manual_mixed_vat": _manual_invoice_mixed_vat,
    "credit_note_full": _full_credit_note,
    "credit_note_partial": _partial_credit_note,
}
CASES = [
    (kind, vat)
    for kind in DOCUMENTS
    for vat in VAT
    # Category O is never mixed with another category (BR-O-11..14): the service refuses it.
    if not (kind == "manual_mixed_vat" and vat != "vat_S25")
]


def _vat_setup(settings, vat):
    seller, vat_conf = VAT[vat]
    settings.DIGIFIN_INVOICE_SELLER = seller
    settings.DIGIFIN_INVOICE_VAT = vat_conf


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "vat"), CASES)
def test_every_document_kind_passes_the_peppol_and_cen_rules(settings, ks_user, kind, vat):
    _vat_setup(settings, vat)
    document = DOCUMENTS[kind](ks_user)
    xml = invoice_xml(document)
    assert validate_ehf(xml, digifin=True) == []  # the XSD and DigiFin's own checks still hold
    fatal = peppol_fatal(xml)
    assert fatal == [], "\n".join(str(f) for f in fatal)
    # The document really is what the case says it is.
    assert document.is_credit_note == kind.startswith("credit_note")
    category = etree.fromstring(xml).xpath(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", namespaces=NSMAP
    )
    if kind == "manual_mixed_vat":
        assert [c.text for c in category] == ["S", "S", "Z", "E"]
    else:
        assert [c.text for c in category] == (["S"] if vat == "vat_S25" else ["O"])
    seller_tax = etree.fromstring(xml).xpath(
        "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
        namespaces=NSMAP,
    )
    assert [t.text for t in seller_tax] == {
        "vat_O": [],
        "vat_O_seller_registered": ["Foretaksregisteret"],
        "vat_S25": ["NO971032146MVA", "Foretaksregisteret"],
    }[vat]


@pytest.mark.django_db
def test_zero_rated_vat_has_no_exemption_reason(settings, ks_user):
    """BR-Z-10 (fatal): zero-rated VAT is taxed at 0 %, not exempt, so it carries no exemption
    reason; exempt VAT (E) must carry one (BR-E-10). The EHF once wrote «Fritatt» on both."""
    _vat_setup(settings, "vat_S25")
    xml = invoice_xml(_manual_invoice_mixed_vat(ks_user))
    subtotal = "cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cbc:ID='{}']/cac:TaxCategory"
    doc = etree.fromstring(xml)
    assert not doc.xpath(subtotal.format("Z") + "/cbc:TaxExemptionReason", namespaces=NSMAP)
    assert doc.xpath(subtotal.format("E") + "/cbc:TaxExemptionReason", namespaces=NSMAP)
    # Put the reason back on the zero-rated breakdown: both validators refuse it.
    reason = etree.SubElement(
        doc.xpath(subtotal.format("Z"), namespaces=NSMAP)[0],
        f"{{{NSMAP['cbc']}}}TaxExemptionReason",
    )
    reason.text = "Fritatt"
    reason.getparent().insert(2, reason)  # before cac:TaxScheme, as the schema orders it
    broken = etree.tostring(doc)
    assert ("CEN", "BR-Z-10") in {(f.rule_set, f.rule_id) for f in peppol_fatal(broken)}
    assert any(e.startswith("BR-Z-10") for e in validate_ehf(broken))


@pytest.mark.django_db
def test_standard_rated_vat_at_zero_percent_is_refused(settings, ks_user):
    """BR-S-05 (fatal): a standard-rated line has a rate above zero; the service says so."""
    _vat_setup(settings, "vat_S25")
    with pytest.raises(InvoicingError, match="over null"):
        issue_manual(
            actor=ks_user,
            lines=[InvoiceLineSpec(description="Kurs", unit_price=100, vat_rate=Decimal(0))],
        )
    assert not Invoice.objects.exists()


def test_the_official_examples_pass_both_rule_sets(ehf_examples):
    """The rules run as upstream runs them: the ten official examples have no fatal finding,
    and the one warning is CEN's UBL-CR-679 on the Norwegian example (its schemeID on
    ClassifiedTaxCategory/ID)."""
    warnings = set()
    for path in ehf_examples:
        findings = peppol_findings(path.read_bytes())
        fatal = [f for f in findings if f.fatal]
        assert fatal == [], f"{path.name}: " + "\n".join(str(f) for f in fatal)
        warnings |= {(path.name, f.rule_set, f.rule_id) for f in findings}
    assert warnings == {("Norwegian-example-1.xml", "CEN", "UBL-CR-679")}


def _edit(xml: bytes, path: str, *, text=None, remove=False) -> bytes:
    doc = etree.fromstring(xml)
    node = doc.xpath(path, namespaces=NSMAP)[0]
    if remove:
        node.getparent().remove(node)
    else:
        node.text = text
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def good_xml(db):
    return invoice_xml(issue_manual(amount="1000", buyer=member_with_address(address=ADDRESS)))


@pytest.mark.parametrize(
    ("path", "change", "rule_set", "rule_id"),
    [
        # OpenPEPPOL's rules: the buyer reference or an order reference must be there.
        ("cbc:BuyerReference", {"remove": True}, "PEPPOL", "PEPPOL-EN16931-R003"),
        # CEN's rules: the amount due is the total with VAT.
        ("cac:LegalMonetaryTotal/cbc:PayableAmount", {"text": "999.00"}, "CEN", "BR-CO-16"),
        # CEN's rules: the invoice total without VAT is the sum of the lines.
        ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", {"text": "1.00"}, "CEN", "BR-CO-10"),
        # OpenPEPPOL's rules: a Norwegian seller's organisation number is a valid orgnr.
        (
            "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
            {"text": "971032147"},
            "PEPPOL",
            "PEPPOL-COMMON-R041",
        ),
    ],
)
def test_a_broken_document_gives_the_fatal_finding_by_its_rule_id(
    good_xml, path, change, rule_set, rule_id
):
    assert peppol_fatal(good_xml) == []
    fatal = peppol_fatal(_edit(good_xml, path, **change))
    assert (rule_set, rule_id) in {(f.rule_set, f.rule_id) for f in fatal}, fatal
    assert all(f.text for f in fatal)


def test_the_one_remaining_warning_is_foretaksregisteret_and_does_not_fail(good_xml):
    """NO-R-002 (a warning) asks a Norwegian seller for «Foretaksregisteret»; the law requires
    it of AS, ASA and NUF only, and KS is none of them, so DigiFin leaves it out unless the seller
    is set up as VAT-registered (docs/decisions/invoicing-004-peppol-schematron.md)."""
    findings = peppol_findings(good_xml)
    assert [(f.rule_set, f.flag, f.rule_id) for f in findings] == [
        ("PEPPOL", "warning", "NO-R-002")
    ]
    assert peppol_fatal(good_xml) == []
