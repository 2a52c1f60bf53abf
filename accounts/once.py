"""Exactly-once for every form a person can double-click: one mechanism for the project.

A form carries a one-time token (`{% once_token %}` in accounts/templatetags/once.py), signed
with the user's id so it cannot be forged or used by someone else. The view wraps its one
service call in `consume_once(request, purpose)`: the token is written as a row with a unique
constraint inside the same transaction as the write. A second request with the same token
waits for the first (PostgreSQL: the unique index; SQLite: the IMMEDIATE write lock) and then
finds the row, so nothing is done twice; it gets "Dette er allerede registrert" and a link to
what the first did (`once.result_url`). If the first fails, its transaction is rolled back with
the token and the form can be sent again. Where a natural key exists (a bank file's checksum, a
status report's period) that key is the guard instead. See
docs/decisions/hardening-exactly-once.md."""

import datetime
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, OperationalError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import OnceToken

FIELD = "once_token"
SALT = "digifin.once"
MAX_AGE = 7 * 24 * 3600  # a form may stay open for a working week before it must be reloaded


class OnceRefused(Exception):
    """The request is not carried out; `once_refused_response` turns it into an answer."""


class OnceMissing(OnceRefused):
    """No token, a forged or expired one, or another user's."""


class OnceAlreadyDone(OnceRefused):
    def __init__(self, result_url: str = ""):
        super().__init__(result_url)
        self.result_url = result_url


class OnceBusy(OnceRefused):
    """SQLite could not get the write lock in time (settings: `timeout`)."""


def purge_consumed(*, now=None) -> int:
    """Delete the rows of tokens consumed more than MAX_AGE ago (nightly, accounts.tasks). Safe:
    a token is signed before it is consumed, so once its row is that old the signature has
    expired and `_verified_nonce` refuses it before the row would be looked for."""
    now = now or timezone.now()
    deleted, _by_model = OnceToken.objects.filter(
        consumed_at__lt=now - datetime.timedelta(seconds=MAX_AGE)
    ).delete()
    return deleted


def issue_token(user) -> str:
    """A new token for a form rendered to `user`."""
    nonce = secrets.token_urlsafe(24)
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}:{nonce}")


def _verified_nonce(request) -> str:
    value = request.POST.get(FIELD, "")
    if not value or len(value) > 200:
        raise OnceMissing
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign(value, max_age=MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise OnceMissing from exc
    user_id, _sep, nonce = payload.partition(":")
    if user_id != str(request.user.pk) or not nonce:
        raise OnceMissing
    return nonce


@dataclass
class Once:
    token: OnceToken
    result_url: str = ""


@contextmanager
def consume_once(request, purpose: str):
    """Run the block at most once per form token, in one transaction with the token's row.
    Raises OnceMissing, OnceAlreadyDone or OnceBusy (all OnceRefused) before anything is done."""
    nonce = _verified_nonce(request)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = OnceToken.objects.create(
                        token=nonce, user=request.user, purpose=purpose[:80]
                    )
            except IntegrityError:
                first = OnceToken.objects.filter(token=nonce).first()
                raise OnceAlreadyDone(first.result_url if first else "") from None
            once = Once(token=row)
            yield once
            if once.result_url:
                OnceToken.objects.filter(pk=row.pk).update(result_url=once.result_url[:500])
    except OperationalError as exc:
        if "locked" in str(exc):  # SQLite under load: a message, never a 500
            raise OnceBusy from exc
        raise


def _safe(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def once_refused_response(request, exc: OnceRefused, *, fallback_url: str):
    """The answer to a refused request: already done → back to what the first did, with a
    message and link; busy → back with a message; no valid token → 400 with a message."""
    if isinstance(exc, OnceAlreadyDone):
        target = _safe(request, exc.result_url) or fallback_url
        messages.info(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Dette er allerede registrert."),
                target,
                _("Se det som ble registrert."),
            ),
        )
        return redirect(target)
    if isinstance(exc, OnceBusy):
        messages.error(request, _("Systemet er opptatt akkurat nå. Prøv igjen om litt."))
        return redirect(fallback_url)
    return render(
        request,
        "accounts/once_refused.html",
        {"back": fallback_url},
        status=400,
    )
