"""Demo capital of the fund: KMD's and KS's commitments and payments (idempotent)."""

import datetime
from decimal import Decimal

from accounts.models import User

from .services import commitment_record, ledger_record

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
    # The ten largest kommuner's 35 M is their shares promised early: members/demo.py records
    # it naming them (the ledger's demo does not know the members).
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
    stdout.write("fondet: kapitaltilsagn og innbetalinger fra KMD og KS")
