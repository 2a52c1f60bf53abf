"""The errors users read are marked for translation (English catalogue, locale/en)."""

import datetime
from decimal import Decimal

import pytest

from invoicing import camt054, handlers, kid, services
from invoicing.services import payments

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(monkeypatch):
    """Every gettext call in the invoicing modules returns the msgid wrapped in brackets."""
    for module in (payments, handlers, camt054, kid):
        monkeypatch.setattr(module, "gettext", lambda msgid: f"[{msgid}]")


def test_service_errors_go_through_gettext(marked):
    with pytest.raises(services.InvoicingError, match=r"^\[Beløpet må være større enn null\.\]$"):
        services.register_payment(amount=Decimal("0"), paid_on=datetime.date.today(), actor=None)
    with pytest.raises(services.InvoicingError, match=r"^\[Ukjent fakturatype: nope\]$"):
        handlers.register("nope", handlers.InvoiceHandler())


def test_bank_file_and_kid_errors_go_through_gettext(marked):
    with pytest.raises(services.InvoicingError, match=r"^\[Filen er ikke gyldig XML: "):
        camt054.parse(b"<not xml")
    with pytest.raises(ValueError, match=r"^\[Løpenummeret får ikke plass"):
        kid.make_kid(series_digit=1, year=2026, sequence=1_000_000)
