"""camt.054: every field parsed defensively. A bad field refuses the whole file with the entry
named; nothing is booked (no bank import, no payment, no ledger entry), and the page answers
with a message, never a 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fund.models import LedgerEntry
from invoicing.camt054 import import_camt054, parse
from invoicing.models import BankImport, Invoice, Payment
from invoicing.services import InvoicingError
from tests.invoicing.factories import issue_manual, member_with_address

pytestmark = pytest.mark.django_db

GOOD = {"amount": "1000.00", "ccy": "NOK", "booked": "2026-11-30", "kid": "12600000108"}


def _camt(second: dict) -> bytes:
    """A file of two entries: the first is always good, the second has the given fields."""

    def entry(n, f):
        return f"""
      <Ntry>
        <NtryRef>{n}</NtryRef>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{f["booked"]}</Dt></BookgDt>
        <AcctSvcrRef>REF-{n}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <AmtDtls><TxAmt><Amt Ccy="{f["ccy"]}">{f["amount"]}</Amt></TxAmt></AmtDtls>
          <RmtInf><Strd><CdtrRefInf><Ref>{f["kid"]}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>TEST-{abs(hash(str(second)))}</MsgId></GrpHdr>
    <Ntfctn>{entry(1, GOOD)}{entry(2, {**GOOD, **second})}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


@pytest.fixture
def invoice():
    invoice = issue_manual(buyer=member_with_address(), amount="1000", deliver=False)
    assert invoice.kid == "12600000108"
    return invoice


def _tomorrow() -> str:
    return (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


BAD = [
    ({"amount": "abc"}, "beløpet «abc» er ikke et tall"),
    ({"amount": ""}, "er ikke et tall"),
    ({"amount": "NaN"}, "beløpet «NaN» er ikke et tall"),
    ({"amount": "Infinity"}, "beløpet «Infinity» er ikke et tall"),
    ({"amount": "-Infinity"}, "er ikke et tall"),
    ({"amount": "1e20"}, "er over grensen"),
    ({"amount": "10000000000.01"}, "er over grensen"),
    ({"amount": "12.345"}, "mer enn to desimaler"),
    ({"amount": "-100.00"}, "større enn null"),
    ({"amount": "0.00"}, "større enn null"),
    ({"ccy": "EUR"}, "bare NOK støttes (fant «EUR»)"),
    ({"ccy": ""}, "bare NOK støttes"),
    ({"booked": "2026-13-45"}, "«2026-13-45» er ikke en gyldig dato"),
    ({"booked": ""}, "bokføringsdato mangler"),
    ({"booked": "9999-12-31"}, "fram i tid"),
    ({"booked": "2016-12-31"}, "før fondet startet"),
    ({"kid": "12600000107"}, "KID-en «12600000107» har feil kontrollsiffer"),
    ({"kid": "12600000１08"}, "har feil kontrollsiffer"),
]


@pytest.mark.parametrize(("fields", "problem"), BAD, ids=[str(f) for f, _ in BAD])
def test_a_bad_field_refuses_the_whole_file_naming_the_entry(ks_user, invoice, fields, problem):
    with pytest.raises(InvoicingError) as refused:
        import_camt054(content=_camt(fields), filename="bank.xml", actor=ks_user)
    message = str(refused.value)
    assert "post 2 (referanse REF-2)" in message
    if "booked" not in fields:  # the booking date is the entry's; the rest the transaction's
        assert "post 2 (referanse REF-2), transaksjon 1" in message
    assert problem in message
    assert "ingenting er bokført" in message
    # The good first entry is not booked either: the file is refused whole.
    assert not BankImport.objects.exists()
    assert not Payment.objects.exists()
    assert not LedgerEntry.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status != Invoice.Status.PAID


def test_a_booking_date_after_today_is_refused(ks_user, invoice):
    with pytest.raises(InvoicingError, match="fram i tid"):
        parse(_camt({"booked": _tomorrow()}))


def test_an_entry_without_an_amount_is_refused():
    content = _camt({}).replace(
        b'<AmtDtls><TxAmt><Amt Ccy="NOK">1000.00</Amt></TxAmt></AmtDtls>', b"", 2
    )
    with pytest.raises(InvoicingError, match="beløp mangler"):
        parse(content)


def test_the_good_file_still_books_and_rounds_nothing(ks_user, invoice):
    bank_import, created = import_camt054(
        content=_camt({"kid": "", "amount": "5"}), filename="bank.xml", actor=ks_user
    )
    assert created
    assert sorted(p.amount for p in bank_import.payments.all()) == [5, 1000]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@pytest.mark.parametrize("amount", ["1e20", "abc", "NaN"])
def test_the_upload_page_answers_with_the_reason_not_a_500(ks_client, invoice, amount):
    upload = ("bank.xml", _camt({"amount": amount}), "application/xml")
    response = ks_client.post(
        reverse("invoicing:bank_import"),
        {"file": SimpleUploadedFile(*upload)},
        follow=True,
    )
    assert response.status_code == 200
    assert "post 2 (referanse REF-2)" in response.content.decode()
    assert not Payment.objects.exists()
    for name in ["invoicing:staff_overview", "overview:fund_overview"]:
        assert ks_client.get(reverse(name)).status_code == 200
