from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepaymentsConfig(AppConfig):
    name = "repayments"
    verbose_name = _("Løsninger og tilbakebetaling")
    navigation = {
        "municipal": [(30, _("Fellesløsninger"), "repayments:solution_list")],
        "ks_staff": [(30, _("Løsninger"), "repayments:staff_solution_list")],
    }
