import datetime
from decimal import Decimal

import factory

from members.models import Participation
from projects.conditions import ensure_standard_conditions
from projects.models import BenefitYear, ContactPerson, CostYear, Grant, Proposal
from projects.services.grants import grant_accept
from tests.accounts.factories import MunicipalUserFactory
from tests.members.factories import MemberFactory, ParticipationFactory

FILLED_SECTIONS = {
    "background": "Saksbehandling i barnevernet skjer i mange ulike systemer.",
    "concepts": "Vurdert: felles løsning, egne anskaffelser. Anbefalt: felles løsning.",
    "deliverables": "Felles komponent for digital innsending.",
    "stakeholders": "Kommunene, barnevernstjenestene, Bufdir.",
    "scope": "Omfatter ikke fagsystemene selv.",
    "expected_benefits": "Spart tid og bedre kvalitet.",
    "organisation": "Prosjekteier er kommunen; styringsgruppe med KS.",
    "dependencies": "KS Fiks-plattformen.",
    "outline_plan": "2027: utvikling. 2028: pilot og utbredelse.",
    "justification_background": "Som over.",
    "purpose": "I dag manuelt; ønsket: digitalt; uten tiltak: fortsatt manuelt.",
    "drawbacks": "Omstilling for ansatte.",
    "cost_benefit": "Gevinstene overstiger kostnadene over tid.",
    "investment_analysis": "Se tabellene.",
    "financing": "DigiFin og egeninnsats.",
    "relevance_for_all": "Alle kommuner har barnevern.",
    "expected_adoption": "100 kommuner innen 2029.",
    "repayment_model": "Tilknytningskostnad etter innbyggertall.",
}


def participant_member(**kwargs):
    member = MemberFactory(**kwargs)
    ParticipationFactory(member=member, status=Participation.Status.CONFIRMED)
    return member


def participant_user(**kwargs):
    return MunicipalUserFactory(organisation=participant_member(), **kwargs)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    title = factory.Sequence(lambda n: f"Felles digitalt prosjekt {n}")
    lead_member = factory.SubFactory(MemberFactory)
    created_by = factory.SubFactory(
        MunicipalUserFactory, organisation=factory.SelfAttribute("..lead_member")
    )


def complete_proposal(**kwargs) -> Proposal:
    """A draft with every part filled in, ready to submit (if its members participate)."""
    proposal = ProposalFactory(start_year=2027, **FILLED_SECTIONS, **kwargs)
    CostYear.objects.create(
        proposal=proposal, year=2027, development=Decimal("1000000"), operating=Decimal("0")
    )
    CostYear.objects.create(
        proposal=proposal, year=2028, development=Decimal("500000"), operating=Decimal("100000")
    )
    BenefitYear.objects.create(
        proposal=proposal,
        year=2028,
        kind=BenefitYear.Kind.TIME,
        beneficiary="Barnevernstjenestene",
        amount=Decimal("2000000"),
        measurement="Timer spart per sak",
    )
    ContactPerson.objects.create(proposal=proposal, name="Kari Nordmann", email="kari@example.no")
    return proposal


TODAY = datetime.date(2026, 11, 22)


def ensure_criteria():
    """The checklist and scoring criteria come from data migrations; transactional (browser)
    tests flush the database between tests, so load them again (idempotent)."""
    import importlib

    from django.apps import apps

    for name in ("0002_qualification_criteria", "0004_scoring_criteria"):
        importlib.import_module(f"projects.migrations.{name}").load(apps, None)
    ensure_standard_conditions()


def accept_grant(project, *, signed_by_name: str = "Kari Nordmann, rådmann") -> Grant:
    """The formal applicant accepts the project's grant (KS's approval offered it), as the
    portal does, so that payments may follow. A project made directly without a grant (test
    data) gets one recorded as accepted."""
    grant = Grant.objects.filter(project=project).first()
    if grant is None:
        return Grant.objects.create(
            project=project,
            amount=project.granted,
            status=Grant.Status.ACCEPTED,
            decided_on=project.decided_at.date(),
            decided_by=project.decided_by,
            accept_by=project.decided_at.date() + datetime.timedelta(days=30),
            proposal_reference=project.proposal.reference or "",
            signed_by_name=signed_by_name,
        )
    if grant.status == Grant.Status.ACCEPTED:
        return grant
    proposal = project.proposal
    signer = (
        MunicipalUserFactory(organisation=proposal.lead_member)
        if proposal.lead_member_id and proposal.lead_member.kind != "ks"
        else project.decided_by
    )
    return grant_accept(grant=grant, signed_by_name=signed_by_name, actor=signer)
