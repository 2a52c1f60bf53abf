"""KID (kundeidentifikasjon) payment references.

Layout (11 digits): S YY NNNNNN V C
  S       series digit (1 = invoices)
  YY      the invoice year's last two digits
  NNNNNN  the invoice's sequence number in that series and year, zero-padded
  V       a variant digit, normally 0
  C       the check digit: MOD10 (Luhn, python-stdnum) by default, MOD11 if configured.
In MOD11 a remainder of 10 gives no valid check digit; then we pick the next number by raising
V to 1 (changing V always changes the weighted sum, so V=1 is valid when V=0 is not)."""

from django.utils.translation import gettext
from stdnum import luhn

from . import conf

KID_LENGTH = 11


def mod11_check_digit(number: str) -> str | None:
    """MOD11 with weights 2..7 from the right (NS 4909 / Nets). None when the remainder is 10."""
    weights = [2, 3, 4, 5, 6, 7]
    total = sum(int(d) * weights[i % 6] for i, d in enumerate(reversed(number)))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return None
    return str(check)


def is_valid(kid: str, method: str | None = None) -> bool:
    method = method or conf.kid_method()
    # ASCII digits only: str.isdigit() also accepts "²" and other Unicode digits.
    if not (kid.isascii() and kid.isdigit()) or not 2 <= len(kid) <= 25:
        return False
    if method == "mod11":
        return mod11_check_digit(kid[:-1]) == kid[-1]
    return luhn.is_valid(kid)


def make_kid(*, series_digit: int, year: int, sequence: int, method: str | None = None) -> str:
    method = method or conf.kid_method()
    if not 0 <= sequence <= 999_999:
        raise ValueError(gettext("Løpenummeret får ikke plass i KID-en (maks 999999)."))
    for variant in range(10):
        base = f"{series_digit}{year % 100:02d}{sequence:06d}{variant}"
        if method == "mod11":
            check = mod11_check_digit(base)
            if check is None:
                continue  # remainder 10: pick the next number
        elif method == "mod10":
            check = luhn.calc_check_digit(base)
        else:
            raise ValueError(gettext("Ukjent KID-metode: %(method)s") % {"method": method})
        return base + check
    raise AssertionError("unreachable: a variant digit always gives a MOD11 check digit")


# Luhn: the digit doubled and its digits summed (0→0, 1→2, …, 5→1+0, …, 9→1+8).
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _luhn_ok(kid: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(kid)):
        digit = ord(ch) - 48
        total += _LUHN_DOUBLED[digit] if i & 1 else digit
    return total % 10 == 0


def invalid_kids(kids, method: str | None = None) -> list[str]:
    """Of `kids`, those that fail is_valid, for many at once (the reconciliation checks every
    invoice's KID nightly): the method is read once and MOD10 is a table lookup per digit."""
    method = method or conf.kid_method()
    out = []
    for kid in kids:
        if not (kid.isascii() and kid.isdigit()) or not 2 <= len(kid) <= 25:
            out.append(kid)
        elif method == "mod11":
            if mod11_check_digit(kid[:-1]) != kid[-1]:
                out.append(kid)
        elif not _luhn_ok(kid):
            out.append(kid)
    return out
