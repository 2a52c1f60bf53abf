from django.apps import AppConfig
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
