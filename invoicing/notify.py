"""Notifications to people (users), sent like every e-mail through invoicing's mail module.

`notify_users` sends one message per user, each claimed by its own key (`<event key>:u<user
id>`, `mail.send_once`), so an event that is reported twice (a proposal saved twice, a task
run again) e-mails nobody twice. Each message is written in the recipient's language
(`User.language`) and carries an absolute link to the task. A notification the user turned
off is not sent unless it is essential (accounts/notifications.py). The apps decide *when*
(their events call this); this module decides *how*."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.notifications import KINDS, wants

from .mail import send_once


def absolute(path: str) -> str:
    return f"{settings.DIGIFIN_SITE_URL}{path}"


def notify_users(
    *,
    kind: str,
    users: Iterable,
    key: str,
    subject: Callable[[], str],
    body: Callable[[], str],
    path: str,
) -> list:
    """E-mail each active user with an address once for the event `key`. `subject` and `body`
    are called with the user's language active (so their gettext strings follow it). Returns
    the users e-mailed by this call."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    sent = []
    for user in users:
        if not (user.is_active and user.email and wants(user, kind)):
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text = "\n".join(
                [
                    body(),
                    "",
                    absolute(path),
                    "",
                    _("Du finner alt som venter på deg under «Mine oppgaver» i DigiFin."),
                    _("Varsler kan endres under «Varsler og språk»: %(url)s")
                    % {"url": absolute(reverse("accounts:notification_settings"))},
                    "",
                    _("Vennlig hilsen\nKS, DigiFin"),
                ]
            )
            record = send_once(
                key=f"{key}:u{user.pk}"[:160],
                to=user.email,
                subject=f"DigiFin: {subject()}",
                body=text,
                attachments=[],
            )
        if record is not None:
            sent.append(user)
    return sent
