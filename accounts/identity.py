"""Persons from the login providers: keyed hashes of their identifiers, invitations, and the
binding of a person to a DigiFin user (docs/decisions/accounts-oidc.md).

ID-porten's `pid` is a fødselsnummer. DigiFin keeps only HMAC-SHA256(DIGIFIN_IDENTITY_HASH_KEY,
provider:pid): enough to know the person on the next login, useless to anyone who reads the
table. Nothing here logs, returns or stores the identifier itself."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import ROLE_GROUPS, ExternalIdentity, Invitation, Role, User

INVITATION_SESSION_KEY = "digifin_invitation"


class Refused(Exception):
    """A login refused for a reason the person is told (accounts/views_oidc.py: REASONS)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def identity_digest(provider: str, identifier: str) -> str:
    key = settings.DIGIFIN_IDENTITY_HASH_KEY
    if not key:
        raise ImproperlyConfigured("DIGIFIN_IDENTITY_HASH_KEY is not set.")
    message = f"{provider}:{identifier}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    """The invitation link's token is random (256 bits): a plain hash is enough to store it."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- invitations ------------------------------------------------------------------------


def invitation_status(invitation: Invitation | None, *, now=None) -> str:
    """valid, unknown, used, revoked or expired."""
    now = now or timezone.now()
    if invitation is None:
        return "unknown"
    if invitation.used_at:
        return "used"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "valid"


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_digest=token_digest(token))
        .first()
    )


@transaction.atomic
def invitation_create(
    *, name: str, email: str, organisation, expires_on: datetime.date, actor: User
) -> tuple[Invitation, str]:
    """A new invitation and its link token (returned once, for the e-mail; only its hash is
    kept). It lasts to the end of `expires_on` (Norwegian time)."""
    token = secrets.token_urlsafe(32)
    end = datetime.datetime.combine(expires_on, datetime.time(23, 59, 59))
    invitation = Invitation.objects.create(
        token_digest=token_digest(token),
        name=name.strip(),
        email=email.strip(),
        organisation=organisation,
        expires_at=timezone.make_aware(end),
        created_by=actor,
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_status(invitation) == "valid":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- binding persons to users -------------------------------------------------------------


def _add_role_group(user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role(role)])
    user.groups.add(group)


def _touch(identity: ExternalIdentity) -> None:
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])


@transaction.atomic
def municipal_login(*, pid: str, invitation_digest: str | None) -> User:
    """The user bound to this person, or, with a valid invitation, a new municipal user of the
    invitation's organisation bound to the person. Raises Refused otherwise; creates nothing
    then."""
    digest = identity_digest(ExternalIdentity.Provider.IDPORTEN, pid)
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=ExternalIdentity.Provider.IDPORTEN, subject_digest=digest)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            raise Refused("inactive")
        _touch(identity)
        return identity.user
    if not invitation_digest:
        raise Refused("no_invitation")
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_digest=invitation_digest)
        .first()
    )
    status = invitation_status(invitation)
    if status != "valid":
        raise Refused(f"invitation_{status}")
    first, _, last = invitation.name.rpartition(" ")
    user = User(
        username=f"idporten-{digest[:16]}",
        email=invitation.email,
        first_name=(first or last)[:150],
        last_name=(last if first else "")[:150],
        role=Role.MUNICIPAL,
        organisation=invitation.organisation,
    )
    user.set_unusable_password()
    user.save()
    _add_role_group(user, Role.MUNICIPAL)
    ExternalIdentity.objects.create(
        user=user,
        provider=ExternalIdentity.Provider.IDPORTEN,
        subject_digest=digest,
        last_login_at=timezone.now(),
    )
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return user


@transaction.atomic
def staff_login(*, object_id: str, email: str, name: str) -> User:
    """A KS employee who came from KS's Entra ID with the staff group (the caller checked the
    group): the user bound to the Entra account, else the one active KS-staff user with the same
    e-mail address, else a new KS-staff user; bound to the Entra account from then on."""
    digest = identity_digest(ExternalIdentity.Provider.ENTRA, object_id)
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=ExternalIdentity.Provider.ENTRA, subject_digest=digest)
        .first()
    )
    if identity is not None:
        user = identity.user
        if not user.is_active:
            raise Refused("inactive")
        _touch(identity)
    else:
        candidates = User.objects.filter(
            role=Role.KS_STAFF, email__iexact=email, is_active=True
        ).exclude(identities__provider=ExternalIdentity.Provider.ENTRA)
        matches = list(candidates.distinct()[:2]) if email else []
        if len(matches) == 1:
            user = matches[0]
        else:
            first, _, last = name.strip().rpartition(" ")
            user = User(
                username=f"entra-{digest[:16]}",
                email=email,
                first_name=(first or last)[:150],
                last_name=(last if first else "")[:150],
            )
            user.set_unusable_password()
        user.role, user.is_staff = Role.KS_STAFF, True
        user.save()
        ExternalIdentity.objects.create(
            user=user,
            provider=ExternalIdentity.Provider.ENTRA,
            subject_digest=digest,
            last_login_at=timezone.now(),
        )
    if user.role != Role.KS_STAFF:
        raise Refused("not_staff")
    _add_role_group(user, Role.KS_STAFF)
    return user
