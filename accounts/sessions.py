"""How long a login lasts: KS staff (who can see and change everything) for
DIGIFIN_STAFF_SESSION_HOURS, everybody else for DIGIFIN_SESSION_HOURS, counted from the login and
not extended by activity (docs/decisions/accounts-sessions-and-throttling.md)."""

import datetime

from django.conf import settings
from django.utils import timezone


def is_staff_session(user) -> bool:
    return bool(user.is_staff or getattr(user, "is_ks_staff", False))


def session_hours(user) -> float:
    if is_staff_session(user):
        return settings.DIGIFIN_STAFF_SESSION_HOURS
    return settings.DIGIFIN_SESSION_HOURS


def set_session_lifetime(sender, request, user, **kwargs):
    """user_logged_in receiver: the session ends a fixed time after the login (an absolute
    expiry date, so a session kept busy does not live on)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.set_expiry(timezone.now() + datetime.timedelta(hours=session_hours(user)))
