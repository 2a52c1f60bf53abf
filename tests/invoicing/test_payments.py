import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from fund.models import LedgerEntry
from invoicing import handlers
from invoicing.camt054 import import_camt054, parse
from invoicing.models import BankImport, Invoice, Payment
from invoicing.services import InvoicingError, invoice_balance, register_payment
from members.invoicing import share_invoice_issue
from members.models import Participation
from tests.invoicing.factories import confirmed_participation, issue_manual, member_with_address

pytestmark = pytest.mark.django_db
CAMT = Path(__file__).parent / "data" / "camt054-dnb-2026-12-01.xml"


@pytest.fixture
def share_invoice(ks_user, monkeypatch):
    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("555700.00")
    )
    participation = confirmed_participation(actor=ks_user)
    return share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 11, 2), actor=ks_user
    )


def _participation(invoice):
    return Participation.objects.get(member=invoice.buyer)


def test_share_payment_books_the_ledger_and_marks_the_participation_paid(share_invoice, ks_user):
    payment = register_payment(
        invoice=share_invoice,
        amount=Decimal("555700"),
        paid_on=datetime.date(2026, 11, 20),
        actor=ks_user,
    )
    share_invoice.refresh_from_db()
    assert payment.resolved
    assert share_invoice.status == Invoice.Status.PAID
    assert share_invoice.paid_on == datetime.date(2026, 11, 20)
    assert _participation(share_invoice).status == Participation.Status.PAID
    entry = LedgerEntry.objects.get(member=share_invoice.buyer)
    assert entry.amount == Decimal("555700.00")
    assert entry.kind == LedgerEntry.Kind.MEMBER_SHARE
    assert entry.subject == share_invoice


def test_partial_payment_is_listed_for_a_human_and_keeps_the_invoice_open(share_invoice):
    payment = register_payment(
        invoice=share_invoice,
        amount=Decimal("100000"),
        paid_on=datetime.date(2026, 11, 20),
        actor=None,
    )
    share_invoice.refresh_from_db()
    assert not payment.resolved and "Delbetaling" in payment.note
    # in the one Norwegian format, never "150000.00 gjenstår" (issue 20 §3)
    assert re.search(r"Delbetaling: [\d\xa0]+,\d{2}\xa0kr gjenstår", payment.note), payment.note
    assert share_invoice.status == Invoice.Status.PARTLY_PAID
    assert invoice_balance(invoice=share_invoice) == Decimal("455700.00")
    assert _participation(share_invoice).status == Participation.Status.INVOICED


def test_over_payment_is_listed_for_a_human(share_invoice):
    payment = register_payment(
        kid=share_invoice.kid,
        amount=Decimal("556000"),
        paid_on=datetime.date(2026, 11, 20),
        actor=None,
    )
    assert payment.invoice == share_invoice
    assert not payment.resolved and "Overbetaling" in payment.note


def test_the_same_external_reference_is_booked_once(share_invoice):
    for _ in range(2):
        register_payment(
            kid=share_invoice.kid,
            amount=Decimal("555700"),
            paid_on=datetime.date(2026, 11, 20),
            actor=None,
            external_ref="bank:1",
        )
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_unknown_kid_is_kept_unmatched():
    payment = register_payment(
        kid="99900000017", amount=Decimal("10"), paid_on=datetime.date(2026, 11, 20), actor=None
    )
    assert payment.invoice is None and not payment.resolved


def test_zero_or_negative_amounts_are_refused():
    with pytest.raises(InvoicingError):
        register_payment(amount=Decimal("0"), paid_on=datetime.date(2026, 1, 1), actor=None)
    assert not Payment.objects.exists()


class _Recorder(handlers.InvoiceHandler):
    def __init__(self):
        self.calls = []

    def paid(self, **kw):
        self.calls.append(kw)


def test_a_payment_calls_the_handlers_registered_for_its_kind(monkeypatch):
    first, second = _Recorder(), type("_Second", (_Recorder,), {})()
    monkeypatch.setitem(handlers._HANDLERS, "access_fee", [])
    handlers.register("access_fee", first)
    handlers.register("access_fee", second)
    invoice = issue_manual(kind="access_fee", amount="30000")
    payment = register_payment(
        kid=invoice.kid,
        amount=Decimal("30000"),
        paid_on=datetime.date(2026, 12, 1),
        actor=None,
    )
    assert [c["payment"] for c in first.calls] == [payment]
    assert [c["invoice"] for c in second.calls] == [invoice]
    assert not LedgerEntry.objects.exists()  # the owning app books it, not invoicing


def test_registering_a_handler_for_an_unknown_kind_is_refused():
    with pytest.raises(InvoicingError):
        handlers.register("gift", handlers.InvoiceHandler())


def test_camt054_parser_reads_booked_credit_transactions_only():
    message_id, txs = parse(CAMT.read_bytes())
    assert message_id == "DNB20261201073012345"
    assert [(t.kid, t.amount) for t in txs] == [
        ("12600000108", Decimal("555700.00")),
        ("12600000207", Decimal("1000.00")),
        ("12600000306", Decimal("3500.00")),
        ("99900000011", Decimal("250.00")),
    ]
    assert txs[0].payer == "LILLEHAMMER KOMMUNE"
    assert txs[2].external_ref == "camt054:2026113000012346/1"


def test_camt054_import_pays_by_kid_and_lists_the_rest_and_is_idempotent(ks_user):
    paid = issue_manual(buyer=member_with_address(), amount="555700", source_key="a")
    partly = issue_manual(buyer=member_with_address(), amount="2000", source_key="b")
    over = issue_manual(buyer=member_with_address(), amount="3000", source_key="c")
    assert [paid.kid, partly.kid, over.kid] == ["12600000108", "12600000207", "12600000306"]

    bank_import, created = import_camt054(
        content=CAMT.read_bytes(), filename="x.xml", actor=ks_user
    )
    assert created
    for invoice in (paid, partly, over):
        invoice.refresh_from_db()
    assert paid.status == Invoice.Status.PAID
    assert partly.status == Invoice.Status.PARTLY_PAID
    assert over.status == Invoice.Status.PAID
    unresolved = Payment.objects.filter(resolved=False)
    assert {(p.kid, p.invoice_id) for p in unresolved} == {
        ("12600000207", partly.pk),
        ("12600000306", over.pk),
        ("99900000011", None),
    }

    again, created = import_camt054(content=CAMT.read_bytes(), filename="x.xml", actor=ks_user)
    assert not created and again == bank_import
    assert Payment.objects.count() == 4
    assert BankImport.objects.count() == 1


def test_a_file_that_is_not_camt054_changes_nothing():
    with pytest.raises(InvoicingError):
        import_camt054(content=b"<foo/>", filename="x.xml", actor=None)
    with pytest.raises(InvoicingError):
        import_camt054(content=b"not xml", filename="x.xml", actor=None)
    assert not BankImport.objects.exists()
