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
            record = send_once(
                key=f"{key}:u{user.pk}"[:160],
                to=user.email,
                subject=f"DigiFin: {subject()}",
                body=_text(body(), path, settings_line=True),
                attachments=[],
            )
        if record is not None:
            sent.append(user)
    return sent


def notify_addresses(
    *,
    addresses: Iterable[str],
    language: str,
    key: str,
    subject: Callable[[], str],
    body: Callable[[], str],
    path: str,
) -> list[str]:
    """E-mail people who have no account of their own (a proposal's contact persons) once
    each for the event `key`, in `language` (their organisation's målform: the caller passes
    invoicing.pdf.member_language). Returns the addresses e-mailed by this call."""
    sent = []
    for address in sorted({a.strip() for a in addresses if a and a.strip()}):
        with translation.override(language or settings.LANGUAGE_CODE):
            record = send_once(
                key=f"{key}:c{address.lower()}"[:160],
                to=address,
                subject=f"DigiFin: {subject()}",
                body=_text(body(), path, settings_line=False),
                attachments=[],
            )
        if record is not None:
            sent.append(address)
    return sent


def _text(body: str, path: str, *, settings_line: bool) -> str:
    """The message around `body`, in the active language: the link, where the user's tasks
    are, (for users) where notifications are changed, and the greeting."""
    lines = [body, "", absolute(path), ""]
    if settings_line:
        lines += [
            _("Du finner alt som venter på deg under «Mine oppgaver» i DigiFin."),
            _("Varsler kan endres under «Varsler og språk»: %(url)s")
            % {"url": absolute(reverse("accounts:notification_settings"))},
            "",
        ]
    lines.append(_("Vennlig hilsen\nKS, DigiFin"))
    return "\n".join(lines)
