from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class StaffTwoFactorMiddleware:
    """With DIGIFIN_STAFF_REQUIRE_2FA on, a KS staff user who has signed in with a password but
    not yet with a TOTP code can only reach the account pages: first the set-up of an
    authenticator (if none is confirmed), then the code prompt."""

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
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
