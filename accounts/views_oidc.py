"""The login pages around the providers: start, callback, the refusal page, the invitation link,
logout at the provider, the login page with its buttons, and the privacy statement."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .forms import LoginForm
from .identity import INVITATION_SESSION_KEY, invitation_by_token, invitation_status
from .oidc import (
    LOGIN_SESSION_KEY,
    REFUSAL_SESSION_KEY,
    ProviderUnavailable,
    configured_providers,
    discovery,
    provider_config,
    provider_setting,
)

PROVIDER_LABELS = {
    "idporten": _("Logg inn med ID-porten"),
    "entra": _("Logg inn med Entra ID (KS-ansatte)"),
}

# Why a login was refused, as the person reads it, and what to do.
REASONS = {
    "no_invitation": _(
        "Du er ikke registrert som bruker av DigiFin. Tilgang gis etter invitasjon: be "
        "kommunens kontaktperson for DigiFin eller KS (digiprosjekter@ks.no) om en invitasjon "
        "til din organisasjon, og bruk lenken i e-posten før du logger inn med ID-porten."
    ),
    "invitation_expired": _(
        "Invitasjonen er utløpt. Be KS (digiprosjekter@ks.no) om en ny invitasjon."
    ),
    "invitation_used": _(
        "Invitasjonen er allerede brukt. En invitasjon kan bare brukes én gang; har du "
        "allerede logget inn med den, logger du inn med ID-porten uten lenken."
    ),
    "invitation_revoked": _(
        "Invitasjonen er trukket tilbake av KS. Ta kontakt med KS (digiprosjekter@ks.no)."
    ),
    "invitation_unknown": _(
        "Lenken er ikke en gyldig invitasjon. Sjekk at hele lenken fra e-posten er med, eller "
        "be KS (digiprosjekter@ks.no) om en ny invitasjon."
    ),
    "not_staff": _(
        "Kontoen din i KS' Entra ID gir ikke tilgang til DigiFin. KS-ansatte får tilgang "
        "gjennom gruppen for DigiFin; be KS' IT-avdeling om å bli lagt til."
    ),
    "inactive": _("Brukeren din i DigiFin er deaktivert. Ta kontakt med KS."),
    "level_too_low": _(
        "DigiFin krever innlogging på sikkerhetsnivå betydelig eller høyt (for eksempel MinID, "
        "BankID eller Buypass)."
    ),
    "token_invalid": _(
        "Innloggingen kunne ikke bekreftes, og du er ikke logget inn. Prøv igjen; skjer det "
        "igjen, ta kontakt med KS."
    ),
    "cancelled": _("Innloggingen ble avbrutt. Du er ikke logget inn."),
    "unavailable": _(
        "Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt, eller ta kontakt med KS."
    ),
}


def _provider_or_404(key: str) -> None:
    if provider_config(key) is None:
        raise Http404


def _refused(request, reason: str, status: int = 403):
    return render(
        request,
        "accounts/oidc_refused.html",
        {"reason": REASONS.get(reason, REASONS["token_invalid"]), "reason_key": reason},
        status=status,
    )


class OIDCStartView(OIDCAuthenticationRequestView):
    """Redirect to the provider with state, nonce and a PKCE challenge."""

    provider: str = ""

    def __init__(self, **kwargs):
        # Skip the library's __init__: it reads the endpoints, and a provider that is not
        # configured or not reachable must give a page, not an exception.
        View.__init__(self, **kwargs)

    def get_settings(self, attr, *args):
        return provider_setting(self.provider, attr, *args)

    def get(self, request):
        _provider_or_404(self.provider)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable:
            return _refused(request, "unavailable", status=503)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)

    def get_extra_params(self, request):
        params = {"ui_locales": "nb"}
        acr = provider_config(self.provider).get("acr_values")
        if acr:
            params["acr_values"] = acr
        return params


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    provider: str = ""

    def get_settings(self, attr, *args):
        if attr in ("LOGIN_REDIRECT_URL_FAILURE",):
            return reverse("accounts:oidc_refused")
        return provider_setting(self.provider, attr, *args)

    def get(self, request):
        _provider_or_404(self.provider)
        request.digifin_oidc_provider = self.provider
        request.digifin_oidc_login = None
        if request.GET.get("error"):
            request.session[REFUSAL_SESSION_KEY] = "cancelled"
        states = request.session.get("oidc_states") or {}
        if "code" in request.GET and request.GET.get("state") not in states:
            # A callback this browser did not start (or a replayed one).
            request.session[REFUSAL_SESSION_KEY] = "token_invalid"
            return self.login_failure()
        return super().get(request)

    def login_failure(self):
        request = self.request
        if not request.session.get(REFUSAL_SESSION_KEY):
            request.session[REFUSAL_SESSION_KEY] = "token_invalid"
        return super().login_failure()

    def login_success(self):
        request = self.request
        login = request.digifin_oidc_login
        if request.user.is_authenticated and request.user != self.user:
            auth.logout(request)
        # The session then reads the user as every other login does (with its organisation).
        auth.login(request, self.user, backend="accounts.backends.ModelBackend")
        # The session ends when the id_token does, and never later than the role's hours.
        token_end = datetime.datetime.fromtimestamp(login["exp"], tz=datetime.UTC)
        request.session.set_expiry(min(request.session.get_expiry_date(), token_end))
        request.session[LOGIN_SESSION_KEY] = {
            "provider": login["provider"],
            "mfa_at_idp": login["mfa_at_idp"],
            "exp": login["exp"],
        }
        # For the logout at the provider (id_token_hint) only; gone with the session.
        request.session["digifin_oidc_id_token"] = login["id_token"]
        request.session.pop(INVITATION_SESSION_KEY, None)
        return HttpResponseRedirect(self.success_url)


def oidc_refused(request):
    """Where a refused callback lands: why, and how to get access (an information page)."""
    reason = request.session.pop(REFUSAL_SESSION_KEY, None) or "no_invitation"
    return _refused(request, reason, status=200)


def invitation(request, token: str):
    """The link in the invitation e-mail: say whose invitation it is and keep it in this
    browser's session for the ID-porten login that follows. Nothing is used up here."""
    found = invitation_by_token(token)
    status = invitation_status(found)
    if status != "valid":
        return _refused(request, f"invitation_{status}", status=404 if found is None else 410)
    request.session[INVITATION_SESSION_KEY] = found.token_digest
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": found,
            "idporten": provider_config("idporten") is not None,
        },
    )


