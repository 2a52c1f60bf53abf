"""ISO 20022 camt.054 (BankToCustomerDebitCreditNotification) import, matched by KID.

Every booked credit transaction becomes a Payment. The KID is the structured creditor reference
(RmtInf/Strd/CdtrRefInf/Ref); its external reference is the transaction's AcctSvcrRef, else the
entry's AcctSvcrRef/NtryRef plus the transaction's index, so the same transaction is never
booked twice, and the file's SHA-256 makes a re-import of the same file a no-op."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from lxml import etree

from core.bounds import MONEY_DECIMAL_PLACES, MONEY_MAX, booked_date_validators

from . import kid
from .models import BankImport, Payment
from .services import InvoicingError, register_payment


@dataclass(frozen=True)
class BankTransaction:
    external_ref: str
    amount: Decimal
    currency: str
    booked_on: datetime.date
    kid: str
    payer: str
    text: str


def _local(node, path: str):
    """XPath over local names, so camt.054.001.02 … .08 all parse."""
    steps = "/".join(f"*[local-name()='{p}']" for p in path.split("/"))
    return node.xpath(steps)


def _text(node, path: str) -> str:
    found = _local(node, path)
    return (found[0].text or "").strip() if found else ""


class _Refused(Exception):
    """One field of one entry is not acceptable; `parse` names the entry and refuses the file."""


def _amount(node) -> tuple[Decimal, str]:
    """(amount, currency) of an Amt element: a finite NOK amount above 0 with at most two
    decimals, within core.bounds' money maximum."""
    if node is None:
        raise _Refused(gettext("beløp mangler"))
    raw = (node.text or "").strip()
    try:
        amount = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise _Refused(
            gettext("beløpet «%(value)s» er ikke et tall") % {"value": raw[:40]}
        ) from None
    if not amount.is_finite():
        raise _Refused(gettext("beløpet «%(value)s» er ikke et tall") % {"value": raw[:40]})
    if amount <= 0:
        raise _Refused(gettext("beløpet må være større enn null"))
    if amount.as_tuple().exponent < -MONEY_DECIMAL_PLACES:
        raise _Refused(gettext("beløpet har mer enn to desimaler"))
    if amount > MONEY_MAX:
        raise _Refused(
            gettext("beløpet %(value)s er over grensen på %(limit)s kr")
            % {"value": raw[:40], "limit": MONEY_MAX}
        )
    currency = (node.get("Ccy") or "").strip()
    if currency != "NOK":
        raise _Refused(
            gettext("bare NOK støttes (fant «%(currency)s»)") % {"currency": currency[:10]}
        )
    return amount.quantize(Decimal("0.01")), currency


def _booked_on(raw: str) -> datetime.date:
    """The booking date: a real date, from the fund's start to today (core.bounds)."""
    if not raw:
        raise _Refused(gettext("bokføringsdato mangler"))
    try:
        booked = datetime.date.fromisoformat(raw)
    except ValueError:
        raise _Refused(
            gettext("bokføringsdatoen «%(value)s» er ikke en gyldig dato") % {"value": raw[:40]}
        ) from None
    for validate in booked_date_validators():
        try:
            validate(booked)
        except ValidationError as exc:
            raise _Refused(
                gettext("bokføringsdatoen %(value)s: %(error)s")
                % {"value": raw, "error": " ".join(exc.messages)}
            ) from None
    return booked


def _kid(raw: str) -> str:
    """Empty (a payment without KID, kept for a human) or a KID with a valid check digit."""
    if raw and not kid.is_valid(raw):
        raise _Refused(gettext("KID-en «%(value)s» har feil kontrollsiffer") % {"value": raw[:40]})
    return raw


