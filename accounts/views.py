"""The user's own settings: the language of e-mails and which notifications to get."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import NotificationSettingsForm
from .notifications import kinds_for
from .once import OnceRefused, consume_once, once_refused_response
from .services import notification_settings_save


@login_required
def notification_settings(request):
    """Varsler: the e-mail language and the non-essential notifications on or off. Saving also
    sets the page language (the language cookie), so the pages and the e-mails agree."""
    user = request.user
    form = NotificationSettingsForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        url = reverse("accounts:notification_settings")
        try:
            with consume_once(request, "accounts.notification_settings") as once:
                notification_settings_save(
                    user=user,
                    language=form.cleaned_data["language"],
                    muted=form.muted(),
                    actor=user,
                )
                once.result_url = url
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=url)
        messages.success(request, _("Innstillingene for varsler er lagret."))
        response = redirect(url)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response
    essential = [kind for kind in kinds_for(user) if kind.essential]
    return render(
        request, "accounts/notification_settings.html", {"form": form, "essential": essential}
    )
