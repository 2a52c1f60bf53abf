from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views_oidc
from .oidc import PROVIDERS
from .throttling import ThrottledPasswordResetView
from .twofactor import two_factor
from .views import notification_settings

app_name = "accounts"

urlpatterns = [
    path("logg-inn/", views_oidc.LoginView.as_view(), name="login"),
    path("logg-ut/", views_oidc.LogoutView.as_view(), name="logout"),
    path("innlogging-avvist/", views_oidc.oidc_refused, name="oidc_refused"),
    path("invitasjon/<str:token>/", views_oidc.invitation, name="invitation"),
    path("personvern/", views_oidc.privacy, name="privacy"),
    path("tofaktor/", two_factor, name="two_factor"),
    path("varsler/", notification_settings, name="notification_settings"),
    path(
        "glemt-passord/",
        ThrottledPasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "glemt-passord/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "nytt-passord/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "nytt-passord/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

# ID-porten and Entra ID: start and callback per provider (the callback URLs are what KS
# registers with Digdir and in Entra; docs/oidc-setup.md).
for _key in PROVIDERS:
    urlpatterns += [
        path(
            f"oidc/{_key}/start/",
            views_oidc.OIDCStartView.as_view(provider=_key),
            name=f"oidc_start_{_key}",
        ),
        path(
            f"oidc/{_key}/callback/",
            views_oidc.OIDCCallbackView.as_view(provider=_key),
            name=f"oidc_callback_{_key}",
        ),
    ]
