"""The one formatting path for numbers people read (issue 20 §3): populations and other counts
(`699 827`), account numbers (`1234 56 78903`), organisation numbers (`123 456 789`) and KID.
Amounts are `core.money.format_nok`. Used by the template filters (digifin/templatetags), PDFs,
e-mails, the admin and stored notes, so a figure reads the same everywhere. Groups are separated
by a no-break space, so a number never wraps across lines. Values that are not the expected
digits are returned as they are (a foreign account, an orgnr being typed)."""

from decimal import Decimal

from .money import NBSP, _group


def format_number(value) -> str:
    """A whole number grouped in thousands: `699 827`; negative with a minus sign."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("Pass int, Decimal or str, not float.")
    number = int(Decimal(value))
    text = _group(str(abs(number)))
    return f"−{text}" if number < 0 else text  # U+2212 minus sign


def _digits(value) -> str:
    return "".join(ch for ch in str(value) if not ch.isspace()) if value is not None else ""


def format_account_number(value) -> str:
    """A Norwegian bank account, 11 digits: `1234 56 78903`."""
    digits = _digits(value)
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:4]}{NBSP}{digits[4:6]}{NBSP}{digits[6:]}"
    return str(value or "")


def format_orgnr(value) -> str:
    """An organisation number from Enhetsregisteret, 9 digits: `123 456 789`."""
    digits = _digits(value)
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:3]}{NBSP}{digits[3:6]}{NBSP}{digits[6:]}"
    return str(value or "")


def format_kid(value) -> str:
    """A KID is typed into the bank digit for digit: shown unbroken, as the bank shows it."""
    return _digits(value)
