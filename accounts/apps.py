import ipaddress

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .sessions import set_session_lifetime


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Brukere")
    navigation = {"ks_staff": [(90, _("Administrasjon"), "admin:index")]}

    def ready(self):
        # Imported here: roles imports models, which load only once the registry is ready.
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        user_logged_in.connect(set_session_lifetime, dispatch_uid="accounts.session_lifetime")
        for proxy in getattr(settings, "DIGIFIN_TRUSTED_PROXIES", []):
            try:
                ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError as error:
                raise ImproperlyConfigured(
                    f"DIGIFIN_TRUSTED_PROXIES: {proxy!r} is not an IP address or network."
                ) from error
