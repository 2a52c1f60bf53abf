from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Prosjekter")
    navigation = {
        "municipal": [(20, _("Mine prosjektforslag"), "projects:my_proposals")],
        "ks_staff": [(20, _("Forslag"), "projects:staff_list")],
    }
