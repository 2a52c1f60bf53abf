from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Medlemmer")
    navigation = {
        "municipal": [(10, _("Min organisasjon"), "members:my_organisation")],
        "ks_staff": [
            (10, _("Medlemmer"), "members:staff_member_list"),
            (85, _("Brukerinvitasjoner"), "members:user_invitations"),
        ],
    }

    def ready(self):
        # Imported here: modules that import models can only load once the registry is ready.
        from invoicing import handlers

        from .invoicing import Buyers, InvitationBatch, ShareBatch, ShareInvoices

        # What invoicing asks of members: it knows no member rules itself.
        handlers.register("member_share", ShareInvoices())
        handlers.register_buyers(Buyers())
        handlers.register_batch("invoice_shares", ShareBatch())
        handlers.register_batch("invitations", InvitationBatch())
