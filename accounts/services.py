from django.contrib.auth.models import Group
from django.db import transaction

from .models import ROLE_GROUPS, Role, User
from .notifications import optional_kinds_for


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organisation=None,
    is_council_chair: bool = False,
) -> User:
    """Create a user in its role's group. KS staff get the admin (is_staff)."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        organisation=organisation,
        is_staff=role == Role.KS_STAFF,
        is_council_chair=is_council_chair,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Role(role)])
    user.groups.add(group)
    return user


@transaction.atomic
def notification_settings_save(*, user: User, language: str, muted: list[str], actor) -> User:
    """The user's own e-mail language and muted notifications. Only non-essential codes of the
    user's role are kept (an essential notification cannot be turned off)."""
    if actor.pk != user.pk:
        raise PermissionError("Bare brukeren selv endrer varslene sine.")
    allowed = {kind.code for kind in optional_kinds_for(user)}
    user.language = language if language in dict(User._meta.get_field("language").choices) else "nb"
    user.muted_notifications = sorted(set(muted) & allowed)
    user.save(update_fields=["language", "muted_notifications"])
    return user