def privacy(request):
    return render(request, "accounts/privacy.html")


class LoginView(auth_views.LoginView):
    """The login page: a button per configured provider, and the password form unless
    DIGIFIN_PASSWORD_LOGIN is off (production may switch it off)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = self.get_redirect_url()
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        context["oidc_buttons"] = [
            {
                "key": key,
                "label": PROVIDER_LABELS[key],
                "url": reverse(f"accounts:oidc_start_{key}") + query,
            }
            for key in configured_providers()
        ]
        context["password_login"] = settings.DIGIFIN_PASSWORD_LOGIN
        return context

    def post(self, request, *args, **kwargs):
        if not settings.DIGIFIN_PASSWORD_LOGIN:
            return HttpResponseForbidden(_("Innlogging med passord er slått av."))
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Log out here, and at the provider the user came from (its end_session_endpoint).

    The page that answers the logout form sends the browser on to the provider (a meta
    refresh and a link): a redirect straight from the form's POST would leave our origin inside
    a form submission, which the Content-Security-Policy (form-action 'self') forbids."""

    def post(self, request, *args, **kwargs):
        login = request.session.get(LOGIN_SESSION_KEY) or {}
        id_token = request.session.get("digifin_oidc_id_token")
        response = super().post(request, *args, **kwargs)
        key = login.get("provider")
        if not key or not id_token or provider_config(key) is None:
            return response
        try:
            end_session = discovery(key).get("end_session_endpoint")
        except ProviderUnavailable:
            return response
        if not end_session:
            return response
        params = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("home")),
        }
        return render(
            request,
            "accounts/provider_logout.html",
            {"end_session_url": f"{end_session}?{urlencode(params)}", "provider": key},
        )
