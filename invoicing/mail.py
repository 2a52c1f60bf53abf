"""E-mail, sent at most once per natural key.

The key is claimed (an OutgoingEmail row, unique) and committed before the message is handed to
the mail server; a worker killed between the claim and the send leaves the row in "sending",
which the staff page lists for a human instead of sending it twice.

`send_once` claims and sends one message. Invoice delivery claims its messages inside the
transaction that stores the invoices' files (`claim_many`, under the invoices' row locks) and
sends them after it commits (`send_claimed`). A message to several people (a proposal's
notification) is one row, recorded under its first recipient (`also_to` holds the others)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingEmail


@dataclass
class Message:
    key: str
    to: str
    subject: str
    body: str
    attachments: list[tuple[str, bytes, str]]
    document: object = None
    invoice: object = None
    also_to: list[str] = field(default_factory=list)


def claim_many(messages: list[Message]) -> list[tuple[OutgoingEmail, Message]]:
    """Claim the keys not claimed before, in the caller's transaction (two queries however many
    messages). The caller serialises claims of the same key (it holds a lock the other claimant
    also takes); a claim made concurrently anyway fails the transaction on the unique key."""
    messages = [m for m in messages if m.to]
    taken = set(
        OutgoingEmail.objects.filter(key__in=[m.key for m in messages]).values_list(
            "key", flat=True
        )
    )
    new = [m for m in messages if m.key not in taken]
    records = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            key=m.key, to=m.to, subject=m.subject[:200], document=m.document, invoice=m.invoice
        )
        for m in new
    )
    return list(zip(records, new, strict=True))


def send_claimed(record: OutgoingEmail, message: Message) -> None:
    """Hand a claimed message to the mail server. A failure is recorded on the row and raised;
    success is the caller's to record (mark_sent), for many rows at once."""
    email = EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to, *message.also_to],
    )
    for name, content, mimetype in message.attachments:
        email.attach(name, content, mimetype)
    try:
        email.send()
    except Exception as exc:  # the mail server's failure is recorded, not swallowed silently
        record.status, record.error = OutgoingEmail.Status.FAILED, str(exc)[:2000]
        record.save(update_fields=["status", "error"])
        raise


def mark_sent(records: list[OutgoingEmail]):
    """Record the sent messages (one update); returns the time recorded."""
    now = timezone.now()
    OutgoingEmail.objects.filter(pk__in=[r.pk for r in records]).update(
        status=OutgoingEmail.Status.SENT, sent_at=now
    )
    for record in records:
        record.status, record.sent_at = OutgoingEmail.Status.SENT, now
    return now


def send_once(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    document=None,
    invoice=None,
) -> OutgoingEmail | None:
    """Send unless `key` was already claimed. Returns the row when this call sent it."""
    if not to:
        return None
    message = Message(key, to, subject, body, attachments, document, invoice)
    try:
        with transaction.atomic():
            record = OutgoingEmail.objects.create(
                key=key, to=to, subject=subject[:200], document=document, invoice=invoice
            )
    except IntegrityError:
        return None
    send_claimed(record, message)
    mark_sent([record])
    return record
