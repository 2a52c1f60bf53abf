from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepaymentsConfig(AppConfig):
    name = "repayments"
    verbose_name = _("Løsninger og tilbakebetaling")
    navigation = {
        "municipal": [(30, _("Fellesløsninger"), "repayments:solution_list")],
        "ks_staff": [(30, _("Løsninger"), "repayments:staff_solution_list")],
    }

    def ready(self):
        # Imported here: modules that import models can only load once the registry is ready.
        from invoicing import handlers
        from projects.hooks import on_project_completed

        from .receivers import AccessFeeInvoices, FdvuInvoices, ShareInvoicePaid
        from .services import solution_from_completed_project

        handlers.register("access_fee", AccessFeeInvoices())
        handlers.register("fdvu", FdvuInvoices())
        # After members' own member_share handler (INSTALLED_APPS order): the share is booked.
        handlers.register("member_share", ShareInvoicePaid())
        # A completed project's final report hands its solution over to FDVU (issue 18 §4).
        on_project_completed(solution_from_completed_project)
