"""Builders: a fund with real history, built with the real services (ledger, participation)."""

import datetime
from decimal import Decimal as D

from fund.models import CapitalCommitment, CapitalSource, LedgerEntry
from fund.services import ledger_record, ledger_reverse
from members.models import Member, PopulationFigure
from members.services import (
    participation_confirm,
    participation_mark_invoiced,
    participation_register_payment,
)
from tests.members.factories import MemberFactory, ParticipationFactory


def _participant(*, actor, name, population, share, paid, county=None, paid_on=None):
    member = MemberFactory(name=name, county=county, valid_from=datetime.date(2017, 1, 1))
    PopulationFigure.objects.create(
        member=member, period="2024", population=population, source="SSB 07459"
    )
    p = ParticipationFactory(member=member)
    participation_confirm(
        participation=p,
        decided_on=datetime.date(2017, 10, 1),
        decision_reference="PS 1/17",
        fakturareferanse="REF-1",
        contact_name="Hemmelig Kontaktperson",
        contact_email="hemmelig@example.no",
        actor=actor,
    )
    participation_mark_invoiced(
        participation=p, amount=share, invoiced_on=datetime.date(2017, 11, 1), actor=actor
    )
    if paid:
        participation_register_payment(
            participation=p, amount=paid, paid_on=paid_on or datetime.date(2018, 1, 15), actor=actor
        )
    return member


def build_fund(actor):
    """KMD 25 M + 100 M committed (125 M paid… partly), KS 40 M ceiling (10 M paid), three
    participating kommuner in two fylker, one outsider, two projects with disbursements, access
    fees on one of them, and one reversed disbursement."""
    innlandet = MemberFactory(kind=Member.Kind.FYLKESKOMMUNE, number="05", name="Oppland")
    vestland = MemberFactory(kind=Member.Kind.FYLKESKOMMUNE, number="12", name="Hordaland")
    CapitalCommitment.objects.create(source=CapitalSource.KMD, year=2017, amount=D("25000000"))
    CapitalCommitment.objects.create(source=CapitalSource.KMD, year=2018, amount=D("100000000"))
    CapitalCommitment.objects.create(
        source=CapitalSource.KS, year=2017, amount=D("40000000"), is_ceiling=True
    )
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=D("25000000"),
        occurred_on=datetime.date(2017, 12, 1),
        description="KMD 2017",
        actor=actor,
    )
    ledger_record(
        kind=LedgerEntry.Kind.KS_CAPITAL,
        source=CapitalSource.KS,
        amount=D("10000000"),
        occurred_on=datetime.date(2018, 3, 1),
        description="KS",
        actor=actor,
    )
    lillehammer = _participant(
        actor=actor,
        name="Lillehammer",
        population=28000,
        share=D("555700"),
        paid=D("555700"),
        county=innlandet,
    )
    _participant(
        actor=actor,
        name="Øyer",
        population=5000,
        share=D("101680"),
        paid=D("50000"),
        county=innlandet,
    )
    _participant(
        actor=actor,
        name="Bergen",
        population=290000,
        share=D("5700000"),
        paid=D("5700000"),
        county=vestland,
    )
    outsider = MemberFactory(name="Utenfor", county=vestland, valid_from=datetime.date(2017, 1, 1))
    # A kommune created in 2020 is not part of the 2017 structure the coverage is counted on.
    MemberFactory(name="Ny 2020", county=vestland)
    PopulationFigure.objects.create(member=outsider, period="2024", population=7000, source="SSB")
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D("3000000"),
        occurred_on=datetime.date(2019, 2, 1),
        description="Prosjekt 1",
        actor=actor,
        project_ref=1,
    )
    wrong = ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D("999"),
        occurred_on=datetime.date(2019, 3, 1),
        description="Feil",
        actor=actor,
        project_ref=2,
    )
    ledger_reverse(
        entry=wrong, actor=actor, reason="feil beløp", occurred_on=datetime.date(2019, 3, 2)
    )
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D("1200000.50"),
        occurred_on=datetime.date(2020, 5, 1),
        description="Prosjekt 2",
        actor=actor,
        project_ref=2,
    )
    ledger_record(
        kind=LedgerEntry.Kind.ACCESS_FEE,
        source=CapitalSource.ACCESS_FEES,
        amount=D("55570"),
        occurred_on=datetime.date(2021, 6, 1),
        description="Tilknytning",
        actor=actor,
        member=lillehammer,
        project_ref=1,
        solution_ref=7,
    )
    return {"lillehammer": lillehammer}
