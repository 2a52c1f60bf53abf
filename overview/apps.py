from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The fund overview, forecast, reports and public page: reads every app, on top of them.

    Its stored scenarios and reports are models of the `fund` app (tables kept as they were)."""

    name = "overview"
    label = "overview"
    verbose_name = _("Oversikt")
    navigation = {
        "anonymous": [(90, _("Åpenhet"), "public:transparency")],
        "ks_staff": [
            (50, _("Fondet"), "overview:fund_overview"),
            (52, _("Gevinster"), "overview:benefits"),
            (55, _("Prognose"), "overview:scenario_list"),
            (57, _("Avstemming"), "overview:reconciliation"),
        ],
        "council": [
            (50, _("Fondet"), "overview:fund_overview"),
            (52, _("Gevinster"), "overview:benefits"),
        ],
    }
