"""Demo solutions with different price models, access agreements for real members, paid access
fees (through invoicing and the ledger, via the real services) and FDVU shares. Idempotent.

Digiorden follows KS's real prices: 25 000 / 40 000 / 60 000 kr for members under 5 000 /
5–10 000 / over 10 000 inhabitants, plus FDVU of 500 kr a month and 0,125 kr per inhabitant a
month. The other solutions are illustrative."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import transaction

from accounts.models import User
from invoicing.models import Invoice
from invoicing.services import register_payment
from members.models import Member
from members.selectors import effective_participations

from . import price_models as pm
from . import selectors, services
from .models import AccessAgreement, Audience, FdvuKey, FdvuPeriod, Solution

DIGIORDEN_CLASSES = [
    {"min_population": 0, "amount": "25000"},
    {"min_population": 5000, "amount": "40000"},
    {"min_population": 10001, "amount": "60000"},
]

SOLUTIONS = [
    {
        "name": "Digiorden",
        "description": (
            "Digital løsning for søknad om og vedtak på tilbud i kommunene, opprinnelig "
            "utviklet av en kommune og gjort til fellesløsning for hele sektoren."
        ),
        "from_project": False,
        "development_cost": Decimal("3500000"),
        "audience": Audience.KOMMUNE,
        "expected_adoption": Decimal("60"),
        "available_on": datetime.date(2024, 3, 1),
        "fdvu_terms": (
            "Kommunen betaler 500 kr i måneden og 0,125 kr per innbygger i måneden for "
            "forvaltning, drift, vedlikehold og videreutvikling, og deltar i brukerforumet. "
            "Avtalen løper til den sies opp; oppsigelse gjelder fra neste år."
        ),
        "fdvu_key": FdvuKey.TARIFF,
        "fdvu_yearly_cost": None,
        "fdvu_parameters": {"monthly_fixed": "500", "monthly_per_inhabitant": "0.125"},
        "price": (pm.SIZE_CLASS, {"classes": DIGIORDEN_CLASSES}),
        "publish": True,
        "users": 12,
        "paid": 8,
    },
    {
        "name": "Felles innbyggerdialog (chatbot)",
        "description": (
            "Felles chatbot-plattform for kommunenes innbyggerdialog, med felles "
            "kunnskapsbase og integrasjon mot saksbehandlingssystemene."
        ),
        "from_project": True,
        "development_cost": Decimal("8000000"),
        "audience": Audience.KOMMUNE,
        "expected_adoption": Decimal("60"),
        "available_on": datetime.date(2025, 9, 1),
        "fdvu_terms": (
            "Brukerne deler den årlige FDVU-kostnaden etter innbyggertall. Kommunen utpeker "
            "en kontaktperson for forvaltningen."
        ),
        "fdvu_key": FdvuKey.PER_INHABITANT,
        "fdvu_yearly_cost": Decimal("2400000"),
        "fdvu_parameters": {},
        "price": (
            pm.COST_RECOVERY,
            {
                "weighting": pm.WEIGHT_SIZE_CLASS,
                "weights": [
                    {"min_population": 0, "weight": "1"},
                    {"min_population": 5000, "weight": "2"},
                    {"min_population": 20000, "weight": "4"},
                    {"min_population": 50000, "weight": "8"},
                ],
            },
        ),
        "publish": True,
        "users": 6,
        "paid": 3,
    },
    {
        "name": "Digital byggesøknad",
        "description": "Felles løsning for digitale byggesøknader med automatisk kontroll.",
        "from_project": False,
        "development_cost": Decimal("5200000"),
        "audience": Audience.KOMMUNE,
        "expected_adoption": Decimal("70"),
        "available_on": datetime.date(2026, 1, 15),
        "fdvu_terms": (
            "Brukerne deler den årlige FDVU-kostnaden etter innbyggertall: en liten kommune "
            "betaler en liten del, en stor kommune en stor del."
        ),
        "fdvu_key": FdvuKey.PER_INHABITANT,
        "fdvu_yearly_cost": Decimal("900000"),
        "fdvu_parameters": {},
        "price": (pm.PER_INHABITANT, {"rate": "1.50", "floor": "15000", "ceiling": "250000"}),
        "publish": True,
        "users": 3,
        "paid": 0,
    },
    {
        "name": "Fylkeskommunal tilskuddsportal",
        "description": "Felles portal for søknad om regionale tilskudd.",
        "from_project": False,
        "development_cost": Decimal("1500000"),
        "audience": Audience.FYLKESKOMMUNE,
        "expected_adoption": Decimal("80"),
        "available_on": datetime.date(2027, 1, 1),
        "fdvu_terms": "Fylkeskommunene deler FDVU etter størrelsesklasse.",
        "fdvu_key": FdvuKey.SIZE_CLASS,
        "fdvu_yearly_cost": Decimal("300000"),
        "fdvu_parameters": {
            "weights": [
                {"min_population": 0, "weight": "1"},
                {"min_population": 300000, "weight": "2"},
            ]
        },
        "price": (pm.FLAT, {"amount": "150000"}),
        "publish": False,  # a draft: KS sees the preview and can publish it
        "users": 0,
        "paid": 0,
    },
]

FDVU_FIELDS = ("fdvu_terms", "fdvu_key", "fdvu_yearly_cost", "fdvu_parameters")

# The demo users' own organisations: Lillehammer uses Digiorden (fee paid), Bergen uses the
# building application (invoiced); Øyer has none, so it can try the request itself.
DEMO_ACCESS = {"Digiorden": ["3405"], "Digital byggesøknad": ["4601"]}


def _ks() -> User | None:
    return User.objects.filter(username="ks").first()


def _project():
    """A demo project to attach the chatbot to: a completed one if any, else the first."""
    project = apps.get_model("projects", "Project")
    return project.objects.order_by("-status", "pk").filter(status="completed").first() or (
        project.objects.order_by("pk").first()
    )


def _solution(spec: dict, ks: User) -> Solution:
    """The spec's solution. A solution "from a project" takes the name of the demo project in
    KS's portfolio (when projects has one), so the portal and the project page agree."""
    fields = {k: spec[k] for k in services.SOLUTION_FIELDS if k in spec}
    project = _project() if spec["from_project"] else None
    if project is not None:
        fields["project"] = project
        fields["name"] = project.title
        fields["description"] = (
            f"Fellesløsningen fra prosjektet «{project.title}» i KS' portefølje. "
            + spec["description"]
        )
        solution = Solution.objects.filter(project=project).first()
    else:
        solution = Solution.objects.filter(name=spec["name"]).first()
    if solution is None:
        solution = services.solution_create(actor=ks, **fields)
    else:
        # A demo database loaded before a spec's FDVU changed (Digital byggesøknad was split
        # equally) gets the spec's key; FDVU terms may change after publishing.
        fdvu = {f: spec[f] for f in FDVU_FIELDS}
        if any(getattr(solution, f) != v for f, v in fdvu.items()):
            solution = services.solution_update(solution=solution, actor=ks, **fdvu)
    if not solution.is_published:
        kind, parameters = spec["price"]
        services.price_model_set(solution=solution, kind=kind, parameters=parameters, actor=ks)
        if spec["publish"]:
            solution = services.solution_publish(
                solution=solution, actor=ks, published_on=spec["available_on"]
            )
    return solution


