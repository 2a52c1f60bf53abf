from django.contrib.auth.models import Group
from django.db import transaction

from .models import ROLE_GROUPS, Role, User


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