def parse(content: bytes) -> tuple[str, list[BankTransaction]]:
    """(message id, booked credit transactions) of a camt.054 file. Every field is checked;
    one bad field refuses the whole file with the entry named (InvoicingError)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(content, parser)  # noqa: S320 - entities and network disabled
    except etree.XMLSyntaxError as exc:
        raise InvoicingError(
            gettext("Filen er ikke gyldig XML: %(error)s") % {"error": exc}
        ) from exc
    notification = _local(root, "BkToCstmrDbtCdtNtfctn")
    if not notification:
        raise InvoicingError(gettext("Filen er ikke en camt.054 (BkToCstmrDbtCdtNtfctn mangler)."))
    notification = notification[0]
    message_id = _text(notification, "GrpHdr/MsgId")
    result = []
    number = 0
    for ntfctn in _local(notification, "Ntfctn"):
        for entry in _local(ntfctn, "Ntry"):
            number += 1
            entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
            if _text(entry, "CdtDbtInd") != "CRDT":
                continue
            status = _text(entry, "Sts") or _text(entry, "Sts/Cd")
            if status and status != "BOOK":
                continue
            txs = _local(entry, "NtryDtls/TxDtls")
            index = 0
            try:
                booked = _booked_on(_text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")[:10])
                entry_amounts = _local(entry, "Amt")
                for index, tx in enumerate(txs, start=1):
                    amount_nodes = _local(tx, "Amt") or _local(tx, "AmtDtls/TxAmt/Amt")
                    node = amount_nodes[0] if amount_nodes else None
                    if node is None and len(txs) == 1 and entry_amounts:
                        node = entry_amounts[0]
                    amount, currency = _amount(node)
                    ref = _text(tx, "Refs/AcctSvcrRef") or f"{entry_ref}/{index}"
                    payer = _text(tx, "RltdPties/Dbtr/Nm") or _text(tx, "RltdPties/Dbtr/Pty/Nm")
                    text = " ".join(n.text or "" for n in _local(tx, "RmtInf/Ustrd")).strip()
                    result.append(
                        BankTransaction(
                            external_ref=f"camt054:{ref}"[:160],
                            amount=amount,
                            currency=currency,
                            booked_on=booked,
                            kid=_kid(_text(tx, "RmtInf/Strd/CdtrRefInf/Ref")),
                            payer=payer[:200],
                            text=text[:200],
                        )
                    )
            except _Refused as exc:
                where = (
                    gettext("post %(number)s (referanse %(ref)s), transaksjon %(index)s")
                    % {"number": number, "ref": entry_ref[:40] or "–", "index": index}
                    if index
                    else gettext("post %(number)s (referanse %(ref)s)")
                    % {"number": number, "ref": entry_ref[:40] or "–"}
                )
                raise InvoicingError(
                    gettext("Filen er avvist, ingenting er bokført: %(where)s: %(problem)s.")
                    % {"where": where, "problem": exc}
                ) from None
    return message_id, result


@transaction.atomic
def import_camt054(*, content: bytes, filename: str, actor) -> tuple[BankImport, bool]:
    """Import a bank file. Returns (the import, created): a file imported before books nothing.
    Every credit transaction is registered; unknown KIDs and partial or over-payments are kept
    unresolved for a human."""
    digest = hashlib.sha256(content).hexdigest()
    existing = BankImport.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    message_id, transactions = parse(content)
    try:
        # The checksum is the natural key: a race loser (the same file uploaded twice at once)
        # waits for the winner's commit on the unique index and books nothing.
        with transaction.atomic():
            bank_import = BankImport.objects.create(
                filename=filename[:200],
                sha256=digest,
                message_id=message_id[:120],
                imported_by=actor,
            )
    except IntegrityError:
        return BankImport.objects.get(sha256=digest), False
    for tx in transactions:
        register_payment(
            amount=tx.amount,
            paid_on=tx.booked_on,
            actor=actor,
            kid=tx.kid,
            reference=tx.text,
            payer=tx.payer,
            source=Payment.Source.CAMT054,
            external_ref=tx.external_ref,
            bank_import=bank_import,
        )
    return bank_import, True
