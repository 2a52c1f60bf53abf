"""Demo content after the grant (issue 18 §4–§5), loaded by projects/demo.py:

- Digital barnevernsmelding (Lillehammer, Øyer co-applicant): accepted, the first rate paid on
  Lillehammer's payment request, a second request waiting for KS's approval (KS's task).
- Digital søknad om startlån (Bergen, Lillehammer co-applicant; its own proposal, prioritised
  by the council): granted, accepted,
  a partial and the final payment on Bergen's requests, the final report with the hand-over to
  FDVU (the solution is registered in repayments, whose demo publishes it and gives it users),
  completed with the benefits of its launch year reported (from 1 November, when that year's
  report opens).

Idempotent: each step is skipped when its row exists."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import (
    BenefitYear,
    CoApplicant,
    CostYear,
    FinalReport,
    PaymentRequest,
    Project,
    Proposal,
    ProposalStatus,
    ProposalTransition,
)
from .selectors import benefit_report_years_open
from .services.benefits import benefit_report_submit
from .services.grants import grant_accept
from .services.payments import (
    final_report_submit,
    payment_request_approve,
    payment_request_submit,
)
from .services.portfolio import ProposalError, milestone_add, project_approve

STARTLAN = "Digital søknad om startlån"
STARTLAN_TEXT = {
    "background": "Søknader om startlån kommer på papir og PDF og tastes inn på nytt.",
    "concepts": "Vurdert: eget skjema i hver kommune eller felles skjema. Anbefalt: felles.",
    "deliverables": "Felles søknadsskjema, saksbehandlingsmodul, integrasjon mot Husbanken.",
    "stakeholders": "Søkere, kommunenes boligkontor, Husbanken.",
    "scope": "Startlån og tilskudd til etablering; ikke bostøtte.",
    "expected_benefits": "Kortere saksbehandlingstid og færre ufullstendige søknader.",
    "organisation": "Bergen leder; Lillehammer er pilot.",
    "dependencies": "Husbankens API for startlån.",
    "outline_plan": "2025: utvikling. 2026: pilot og overlevering til forvaltning.",
    "justification_background": "Alle kommuner behandler startlån.",
    "purpose": "Én digital søknad for hele landet.",
    "drawbacks": "Omstilling i boligkontorene.",
    "cost_benefit": "Nytten er større enn kostnaden innen tre år.",
    "investment_analysis": "Positiv nåverdi over fem år.",
    "financing": "DigiFin og egeninnsats fra Bergen og Lillehammer.",
    "relevance_for_all": "Alle kommuner tilbyr startlån.",
    "expected_adoption": "120 kommuner innen utgangen av 2027, 200 innen 2028.",
    "repayment_model": "Tilknytningskostnad per innbygger, med gulv og tak.",
}


def _user(username: str, ks: User) -> User:
    return User.objects.filter(username=username).first() or ks


def _second_rate(*, ks, stdout) -> None:
    project = Project.objects.filter(title="Digital barnevernsmelding").first()
    if project is None or project.payment_requests.filter(status="submitted").exists():
        return
    if project.payment_requests.count() > 1 or project.status != Project.Status.ACTIVE:
        return
    lillehammer = User.objects.filter(username="lillehammer").first()
    if lillehammer is None or lillehammer.organisation_id != project.responsible_id:
        return
    payment_request_submit(
        project=project,
        kind=PaymentRequest.Kind.PARTIAL,
        amount=Decimal("800000"),
        progress=(
            "Piloten i Lillehammer og Øyer er i gang: meldingsskjemaet er i bruk, integrasjonen "
            "mot fagsystemet er testet. Gjenstår: universell utforming og opplæring."
        ),
        costs={"external": Decimal("620000"), "internal": Decimal("180000")},
        milestones=project.milestones.filter(title__startswith="Pilot"),
        actor=lillehammer,
    )
    stdout.write("projects: a payment request waiting for KS (Digital barnevernsmelding)")


def _startlan_proposal(*, ks, bergen) -> Proposal:
    """Bergen's proposal, prioritised by the council in 2025 (its own story, apart from the
    proposals of projects/demo.py)."""
    proposal = Proposal.objects.filter(title=STARTLAN).first()
    if proposal is not None:
        return proposal
    S = ProposalStatus
    proposal = Proposal.objects.create(
        title=STARTLAN,
        lead_member=bergen.organisation,
        created_by=bergen,
        start_year=2025,
        status=S.PRIORITISED,
        submitted_at=timezone.now() - datetime.timedelta(days=400),
        **STARTLAN_TEXT,
    )
    proposal.reference = f"DF-2025-{proposal.pk:04d}"
    proposal.save(update_fields=["reference"])
    lillehammer = User.objects.filter(username="lillehammer").first()
    if lillehammer is not None and lillehammer.organisation_id != bergen.organisation_id:
        CoApplicant.objects.create(
            proposal=proposal,
            member=lillehammer.organisation,
            confirmed_by=lillehammer,
            confirmed_at=timezone.now(),
        )
    for year, amount in ((2025, "2000000"), (2026, "1200000")):
        CostYear.objects.create(
            proposal=proposal,
            year=year,
            development=Decimal(amount),
            own_contribution=Decimal(amount) * Decimal("0.10"),
        )
    for year in (2026, 2027, 2028):
        CostYear.objects.create(proposal=proposal, year=year + 1, operating=Decimal("450000"))
        BenefitYear.objects.create(
            proposal=proposal,
            year=year,
            kind=BenefitYear.Kind.TIME,
            beneficiary="Kommunenes boligkontor",
            amount=Decimal("1500000") * (year - 2025),
            measurement="Saksbehandlingstid per søknad, målt før og etter",
        )
    chair = User.objects.filter(username="radet").first() or ks
    for name, src, dst, actor, comment in [
        ("submit", S.DRAFT, S.SUBMITTED, bergen, ""),
        ("qualify", S.SUBMITTED, S.QUALIFIED, ks, "Oppfyller KS' prinsipper og KMDs kriterier."),
        ("prioritise", S.QUALIFIED, S.PRIORITISED, chair, "Prioritert av KommIT-rådet."),
    ]:
        ProposalTransition.objects.create(
            proposal=proposal,
            name=name,
            from_status=src,
            to_status=dst,
            actor=actor,
            comment=comment,
            notified_at=timezone.now(),
        )
    return proposal


def _completed_project(*, ks, stdout) -> None:
    bergen = User.objects.filter(username="bergen").first()
    if bergen is None or bergen.organisation is None:
        return
    proposal = _startlan_proposal(ks=ks, bergen=bergen)
    project = Project.objects.filter(proposal=proposal).first()
    if project is None:
        budget = {
            y.year: y.development - y.own_contribution
            for y in proposal.cost_years.all()
            if y.development
        }
        try:
            project = project_approve(
                proposal=proposal,
                budget=budget,
                actor=ks,
                comment="Innvilget etter prioritering i KommIT-rådet.",
            )
        except ProposalError as exc:
            stdout.write(f"projects: demo completed project skipped ({exc})")
            return
        milestone_add(
            project=project, title="Pilot i Bergen", due_on=datetime.date(2026, 3, 1), actor=ks
        )
        grant_accept(
            grant=project.grant, signed_by_name="Hanne Berg, kommunedirektør", actor=bergen
        )
    if project.status == Project.Status.ACTIVE and not project.payment_requests.exists():
        first = payment_request_submit(
            project=project,
            kind=PaymentRequest.Kind.PARTIAL,
            amount=(project.granted * Decimal("0.6")).quantize(Decimal("1")),
            progress="Skjemaet og saksbehandlingsmodulen er i pilot i Bergen og Lillehammer.",
            costs={"external": (project.granted * Decimal("0.5")).quantize(Decimal("1"))},
            milestones=project.milestones.all(),
            actor=bergen,
        )
        payment_request_approve(request=first, paid_on=timezone.localdate(), actor=ks)
    if not FinalReport.objects.filter(project=project).exists() and project.status == "active":
        final_report_submit(
            project=project,
            actor=bergen,
            results="Felles digital søknad om startlån er i drift i Bergen og Lillehammer.",
            deliverables="Søknadsskjema, saksbehandlingsmodul, integrasjon mot Husbanken.",
            benefits_so_far="Bergen bruker 30 % kortere tid per søknad i piloten.",
            solution_name="Digital startlånsøknad",
            solution_description="Felles søknad og saksbehandling av startlån for kommunene.",
            fdvu_owner="Bergen kommune (forvalter på vegne av brukerne)",
            fdvu_terms="Brukerne deler FDVU-kostnaden etter innbyggertall.",
            fdvu_yearly_cost=Decimal("450000"),
            handed_over_on=timezone.localdate(),
        )
    if project.status == Project.Status.ACTIVE:
        room = project.granted - sum(
            r.amount for r in project.payment_requests.filter(status="approved")
        )
        final = payment_request_submit(
            project=project,
            kind=PaymentRequest.Kind.FINAL,
            amount=(room * Decimal("0.8")).quantize(Decimal("1")),  # 20 % was not needed
            progress="Prosjektet er ferdig; løsningen er overlevert til forvaltning.",
            costs={"external": (room * Decimal("0.8")).quantize(Decimal("1"))},
            actor=bergen,
        )
        payment_request_approve(request=final, paid_on=timezone.localdate(), actor=ks)
        project.refresh_from_db()
    # The launch year's benefits, once its report opens (1 November).
    open_years = benefit_report_years_open(project=project, today=timezone.localdate())
    if open_years and not project.benefit_reports.filter(year=open_years[0]).exists():
        benefit_report_submit(
            project=project,
            year=open_years[0],
            realised={"time": Decimal("1200000")},
            comment="Målt som spart tid per søknad hos kommunene som bruker løsningen.",
            actor=bergen,
        )
    stdout.write("projects: a completed project with final report and benefits (startlån)")


def load(*, ks, stdout) -> None:
    with transaction.atomic():
        _second_rate(ks=ks, stdout=stdout)
    with transaction.atomic():
        _completed_project(ks=ks, stdout=stdout)
