"""Factories and helpers for solutions, with participants set up through the members services."""

import datetime
from decimal import Decimal

import factory

from members.models import Member, Participation, PopulationFigure
from repayments import services
from repayments.models import Audience, FdvuKey, Solution
from tests.members.factories import MemberFactory, basis

DIGIORDEN_CLASSES = [
    {"min_population": 0, "amount": "25000"},
    {"min_population": 5000, "amount": "40000"},
    {"min_population": 10001, "amount": "60000"},
]
DIGIORDEN_FDVU = {"monthly_fixed": "500", "monthly_per_inhabitant": "0.125"}


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    name = factory.Sequence(lambda n: f"Fellesløsning {n}")
    description = "En felles digital løsning for kommunene."
    development_cost = Decimal("1000000.00")
    audience = Audience.KOMMUNE
    expected_adoption = Decimal("50")
    available_on = datetime.date(2026, 1, 1)
    fdvu_terms = "Kommunen deltar i forvaltningsforumet og betaler sin andel av FDVU."
    fdvu_key = FdvuKey.EQUAL
    fdvu_yearly_cost = Decimal("120000.00")
    fdvu_parameters = factory.LazyFunction(dict)


def population(member: Member, value: int, period: str = "2026") -> PopulationFigure:
    return PopulationFigure.objects.create(
        member=member, period=period, population=value, source="test"
    )


def kommune(value: int, **kwargs) -> Member:
    """A current kommune with a population figure."""
    member = MemberFactory(**kwargs)
    population(member, value)
    return member


def make_participant(member: Member, *, paid: bool, actor=None, share_population: int = 1000):
    """Confirm the member's participation and invoice its share (frozen at 20 kr ×
    share_population, so it does not depend on rate data); if `paid`, pay it in full. All
    through the members services."""
    from members import services as ms

    basis(member, share_population)
    participation = Participation.objects.create(
        member=member, invited_on=datetime.date(2017, 9, 1)
    )
    participation = ms.participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 10, 1),
        decision_reference="Kst-sak 1/17",
        fakturareferanse="REF-1",
        contact_name="Kari",
        contact_email="kari@example.no",
        actor=actor,
    )
    share = Decimal(20 * share_population)
    participation = ms.participation_mark_invoiced(
        participation=participation,
        amount=share,
        invoiced_on=datetime.date(2017, 11, 1),
        actor=actor,
    )
    if paid:
        ms.participation_register_payment(
            participation=participation,
            amount=share,
            paid_on=datetime.date(2017, 12, 1),
            actor=actor,
            idempotency_key=f"test-share-{member.pk}",
        )
    return participation


def make_declined(member: Member, *, actor=None) -> Participation:
    """The member was invited and declined (takket nei), through the members services."""
    from members import services as ms

    participation = Participation.objects.create(
        member=member, invited_on=datetime.date(2017, 9, 1)
    )
    return ms.participation_decline(participation=participation, actor=actor, note="Kst-sak 2/17")


def published(solution: Solution, *, kind: str, parameters: dict, actor) -> Solution:
    services.price_model_set(solution=solution, kind=kind, parameters=parameters, actor=actor)
    return services.solution_publish(solution=solution, actor=actor)


def project(*, actor, title="Digiorden-prosjektet", granted=Decimal("2500000")):
    """A project in KS's portfolio (projects.Project), made directly: repayments only links it."""
    from projects.models import Project
    from tests.projects.factories import ProposalFactory, accept_grant

    proposal = ProposalFactory(title=title)
    made = Project.objects.create(
        proposal=proposal,
        title=title,
        responsible=proposal.lead_member,
        granted=granted,
        decided_by=actor,
    )
    accept_grant(made)  # decided and accepted: payments may follow
    return made
