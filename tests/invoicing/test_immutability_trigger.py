"""On PostgreSQL the database refuses to change an issued invoice's money or identity and to
delete invoices or their lines (migration 0003), while the changes the code makes after issue
(payment, credit note, files, e-mail) still go through."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from invoicing.models import Invoice, InvoiceLine
from invoicing.services import invoice_credit, invoice_deliver, register_payment
from tests.invoicing.factories import issue_manual

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"),
]


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match="immutable|cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "column, value",
    [
        ("total", Decimal("1.00")),
        ("net_total", Decimal("1.00")),
        ("buyer_name", "Someone else"),
        ("buyer_orgnr", "999999999"),
        ("kid", "0000000000"),
        ("number", "F2026-99999"),
        ("due_on", datetime.date(2030, 1, 1)),
        ("fakturareferanse", "OTHER"),
    ],
)
def test_database_refuses_raw_updates_of_an_issued_invoice(column, value):
    invoice = issue_manual()
    _refused(f"UPDATE invoicing_invoice SET {column} = %s WHERE id = %s", [value, invoice.pk])  # noqa: S608
    invoice.refresh_from_db()
    assert invoice.total == Decimal("1000.00")


def test_database_refuses_deleting_invoices_and_changing_their_lines():
    invoice = issue_manual()
    line = invoice.lines.get()
    _refused("DELETE FROM invoicing_invoice WHERE id = %s", [invoice.pk])
    _refused("UPDATE invoicing_invoiceline SET net_amount = 1 WHERE id = %s", [line.pk])
    _refused("DELETE FROM invoicing_invoiceline WHERE id = %s", [line.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).delete()  # the queryset skips Invoice.delete
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert InvoiceLine.objects.get(pk=line.pk).net_amount == Decimal("1000.00")


def test_the_changes_made_after_issue_still_go_through(ks_user):
    paid = issue_manual(amount="500.00")
    invoice_deliver(invoice=paid)  # files and the e-mail time
    paid.refresh_from_db()
    assert paid.pdf and paid.ehf_xml and paid.emailed_at is not None
    register_payment(
        amount=Decimal("500.00"), paid_on=datetime.date(2026, 11, 20), actor=ks_user, kid=paid.kid
    )
    paid.refresh_from_db()
    assert (paid.status, paid.paid_on) == (Invoice.Status.PAID, datetime.date(2026, 11, 20))

    credited = issue_manual(amount="300.00")
    invoice_credit(invoice=credited, actor=ks_user, reason="Feil beløp")
    credited.refresh_from_db()
    assert credited.status == Invoice.Status.CREDITED
