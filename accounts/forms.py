from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .notifications import optional_kinds_for


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Feil brukernavn eller passord. Begge feltene skiller mellom store og små bokstaver."
        ),
        "inactive": _("Denne kontoen er deaktivert."),
    }


class NotificationSettingsForm(forms.Form):
    """The user's e-mail language and the non-essential notifications on or off (one checkbox
    per notification of the user's role; essential ones are listed on the page, not offered)."""

    language = forms.ChoiceField(label=_("Språk i e-post fra DigiFin"), choices=())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = User._meta.get_field("language").choices
        self.fields["language"].initial = user.language
        muted = set(user.muted_notifications or [])
        for kind in optional_kinds_for(user):
            self.fields[f"notify_{kind.code}"] = forms.BooleanField(
                label=kind.label, required=False, initial=kind.code not in muted
            )

    def muted(self) -> list[str]:
        return sorted(
            name.removeprefix("notify_")
            for name, value in self.cleaned_data.items()
            if name.startswith("notify_") and not value
        )
