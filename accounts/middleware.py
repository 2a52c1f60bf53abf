from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


def _mfa_at_provider(request) -> bool:
    """The login came from KS's Entra ID with the staff group: the second factor is Entra's
    (conditional access), not a second TOTP here (docs/decisions/accounts-oidc.md)."""
    login = request.session.get("digifin_oidc") or {}
    return login.get("provider") == "entra" and bool(login.get("mfa_at_idp"))


class StaffTwoFactorMiddleware:
    """With DIGIFIN_STAFF_REQUIRE_2FA on, a KS staff user who has signed in with a password but
    not yet with a TOTP code can only reach the account pages: first the set-up of an
    authenticator (if none is confirmed), then the code prompt. A login through KS's Entra ID
    is not asked for a code."""

    ALLOWED_PREFIXES = ("/konto/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "DIGIFIN_STAFF_REQUIRE_2FA", False)
            and user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_ks_staff)
            and not user.is_verified()
            and not _mfa_at_provider(request)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
