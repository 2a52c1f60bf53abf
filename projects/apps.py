from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Prosjekter")
    navigation = {
        "municipal": [
            (20, _("Mine prosjektforslag"), "projects:my_proposals"),
            (25, _("Prosjekter"), "projects:portfolio"),
        ],
        "ks_staff": [
            (20, _("Forslag"), "projects:staff_list"),
            (22, _("Rådets kø"), "projects:council_queue"),
            (24, _("Portefølje"), "projects:portfolio"),
        ],
        "council": [
            (20, _("Rådets kø"), "projects:council_queue"),
            (24, _("Portefølje"), "projects:portfolio"),
        ],
    }
