"""Users and their roles. A user may belong to one organisation (a member of the fund)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KS_STAFF = "ks_staff", _("KS-ansatt")
    MUNICIPAL = "municipal", _("Kommunal saksbehandler")
    COUNCIL = "council", _("Medlem av KommIT-rådet")


# The auth group that carries each role's permissions (created by migration 0002).
ROLE_GROUPS = {
    Role.KS_STAFF: "KS-ansatte",
    Role.MUNICIPAL: "Kommunale saksbehandlere",
    Role.COUNCIL: "KommIT-rådet",
}


class User(AbstractUser):
    role = models.CharField(_("rolle"), max_length=16, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        "members.Member",
        verbose_name=_("organisasjon"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    is_council_chair = models.BooleanField(_("rådets leder"), default=False)

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    @property
    def is_ks_staff(self) -> bool:
        return self.is_active and (self.role == Role.KS_STAFF or self.is_superuser)

    @property
    def is_municipal(self) -> bool:
        return self.is_active and self.role == Role.MUNICIPAL and self.organisation_id is not None

    @property
    def is_council(self) -> bool:
        return self.is_active and self.role == Role.COUNCIL
