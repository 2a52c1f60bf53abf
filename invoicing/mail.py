"""E-mail, sent at most once per natural key.

The key is claimed (an OutgoingEmail row, unique) and committed before the message is handed to
the mail server; a worker killed between the claim and the send leaves the row in "sending",
which the staff page lists for a human instead of sending it twice."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingEmail


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
    try:
        with transaction.atomic():
            record = OutgoingEmail.objects.create(
                key=key, to=to, subject=subject[:200], document=document, invoice=invoice
            )
    except IntegrityError:
        return None
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    try:
        message.send()
    except Exception as exc:  # the mail server's failure is recorded, not swallowed silently
        record.status, record.error = OutgoingEmail.Status.FAILED, str(exc)[:2000]
        record.save(update_fields=["status", "error"])
        raise
    record.status, record.sent_at = OutgoingEmail.Status.SENT, timezone.now()
    record.save(update_fields=["status", "sent_at"])
    return record
