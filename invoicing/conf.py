"""Invoicing configuration: the seller (KS), VAT, terms. Override with settings of the same name.

VAT: member shares, access fees and FDVU shares are treated as outside the scope of VAT
(category O, "Utenfor merverdiavgiftsområdet") until KS's accountants say otherwise; then set
DIGIFIN_INVOICE_VAT = {"category": "S", "rate": "25.00", "exemption_reason": ""}."""

from decimal import Decimal

from django.conf import settings

DEFAULT_SELLER = {
    # KS – Kommunesektorens organisasjon, Haakon VIIs gate 9, Oslo (Brønnøysundregistrene).
    "name": "KS – Kommunesektorens organisasjon",
    "orgnr": "971032146",
    "street": "Haakon VIIs gate 9",
    "postcode": "0161",
    "city": "Oslo",
    "country": "NO",
    "email": "digiprosjekter@ks.no",
    "contact": "DigiFin-sekretariatet",
    # Demo account number (MOD11-valid); the real one comes from KS's finance department.
    "bank_account": "12345678903",
    # True only if the seller is VAT registered: then NO<orgnr>MVA and "Foretaksregisteret".
    "vat_registered": False,
}

DEFAULT_VAT = {
    "category": "O",
    "rate": "0.00",
    "exemption_reason": "Utenfor merverdiavgiftsområdet",
    "exemption_code": "VATEX-EU-O",
}


def seller() -> dict:
    return {**DEFAULT_SELLER, **getattr(settings, "DIGIFIN_INVOICE_SELLER", {})}


def vat() -> dict:
    conf = {**DEFAULT_VAT, **getattr(settings, "DIGIFIN_INVOICE_VAT", {})}
    conf["rate"] = Decimal(str(conf["rate"]))
    return conf


def payment_terms_days() -> int:
    return int(getattr(settings, "DIGIFIN_INVOICE_TERMS_DAYS", 30))


def kid_method() -> str:
    """'mod10' (Luhn, the default) or 'mod11'."""
    return getattr(settings, "DIGIFIN_KID_METHOD", "mod10")


def reminder_interval_days() -> int:
    return int(getattr(settings, "DIGIFIN_REMINDER_INTERVAL_DAYS", 14))


# Series: invoices and credit notes are numbered separately, each gapless per year. The digit
# is the series' first digit in the KID.
SERIES = {"invoice": ("F", 1), "credit_note": ("K", 2)}
