from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Feil brukernavn eller passord. Begge feltene skiller mellom store og små bokstaver."
        ),
        "inactive": _("Denne kontoen er deaktivert."),
    }
