"""Demo users for the three roles, attached to real organisations."""

import datetime

from accounts.models import Role, User
from accounts.services import user_create
from members.models import Member

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

# Only used when reference data is absent (a bare foundation): real numbers and orgnr.
_FALLBACK_MEMBERS = {
    "3405": ("Lillehammer", "945578564"),
    "3440": ("Øyer", "961381185"),
    "4601": ("Bergen", "964338531"),
    "5001": ("Trondheim", "942110464"),
}


def current_member(kind: str, number: str) -> Member:
    member = (
        Member.objects.filter(kind=kind, number=number, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    if member is None:
        name, orgnr = _FALLBACK_MEMBERS[number]
        member = Member.objects.create(
            kind=kind, number=number, name=name, orgnr=orgnr, valid_from=datetime.date(2020, 1, 1)
        )
    return member


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
