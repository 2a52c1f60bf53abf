from django.apps import AppConfig
from django.apps import apps as registry
from django.utils.translation import gettext_lazy as _

# «Mine oppgaver» first and «Varsler» last in every signed-in role's menu (accounts.
# context_processors.navigation merges the apps' entries).
_OWN = [(1, _("Mine oppgaver"), "my_tasks"), (98, _("Varsler"), "accounts:notification_settings")]


class DigifinConfig(AppConfig):
    """The project package: settings, URLs, Celery, the site's template tags and `load_demo`.

    No models; it sits on top of every app (see the import contract in pyproject.toml)."""

    name = "digifin"
    label = "digifin"
    verbose_name = "DigiFin"
    navigation = {"municipal": _OWN, "council": _OWN, "ks_staff": _OWN}

    def ready(self):
        # Imported here: labels imports models, which load only once the registry is ready.
        from .admin_numbers import format_admin_numbers
        from .labels import apply_field_labels

        apply_field_labels()
        format_admin_numbers()
        # Third-party apps and models KS staff meet in the admin, in Norwegian (their own
        # gettext strings are in locale/nb; these have none). Not part of migration state.
        for label, name in THIRD_PARTY_APP_NAMES.items():
            if label in registry.app_configs:
                registry.get_app_config(label).verbose_name = name
        totp = registry.get_model("otp_totp", "TOTPDevice")
        totp._meta.verbose_name = _("TOTP-enhet")
        totp._meta.verbose_name_plural = _("TOTP-enheter")


THIRD_PARTY_APP_NAMES = {
    "axes": _("Innloggingsforsøk (Axes)"),
    "django_otp": _("Tofaktorinnlogging"),
    "otp_totp": _("Tofaktorinnlogging: TOTP-enheter"),
    "simple_history": _("Endringshistorikk"),
}
