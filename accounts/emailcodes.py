"""One-time codes sent by e-mail (accounts.EmailedCode): proof that the person signed in with a
password also reads the account's mailbox. Eight digits, valid DIGIFIN_EMAIL_CODE_MINUTES, used
once, DIGIFIN_EMAIL_CODE_ATTEMPTS tries per code, at most DIGIFIN_EMAIL_CODES_PER_HOUR codes per
user and purpose an hour. Only a keyed hash of the code is stored; a new code cancels the older
ones."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .models import EmailedCode

CODE_DIGITS = 8
KEEP = datetime.timedelta(days=1)
log = logging.getLogger(__name__)


def _digest(user, purpose: str, code: str) -> str:
    return salted_hmac("accounts.emailed_code", f"{user.pk}:{purpose}:{code}").hexdigest()


def masked_address(email: str) -> str:
    """k…@ks.no: enough for the user to recognise the address, not enough to harvest it."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def live_code_exists(user, purpose: str) -> bool:
    return EmailedCode.objects.filter(
        user=user,
        purpose=purpose,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
        attempts__lt=settings.DIGIFIN_EMAIL_CODE_ATTEMPTS,
    ).exists()


@transaction.atomic
def send_code(user, purpose: str) -> bool:
    """Make a code and e-mail it to the user. False (nothing sent) without an address or over
    the hourly limit."""
    if not user.email:
        return False
    now = timezone.now()
    EmailedCode.objects.filter(created_at__lt=now - KEEP).delete()
    mine = EmailedCode.objects.filter(user=user, purpose=purpose)
    recent = mine.filter(created_at__gte=now - datetime.timedelta(hours=1)).count()
    if recent >= settings.DIGIFIN_EMAIL_CODES_PER_HOUR:
        log.warning("E-mailed code refused for user %s: %s codes in the last hour", user.pk, recent)
        return False
    mine.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings.DIGIFIN_EMAIL_CODE_MINUTES
    EmailedCode.objects.create(
        user=user,
        purpose=purpose,
        code_digest=_digest(user, purpose, code),
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    context = {"user": user, "code": code, "minutes": minutes}
    send_mail(
        _("Engangskode for DigiFin"),
        render_to_string("accounts/emailed_code_email.txt", context),
        None,
        [user.email],
    )
    return True


@transaction.atomic
def check_code(user, purpose: str, code: str) -> bool:
    """True once for the right code of the user's live code; every try counts."""
    row = (
        EmailedCode.objects.select_for_update()
        .filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= settings.DIGIFIN_EMAIL_CODE_ATTEMPTS:
        return False
    row.attempts += 1
    right = constant_time_compare(row.code_digest, _digest(user, purpose, code.strip()))
    if right:
        row.used_at = timezone.now()
    row.save(update_fields=["attempts", "used_at"])
    return right