def _candidates(solution: Solution, count: int, wanted: list[str]) -> list[Member]:
    """Paid-up participants with a population figure: the demo users' own first."""

    members = list(selectors.audience_members(solution=solution))
    populations = selectors.member_populations(members=members)
    members = [m for m in members if m.pk in populations and m.orgnr]
    paid = effective_participations(members=members)
    ordered = sorted(members, key=lambda m: (m.number not in wanted, m.number))
    chosen = [m for m in ordered if paid[m.pk].has_paid_share and m.number in wanted]
    # Every 7th of the rest, for a spread of sizes across the country.
    rest = [m for m in ordered if m.number not in wanted and paid[m.pk].has_paid_share]
    return chosen + rest[::7][: max(count - len(chosen), 0)]


def _requester(member: Member, ks: User) -> User:
    return User.objects.filter(organisation=member, role="municipal").first() or ks


def load(*, stdout) -> None:
    ks = _ks()
    if ks is None:
        stdout.write("repayments: no demo KS user; skipped")
        return

    made = {"agreements": 0, "payments": 0, "fdvu": 0}
    for spec in SOLUTIONS:
        with transaction.atomic():
            solution = _solution(spec, ks)
            if not solution.is_published or not spec["users"]:
                continue
            wanted = DEMO_ACCESS.get(solution.name, [])
            for i, member in enumerate(_candidates(solution, spec["users"], wanted)):
                existing = AccessAgreement.objects.filter(solution=solution, member=member)
                if not existing.exists():
                    services.access_request(
                        solution=solution,
                        member=member,
                        accept_fdvu_terms=True,
                        actor=_requester(member, ks),
                    )
                    made["agreements"] += 1
                agreement = existing.get()
                if i >= spec["paid"] or not agreement.fee_invoice_id:
                    continue
                invoice = Invoice.objects.get(pk=agreement.fee_invoice_id)
                payment_key = f"demo-access-fee:{agreement.pk}"
                if not invoice.payments.filter(external_ref=payment_key).exists():
                    register_payment(
                        amount=agreement.fee_amount,
                        paid_on=datetime.date.today(),
                        actor=ks,
                        invoice=invoice,
                        reference=f"Innbetaling {invoice.number}",
                        external_ref=payment_key,
                    )
                    made["payments"] += 1
            year = datetime.date.today().year
            has_users = selectors.fdvu_users(solution=solution, year=year).exists()
            period = FdvuPeriod.objects.filter(solution=solution, year=year).first()
            if (
                period is not None
                and period.key != solution.fdvu_key
                and period.status == FdvuPeriod.Status.ALLOCATED
            ):
                # Allocated with an earlier key and not invoiced yet: share it by today's key.
                services.fdvu_allocate(solution=solution, year=year, actor=ks)
            if has_users and period is None:
                period = services.fdvu_allocate(solution=solution, year=year, actor=ks)
                if spec["fdvu_key"] == FdvuKey.TARIFF:
                    services.fdvu_invoice_request(period=period, actor=ks)
                made["fdvu"] += 1
    stdout.write(
        f"repayments: {len(SOLUTIONS)} solutions, {made['agreements']} new agreements, "
        f"{made['payments']} fee payments, {made['fdvu']} FDVU periods"
    )
