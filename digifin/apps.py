from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    """The fund itself: the append-only ledger and the capital sources."""

    name = "digifin"
    label = "fund"
    verbose_name = "Fondet"
    default_auto_field = "django.db.models.BigAutoField"
    navigation = {
        "anonymous": [(90, _("Åpenhet"), "public:transparency")],
        "ks_staff": [
            (50, _("Fondet"), "overview:fund_overview"),
            (55, _("Prognose"), "overview:scenario_list"),
        ],
        "council": [(50, _("Fondet"), "overview:fund_overview")],
    }
