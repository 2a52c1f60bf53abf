"""ISO 20022 camt.054 (BankToCustomerDebitCreditNotification) import, matched by KID.

Every booked credit transaction becomes a Payment. The KID is the structured creditor reference
(RmtInf/Strd/CdtrRefInf/Ref); its external reference is the transaction's AcctSvcrRef, else the
entry's AcctSvcrRef/NtryRef plus the transaction's index, so the same transaction is never
booked twice, and the file's SHA-256 makes a re-import of the same file a no-op."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext
from lxml import etree

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


def parse(content: bytes) -> tuple[str, list[BankTransaction]]:
    """(message id, booked credit transactions) of a camt.054 file."""
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
    for ntfctn in _local(notification, "Ntfctn"):
        for entry in _local(ntfctn, "Ntry"):
            if _text(entry, "CdtDbtInd") != "CRDT":
                continue
            status = _text(entry, "Sts") or _text(entry, "Sts/Cd")
            if status and status != "BOOK":
                continue
            booked = _text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")[:10]
            entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
            txs = _local(entry, "NtryDtls/TxDtls")
            for index, tx in enumerate(txs, start=1):
                amount_nodes = _local(tx, "Amt") or _local(tx, "AmtDtls/TxAmt/Amt")
                amount_node = amount_nodes[0] if amount_nodes else _local(entry, "Amt")[0]
                ref = _text(tx, "Refs/AcctSvcrRef") or f"{entry_ref}/{index}"
                result.append(
                    BankTransaction(
                        external_ref=f"camt054:{ref}",
                        amount=Decimal(amount_node.text.strip()),
                        currency=amount_node.get("Ccy", "NOK"),
                        booked_on=datetime.date.fromisoformat(booked),
                        kid=_text(tx, "RmtInf/Strd/CdtrRefInf/Ref"),
                        payer=_text(tx, "RltdPties/Dbtr/Nm") or _text(tx, "RltdPties/Dbtr/Pty/Nm"),
                        text=" ".join(n.text or "" for n in _local(tx, "RmtInf/Ustrd")).strip(),
                    )
                )
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
    bank_import = BankImport.objects.create(
        filename=filename[:200], sha256=digest, message_id=message_id[:120], imported_by=actor
    )
    for tx in transactions:
        if tx.currency != "NOK":
            raise InvoicingError(
                gettext("Bare NOK støttes (fant %(currency)s).") % {"currency": tx.currency}
            )
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
