"""Invoice numbers: gapless per series and year, and the KID that goes with them."""

from django.db import IntegrityError, transaction

from .. import conf
from ..kid import make_kid
from ..models import Invoice, InvoiceNumberCounter


def next_sequence(*, series: str, year: int, count: int = 1) -> int:
    """The next gapless number in a series and year (the first of `count` consecutive ones).
    The counter row stays locked until the calling transaction ends, so each number is used by
    exactly one invoice or by none."""
    counter = InvoiceNumberCounter.objects.select_for_update().filter(series=series, year=year)
    row = counter.first()
    if row is None:
        try:
            with transaction.atomic():
                InvoiceNumberCounter.objects.create(series=series, year=year, last_number=0)
        except IntegrityError:
            pass  # created concurrently; lock it below
        row = counter.get()
    first = row.last_number + 1
    row.last_number += count
    row.save(update_fields=["last_number"])
    return first


def assign_number(invoice: Invoice, sequence: int) -> None:
    """Give a draft its number (series, year, sequence) and, for an invoice, its KID."""
    series, series_digit = conf.SERIES[invoice.document_type]
    year = invoice.issued_on.year
    invoice.series, invoice.year, invoice.sequence = series, year, sequence
    invoice.number = f"{series}{year}-{sequence:05d}"
    invoice.kid = (
        make_kid(series_digit=series_digit, year=year, sequence=sequence)
        if invoice.document_type == Invoice.DocumentType.INVOICE
        else ""
    )
