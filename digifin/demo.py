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


# --- the fund's capital: commitments and the state's and KS's payments (issue 3) -----------

COMMITMENTS = [
    # (source, year, amount, ceiling, reference, conditions)
    (
        "kmd",
        2017,
        "25000000",
        False,
        "Prop. 128 S (2016–2017) Kommuneproposisjonen 2018; kap. 571 post 64 (prosjektskjønn)",
        "Til en KS-administrert ordning for kommunale digitaliseringsprosjekter initiert og styrt "
        "av kommunene selv. Forutsetning: kommunesektoren bidrar med egne midler.",
    ),
    (
        "kmd",
        2018,
        "100000000",
        False,
        "Statsbudsjettet 2018, kap. 571 post 64",
        "Forutsetning: kommunal sektor bidrar med minst like mye som staten (125 mill. kr totalt).",
    ),
    (
        "ks",
        2017,
        "40000000",
        True,
        "KS hovedstyre sak 17/14, 6. april 2017",
        "Inntil 40 mill. kr til formålet.",
    ),
    (
        "members",
        2017,
        "35000000",
        False,
        "Storbynettverket og de 10 største kommunene, brev til KS 2. juni 2017",
        "De 10 største kommunenes andel av den frivillige ordningen.",
    ),
]

# (source, kind, day, amount, text): KMD paid the grants, KS its capital in tranches.
CAPITAL_PAYMENTS = [
    ("kmd", "state_grant", datetime.date(2017, 12, 14), "25000000", "KMD tilskudd 2017"),
    ("kmd", "state_grant", datetime.date(2018, 6, 20), "100000000", "KMD tilskudd 2018"),
    ("ks", "ks_capital", datetime.date(2017, 12, 20), "10000000", "KS kapital, 1. avdrag"),
    ("ks", "ks_capital", datetime.date(2019, 3, 15), "10000000", "KS kapital, 2. avdrag"),
    ("ks", "ks_capital", datetime.date(2021, 2, 10), "10000000", "KS kapital, 3. avdrag"),
    ("ks", "ks_capital", datetime.date(2024, 4, 18), "5000000", "KS kapital, 4. avdrag"),
]


def load(*, stdout) -> None:
    """Commitments and capital payments (idempotent: keyed commitments and ledger entries)."""
    from decimal import Decimal

    from digifin.services import commitment_record, ledger_record

    staff = User.objects.filter(username="ks").first()
    for source, year, amount, ceiling, reference, conditions in COMMITMENTS:
        commitment_record(
            source=source,
            year=year,
            amount=Decimal(amount),
            is_ceiling=ceiling,
            reference=reference,
            conditions=conditions,
            actor=staff,
        )
    for source, kind, day, amount, text in CAPITAL_PAYMENTS:
        ledger_record(
            kind=kind,
            source=source,
            amount=Decimal(amount),
            occurred_on=day,
            description=text,
            actor=staff,
            idempotency_key=f"demo:capital:{source}:{day.isoformat()}",
        )
    stdout.write("digifin: kapitaltilsagn og innbetalinger fra KMD og KS")
