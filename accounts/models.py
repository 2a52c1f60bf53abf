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
    # The language of the e-mails the user gets (the pages follow the language switch).
    language = models.CharField(
        _("språk"),
        max_length=8,
        choices=[("nb", "Norsk bokmål"), ("en", "English")],
        default="nb",
    )
    # The codes of the non-essential notifications the user turned off (accounts/notifications.py;
    # an essential one in the list is ignored: it is always sent).
    muted_notifications = models.JSONField(_("varsler slått av"), default=list, blank=True)

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


class PasswordResetRequest(models.Model):
    """One request for a password reset e-mail, kept for an hour or so to throttle the next ones
    (accounts/throttling.py). The address is stored as a keyed hash: the table must not become a
    list of the addresses people typed, existing or not."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    address_digest = models.CharField(max_length=64, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    sent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("forespørsel om nytt passord")
        verbose_name_plural = _("forespørsler om nytt passord")


class EmailedCode(models.Model):
    """A one-time code sent to a user's e-mail address (accounts/twofactor.py: proof of the
    address before an authenticator is set up). Stored as a keyed hash; short-lived, single use,
    a limited number of attempts."""

    class Purpose(models.TextChoices):
        TOTP_ENROLMENT = "totp_enrolment", _("Oppsett av autentiseringsapp")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="emailed_codes")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("engangskode på e-post")
        verbose_name_plural = _("engangskoder på e-post")


class OnceToken(models.Model):
    """A consumed one-time form token (accounts/once.py): the row is written in the same
    transaction as the form's effect, and the unique token makes a second submission of the
    same form (a double click, a resent request) a no-op that points to what the first did."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="once_tokens")
    purpose = models.CharField(max_length=80)
    consumed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    result_url = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("brukt skjemanøkkel")
        verbose_name_plural = _("brukte skjemanøkler")


class Invitation(models.Model):
    """KS invites a person to act for an organisation. ID-porten identifies a person, not an
    organisation: the first ID-porten login that carries a valid invitation binds the person to
    a new DigiFin user of that organisation (accounts/oidc.py). The link's token is stored only
    as a hash; an invitation is used once, and not after it expires or is revoked."""

    token_digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-post"), max_length=254)
    organisation = models.ForeignKey(
        "members.Member",
        verbose_name=_("organisasjon"),
        on_delete=models.PROTECT,
        related_name="user_invitations",
    )
    expires_at = models.DateTimeField(_("gyldig til"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_used"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")
        ordering = ["-created_at"]


class ExternalIdentity(models.Model):
    """A person's identity at a login provider, bound to one DigiFin user. The identifier
    (ID-porten's pid, Entra's object id) is stored only as a keyed hash (HMAC-SHA256 with
    DIGIFIN_IDENTITY_HASH_KEY): enough to know the person again, useless as a fødselsnummer."""

    class Provider(models.TextChoices):
        IDPORTEN = "idporten", _("ID-porten")
        ENTRA = "entra", _("Entra ID")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    subject_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("innloggingsidentitet")
        verbose_name_plural = _("innloggingsidentiteter")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject_digest"], name="accounts_identity_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="accounts_identity_one_per_user"
            ),
        ]
