"""VAT arithmetic shared by the services, the PDF and the EHF (pure: no database, no services)."""

from decimal import Decimal

from core.money import to_money

ZERO = Decimal("0.00")


def vat_breakdown(lines) -> list[dict]:
    """VAT per (category, rate): taxable amount and VAT, rounded half up to øre per group
    (EN 16931 BR-CO-17). `lines` are InvoiceLine objects or dicts."""
    groups: dict[tuple, dict] = {}
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda k, _l=line: getattr(_l, k)
        key = (get("vat_category"), to_money(get("vat_rate")))
        group = groups.setdefault(
            key,
            {
                "category": key[0],
                "rate": key[1],
                "taxable": ZERO,
                "exemption_reason": get("vat_exemption_reason"),
            },
        )
        group["taxable"] += get("net_amount")
    for group in groups.values():
        group["vat"] = to_money(group["taxable"] * group["rate"] / 100)
    return list(groups.values())
