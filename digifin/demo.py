"""Demo users for the three roles, attached to real organisations."""

from accounts.models import Role, User
from accounts.services import user_create
from members.demo import current_member

# Demo data only; `make run` prints it with the demo logins.
DEMO_PASSWORD = "digifin-demo"  # noqa: S105  # nosec B105

# (username, role, first, last, kind, number, is_chair); numbers are 2024 codes (current).
DEMO_USERS = [
    ("ks", Role.KS_STAFF, "Kari", "Sæther", None, None, False),
    ("lillehammer", Role.MUNICIPAL, "Lars", "Haugen", "kommune", "3405", False),
    ("oyer", Role.MUNICIPAL, "Ingrid", "Bakke", "kommune", "3440", False),
    ("bergen", Role.MUNICIPAL, "Bjørn", "Nilsen", "kommune", "4601", False),
    ("radet", Role.COUNCIL, "Randi", "Dahl", "kommune", "5001", True),
    ("radet2", Role.COUNCIL, "Per", "Aas", "kommune", "3405", False),
]


def ensure_demo_users() -> list[User]:
    users = []
    for username, role, first, last, kind, number, chair in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            org = current_member(kind, number) if kind else None
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                email=f"{username}@demo.digifin.no",
                first_name=first,
                last_name=last,
                organisation=org,
                is_council_chair=chair,
            )
        users.append(user)
    return users
