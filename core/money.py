"""Money is Decimal kroner with two places (øre), end to end; formatting happens only at the edge.

Rounding rule: ROUND_HALF_UP to whole øre for amounts, and to whole kroner where a rule asks for
kroner (member shares, access fees). Floats are refused: they cannot hold øre exactly."""

from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
KRONE = Decimal("1")
NBSP = "\xa0"


def to_money(value) -> Decimal:
    """A Decimal rounded half up to whole øre. Accepts Decimal, int and str, never float."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass Decimal, int or str.")
    return Decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def round_kroner(value) -> Decimal:
    """Rounded half up to whole kroner, kept with two places (e.g. Decimal('101680.00'))."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass Decimal, int or str.")
    return Decimal(value).quantize(KRONE, rounding=ROUND_HALF_UP).quantize(ORE)


def _group(digits: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return NBSP.join(parts)


def format_nok(value, *, decimals: bool = False, suffix: bool = True) -> str:
    """Norwegian amount: `555 700 kr` (whole kroner) or `555 700,00 kr` (with øre).

    Groups are separated by a no-break space so an amount never wraps across lines."""
    if value is None:
        return ""
    amount = to_money(value)
    negative = amount < 0
    amount = abs(amount)
    if decimals:
        whole, _, ore = f"{amount:.2f}".partition(".")
        text = f"{_group(whole)},{ore}"
    else:
        text = _group(f"{amount.quantize(KRONE, rounding=ROUND_HALF_UP):.0f}")
    if negative:
        text = "−" + text  # U+2212 minus sign
    return f"{text}{NBSP}kr" if suffix else text
