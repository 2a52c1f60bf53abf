"""Two-factor authentication (TOTP) for KS staff: set up an authenticator app, then confirm a
six-digit code after each password login.

Setting up shows the authenticator's secret, so it needs more than the password: the session
must first prove the account's e-mail address with a one-time code sent there
(accounts/emailcodes.py). Otherwise anyone who learnt a password could register their own
authenticator before the owner did. The proof holds for DIGIFIN_ENROLMENT_MINUTES in that
session; the device (and so the secret) is made afresh when the proof succeeds."""

import base64
import time
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .emailcodes import check_code, live_code_exists, masked_address, send_code
from .models import EmailedCode

ENROLMENT = EmailedCode.Purpose.TOTP_ENROLMENT
PROOF_SESSION_KEY = "accounts_totp_enrolment_proof"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engangskode"),
        help_text=_("Seks sifre fra autentiseringsappen."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError(_("Koden stemmer ikke. Prøv den neste koden appen viser."))
        return token


class EmailCodeForm(forms.Form):
    email_code = forms.CharField(
        label=_("Kode fra e-posten"),
        help_text=_("Åtte sifre. Koden gjelder i noen minutter og kan bare brukes én gang."),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email_code(self):
        code = self.cleaned_data["email_code"].strip().replace(" ", "")
        if not code.isdigit() or not check_code(self.user, ENROLMENT, code):
            raise forms.ValidationError(
                _("Koden stemmer ikke, er brukt eller er utløpt. Be om en ny kode.")
            )
        return code


def _provisioning_uri(device: TOTPDevice, user) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _enrolment_proved(request) -> bool:
    proof = request.session.get(PROOF_SESSION_KEY) or {}
    age = time.time() - proof.get("at", 0)
    return proof.get("user") == request.user.pk and age < settings.DIGIFIN_ENROLMENT_MINUTES * 60


def _here(request) -> str:
    return f"{reverse('accounts:two_factor')}?{urlencode({'next': _next_url(request)})}"


def _prove_address(request):
    """Before the set-up: e-mail a one-time code to the account's address and check it."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    form = EmailCodeForm(request.POST if action == "verify" else None, user=user)
    context = {"proving": True, "next": _next_url(request), "form": form}
    if not user.email:
        context["no_email"] = True
        return render(request, "accounts/two_factor.html", context)
    context["address"] = masked_address(user.email)
    if action == "send":
        context["sent"] = send_code(user, ENROLMENT)
        context["refused"] = not context["sent"]
    elif action == "verify" and form.is_valid():
        # Proved: a fresh device, so no secret shown before this moment is of any use.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(user=user, confirmed=False, name="Autentiseringsapp")
        request.session[PROOF_SESSION_KEY] = {"user": user.pk, "at": time.time()}
        return redirect(_here(request))
    # The code form: while a code is live, and after a refused try (to say why).
    context["code_sent"] = form.is_bound or live_code_exists(user, ENROLMENT)
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor(request):
    """Set up an authenticator (first time, after proving the e-mail address) or confirm a
    code (every login)."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        if not _enrolment_proved(request):
            return _prove_address(request)
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Autentiseringsapp"}
        )
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(PROOF_SESSION_KEY, None)
        otp_login(request, device)
        return redirect(_next_url(request))
    context = {"form": form, "setting_up": setting_up, "next": _next_url(request)}
    if setting_up:
        uri = _provisioning_uri(device, user)
        context["qr_svg_data_uri"] = segno.make(uri, error="m").svg_data_uri(scale=5)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor.html", context)
