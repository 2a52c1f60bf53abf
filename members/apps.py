from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Medlemmer")
    navigation = {
        "municipal": [(10, _("Min organisasjon"), "members:my_organisation")],
        "ks_staff": [(10, _("Medlemmer"), "members:staff_member_list")],
    }
