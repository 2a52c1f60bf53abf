"""Throttle for password reset e-mails: at most DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR
e-mails to one address and DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR requests from one client
address (accounts/client_ip.py) in any hour.

Counted in the database (accounts.PasswordResetRequest), not the cache: the web service runs
several processes, and Django's default cache is per process. The table holds an hour of
rows; older ones are deleted as new requests come in."""

import datetime
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .client_ip import client_ip
from .models import PasswordResetRequest

WINDOW = datetime.timedelta(hours=1)
log = logging.getLogger(__name__)


def address_digest(email: str) -> str:
    return salted_hmac("accounts.password_reset.address", email.strip().lower()).hexdigest()


def _valid_ip(address):
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def allow_password_reset(request, email: str) -> bool:
    """Record a password reset request and say whether its e-mail may be sent."""
    now = timezone.now()
    since = now - WINDOW
    PasswordResetRequest.objects.filter(created_at__lt=since).delete()
    digest = address_digest(email)
    ip = _valid_ip(client_ip(request))
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    allowed = (
        ip is None
        or recent.filter(client_ip=ip).count() < settings.DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR
    ) and (
        recent.filter(address_digest=digest, sent=True).count()
        < settings.DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR
    )
    PasswordResetRequest.objects.create(address_digest=digest, client_ip=ip, sent=allowed)
    if not allowed:
        log.warning("Password reset throttled (client %s); no e-mail sent", ip)
    return allowed


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password reset, sending nothing over the limits. The user is sent to the same
    "if the address exists, we have sent a link" page either way: the answer tells nobody
    whether an address has an account, or whether it was throttled."""

    def form_valid(self, form):
        if allow_password_reset(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
