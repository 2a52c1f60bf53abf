"""A realistic data set at a scale factor, written fast with bulk_create on the real models.

Scale 1 ≈ the real fund: the members of the 2017 structure with their successors (from
`load_reference_data`), 10 years of ledger entries, 300 proposals with history and attachment
metadata, 60 projects, 40 solutions, every member's access agreements and invoices. Scale N adds
N - 1 more *units* of proposals, projects, solutions, invoices and ledger entries; members and
users are never multiplied. `generate(start=1, stop=10)` turns a scale-1 database into a scale-10
one, so the benchmark grows one database instead of rebuilding it.

The ledger stays consistent (never negative on any day): unit 0 is funded by the real capital
(KMD 125 M, KS, the members' shares), each further unit by one KS capital entry dated before any
of its disbursements, and every disbursement that would take its unit below zero is left out
(`ledger_never_negative` checks the whole ledger by day).

Nothing here goes through the services on purpose: a service call per row would take hours at
scale 100. The rows are what the services would write (same fields, same constraints)."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max, Sum

BATCH = 2000
TODAY = datetime.date(2026, 11, 22)
PROPOSALS_PER_UNIT = 300
PROJECTS_PER_UNIT = 60  # one per approved proposal
SOLUTIONS_PER_UNIT = 40  # one per finished project
QUEUED_PER_UNIT = 3  # qualified proposals on the open council meeting's agenda, per unit
BENCH_ORG_EVERY = 60  # the bench municipal user's organisation leads every 60th proposal
ACCESS_FEE = Decimal("50000.00")
TEXT = (
    "Kommunene trenger en felles digital løsning for denne tjenesten. I dag gjør hver kommune "
    "det samme arbeidet i egne systemer, med manuelle rutiner og dobbeltregistrering. "
)

# The status of proposal i in a unit (i % 10) and the transitions that led there.
STATUS_CYCLE = [
    "approved",
    "approved",
    "qualified",
    "submitted",
    "returned",
    "rejected",
    "not_prioritised",
    "declined",
    "draft",
    "prioritised",
]
PATHS = {
    "draft": [],
    "submitted": [("submit", "draft", "submitted")],
    "returned": [("submit", "draft", "submitted"), ("return", "submitted", "returned")],
    "rejected": [("submit", "draft", "submitted"), ("reject", "submitted", "rejected")],
    "qualified": [("submit", "draft", "submitted"), ("qualify", "submitted", "qualified")],
    "prioritised": [
        ("submit", "draft", "submitted"),
        ("qualify", "submitted", "qualified"),
        ("prioritise", "qualified", "prioritised"),
    ],
    "not_prioritised": [
        ("submit", "draft", "submitted"),
        ("qualify", "submitted", "qualified"),
        ("not_prioritise", "qualified", "not_prioritised"),
    ],
    "approved": [
        ("submit", "draft", "submitted"),
        ("qualify", "submitted", "qualified"),
        ("prioritise", "qualified", "prioritised"),
        ("approve", "prioritised", "approved"),
    ],
    "declined": [
        ("submit", "draft", "submitted"),
        ("qualify", "submitted", "qualified"),
        ("prioritise", "qualified", "prioritised"),
        ("decline", "prioritised", "declined"),
    ],
}
AGENDA_OUTCOME = {
    "prioritised": "prioritised",
    "approved": "prioritised",
    "declined": "prioritised",
    "not_prioritised": "not_prioritised",
}


def _bulk(model, rows, **kwargs):
    return model.objects.bulk_create(rows, batch_size=BATCH, **kwargs)


# --- members, participations, users (once, never multiplied) -----------------------------------


def members_2017():
    from members.models import Member

    return Member.objects.exclude(kind=Member.Kind.KS).filter(
        valid_from__lte=datetime.date(2017, 1, 1)
    )


def current_members():
    from members.models import Member

    return Member.objects.exclude(kind=Member.Kind.KS).filter(valid_to__isnull=True)


def ensure_members(n: int) -> None:
    """Synthetic members when the reference data is not loaded (the fast test): n kommuner of
    2017, half of them merged pairwise into successors in 2020."""
    from members.models import ContributionBasis, Member, MemberSuccession
    from tests.members.factories import _valid_orgnr

    if members_2017().exists():
        return
    old = _bulk(
        Member,
        [
            Member(
                kind=Member.Kind.KOMMUNE,
                number=f"{1000 + i:04d}",
                name=f"Benchkommune {i}",
                orgnr=_valid_orgnr(i),
                valid_from=datetime.date(2017, 1, 1),
                valid_to=datetime.date(2019, 12, 31) if i < n // 2 else None,
            )
            for i in range(n)
        ],
    )
    _bulk(
        ContributionBasis,
        [
            ContributionBasis(member=m, population=1000 + 37 * i, period="2017K2", source="bench")
            for i, m in enumerate(old)
        ],
    )
    merged = old[: n // 2]
    new = _bulk(
        Member,
        [
            Member(
                kind=Member.Kind.KOMMUNE,
                number=f"{5000 + i:04d}",
                name=f"Ny benchkommune {i}",
                orgnr=_valid_orgnr(10000 + i),
                valid_from=datetime.date(2020, 1, 1),
            )
            for i in range(0, len(merged), 2)
        ],
    )
    _bulk(
        MemberSuccession,
        [
            MemberSuccession(
                predecessor=m, successor=new[i // 2], changed_on=datetime.date(2020, 1, 1)
            )
            for i, m in enumerate(merged)
        ],
    )


def _share_amounts() -> dict[int, Decimal]:
    """member id → one-off share (population of 2017K2 × the rate of its kind), whole kroner."""
    from members.models import ContributionBasis, ContributionRate

    rates = {r.kind: r.per_inhabitant for r in ContributionRate.objects.order_by("valid_from")}
    out = {}
    for basis in ContributionBasis.objects.select_related("member"):
        rate = rates.get(basis.member.kind, Decimal("20.00"))
        out[basis.member_id] = (rate * basis.population).quantize(Decimal("1"))
    return out


def ensure_participations(*, status: str = "paid") -> int:
    """One participation per 2017 member that has none (status `paid`, or `confirmed` for the
    invoice batch). Addresses and e-mail are filled in where the reference data has none."""
    from members.models import Member, Participation

    for m in members_2017().filter(email=""):
        Member.objects.filter(pk=m.pk).update(
            email=f"postmottak@k{m.number}.kommune.example.no",
            address=f"Rådhuset\n{m.number} {m.name}",
        )
    existing = set(Participation.objects.values_list("member_id", flat=True))
    rows = []
    for m in members_2017().order_by("number"):
        if m.pk in existing:
            continue
        rows.append(
            Participation(
                member=m,
                status=status,
                invited_on=datetime.date(2017, 9, 1),
                decided_on=datetime.date(2017, 11, 1),
                decision_reference=f"Kommunestyresak {m.number}/17",
                fakturareferanse=f"DIGIFIN-{m.number}",
                contact_name="Kari Nordmann",
                contact_email=f"kari@k{m.number}.kommune.example.no",
            )
        )
    _bulk(Participation, rows)
    return len(rows)


def ensure_users() -> dict:
    """The bench users: a KS staff member (in the KS group, admin access), a council chair and
    four council members, and one municipal case officer per current member. Returns the users
    the page measurements log in as."""
    from django.contrib.auth.models import Group

    from accounts.models import Role, User
    from accounts.roles import sync_role_groups

    sync_role_groups()
    password = make_password("bench-not-a-secret")
    ks, _ = User.objects.get_or_create(
        username="bench-ks",
        defaults={"role": Role.KS_STAFF, "is_staff": True, "password": password},
    )
    ks.groups.add(Group.objects.get(name="KS-ansatte"))
    members = list(current_members().order_by("number", "pk"))
    council = []
    for i in range(5):
        user, _ = User.objects.get_or_create(
            username=f"bench-council-{i}",
            defaults={
                "role": Role.COUNCIL,
                "organisation": members[i * 7 % len(members)],
                "is_council_chair": i == 0,
                "password": password,
            },
        )
        council.append(user)
    have = set(
        User.objects.filter(username__startswith="bench-m-").values_list("username", flat=True)
    )
    _bulk(
        User,
        [
            User(
                username=f"bench-m-{m.pk}",
                role=Role.MUNICIPAL,
                organisation=m,
                password=password,
                email=f"saksbehandler@k{m.number}.kommune.example.no",
                first_name="Saks",
                last_name=f"Behandler {m.number}",
            )
            for m in members
            if f"bench-m-{m.pk}" not in have
        ],
    )
    municipal = User.objects.get(username=f"bench-m-{bench_org().pk}")
    return {"ks_staff": ks, "council": council[0], "municipal": municipal}


def bench_org():
    """The organisation the municipal user works for: Lillehammer if the reference data is
    loaded, otherwise the first current member."""
    return (
        current_members().filter(number="3405").first()
        or current_members().order_by("number").first()
    )


# --- the scaled part ---------------------------------------------------------------------------


def generate(*, start: int, stop: int, seed: int = 2017) -> dict:
    """Add units start..stop-1 (unit 0 = the real fund's once-only part). Returns row counts."""
    counts: dict[str, int] = defaultdict(int)
    users = ensure_users()
    if start == 0:
        ensure_participations()
        with transaction.atomic():
            _unit_zero(users, counts)
    for unit in range(max(start, 0), stop):
        with transaction.atomic():
            _unit(unit, users, random.Random(seed + unit), counts)  # noqa: S311 - test data
    return dict(counts)


SERIES, SERIES_DIGIT = "BN", 9  # the bench's own invoice series (the real ones are F and K)


class _Numbers:
    """Invoice numbers as invoicing.services.numbering hands them out: gapless per series and
    year, the counter row (InvoiceNumberCounter) standing at the last number used. The bench
    takes them from memory and writes the counters once at the end (`save`)."""

    def __init__(self):
        from invoicing.models import InvoiceNumberCounter

        self.last = dict(
            InvoiceNumberCounter.objects.filter(series=SERIES).values_list("year", "last_number")
        )

    def next(self, year: int) -> int:
        self.last[year] = self.last.get(year, 0) + 1
        return self.last[year]

    def save(self) -> None:
        from invoicing.models import InvoiceNumberCounter

        InvoiceNumberCounter.objects.bulk_create(
            [
                InvoiceNumberCounter(series=SERIES, year=year, last_number=last)
                for year, last in self.last.items()
            ],
            update_conflicts=True,
            unique_fields=["series", "year"],
            update_fields=["last_number"],
        )


def _invoice(*, kind, buyer, numbers, issued_on, total, status, source_key, paid_on=None):
    from invoicing.kid import make_kid
    from invoicing.models import Invoice

    year = issued_on.year
    sequence = numbers.next(year)
    return Invoice(
        kind=kind,
        series=SERIES,
        year=year,
        sequence=sequence,
        number=f"{SERIES}{year}-{sequence:05d}",  # as numbering.assign_number writes it
        source_key=source_key,
        buyer=buyer,
        buyer_name=buyer.name,
        buyer_orgnr=buyer.orgnr or "971032146",
        buyer_address=buyer.address,
        buyer_email=buyer.email,
        fakturareferanse=f"DIGIFIN-{buyer.number or 'KS'}",
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=30),
        kid=make_kid(series_digit=SERIES_DIGIT, year=year, sequence=sequence),
        net_total=total,
        vat_total=Decimal("0.00"),
        total=total,
        status=status,
        paid_on=paid_on,
    )


def _line(invoice, description):
    from invoicing.models import InvoiceLine

    return InvoiceLine(
        invoice=invoice,
        position=1,
        description=description,
        quantity=Decimal("1"),
        unit_price=invoice.net_total,
        net_amount=invoice.net_total,
        vat_category="O",
        vat_exemption_reason="Utenfor avgiftsområdet",
    )


def _payments(invoices, *, actor) -> list:
    """One payment of the full amount per paid invoice, on its paid_on date, as
    invoicing.services.register_payment records it (KID, the invoice number as reference, the
    payer). The ledger entry the kind's handler books is keyed "invoicing-payment:<payment id>"
    (the callers build it from the payment returned here)."""
    from invoicing.models import Payment

    return _bulk(
        Payment,
        [
            Payment(
                invoice=inv,
                amount=inv.total,
                paid_on=inv.paid_on,
                kid=inv.kid,
                reference=inv.number,
                payer=inv.buyer_name[:200],
                source=Payment.Source.MANUAL,
                external_ref=f"bench:payment:{inv.pk}",
                recorded_by=actor,
            )
            for inv in invoices
        ],
    )


def _unit_zero(users, counts) -> None:
    """The once-only part: KMD and KS capital with the commitments behind it, every member's
    share (invoiced, paid, booked)."""
    from fund.models import CapitalCommitment, CapitalSource, LedgerEntry
    from invoicing.models import Invoice, InvoiceLine
    from members.models import Participation

    if LedgerEntry.objects.filter(idempotency_key="bench:kmd:2017").exists():
        return
    ks = users["ks_staff"]
    _bulk(
        CapitalCommitment,
        [
            CapitalCommitment(
                source=CapitalSource.KMD,
                year=2017,
                amount=Decimal("25000000.00"),
                reference="Prosjektskjønnsmidler 2017, kap. 571 post 64",
                recorded_by=ks,
            ),
            CapitalCommitment(
                source=CapitalSource.KMD,
                year=2018,
                amount=Decimal("100000000.00"),
                reference="Tilskudd 2018",
                recorded_by=ks,
            ),
            CapitalCommitment(
                source=CapitalSource.KS,
                year=2017,
                amount=Decimal("40000000.00"),
                is_ceiling=True,
                reference="KS' kapital 2018–2021 (inntil)",
                recorded_by=ks,
            ),
        ],
    )
    entries = [
        LedgerEntry(
            kind=LedgerEntry.Kind.STATE_GRANT,
            source=CapitalSource.KMD,
            amount=Decimal("25000000.00"),
            occurred_on=datetime.date(2017, 12, 15),
            description="Prosjektskjønnsmidler 2017, kap. 571 post 64",
            idempotency_key="bench:kmd:2017",
            recorded_by=ks,
        ),
        LedgerEntry(
            kind=LedgerEntry.Kind.STATE_GRANT,
            source=CapitalSource.KMD,
            amount=Decimal("100000000.00"),
            occurred_on=datetime.date(2018, 3, 1),
            description="Tilskudd 2018",
            idempotency_key="bench:kmd:2018",
            recorded_by=ks,
        ),
    ] + [
        LedgerEntry(
            kind=LedgerEntry.Kind.KS_CAPITAL,
            source=CapitalSource.KS,
            amount=Decimal("10000000.00"),
            occurred_on=datetime.date(year, 6, 30),
            description=f"Kapital fra KS {year}",
            idempotency_key=f"bench:ks:{year}",
            recorded_by=ks,
        )
        for year in range(2018, 2022)
    ]
    shares = _share_amounts()
    numbers = _Numbers()
    # The batch (bench/batch.py) may have issued real share invoices (series F): they are paid
    # too, the rest are invoiced here in the bench series.
    issued = {
        inv.buyer_id: inv
        for inv in Invoice.objects.filter(
            kind=Invoice.Kind.MEMBER_SHARE,
            document_type=Invoice.DocumentType.INVOICE,
            status=Invoice.Status.ISSUED,
        )
    }
    new, paid = [], []  # paid: (participation, invoice)
    for i, p in enumerate(
        Participation.objects.select_related("member").order_by("member__number", "member_id")
    ):
        inv = issued.get(p.member_id)
        if inv is not None:
            inv.status, inv.paid_on = Invoice.Status.PAID, datetime.date(2018, 3, 1)
            paid.append((p, inv))
            continue
        amount = p.share_amount or shares.get(p.member_id)
        if not amount:
            continue
        day = datetime.date(2018, 1, 15) + datetime.timedelta(days=i % 60)
        inv = _invoice(
            kind=Invoice.Kind.MEMBER_SHARE,
            buyer=p.member,
            numbers=numbers,
            issued_on=day,
            total=Decimal(amount).quantize(Decimal("0.01")),
            status=Invoice.Status.PAID,
            paid_on=day + datetime.timedelta(days=20 + i % 15),
            source_key=f"share:{p.pk}",
        )
        new.append(inv)
        paid.append((p, inv))
    _bulk(Invoice, new)
    numbers.save()
    _bulk(InvoiceLine, [_line(inv, f"Engangsandel for {inv.buyer_name}") for inv in new])
    Invoice.objects.bulk_update(list(issued.values()), ["status", "paid_on"], batch_size=BATCH)
    payments = {pay.invoice_id: pay for pay in _payments([inv for _p, inv in paid], actor=ks)}
    for p, inv in paid:
        Participation.objects.filter(pk=p.pk).update(
            status="paid", share_amount=inv.total, invoiced_on=inv.issued_on, paid_on=inv.paid_on
        )
        pay = payments[inv.pk]
        entries.append(  # what members' ShareInvoices handler books
            LedgerEntry(
                kind=LedgerEntry.Kind.MEMBER_SHARE,
                source=CapitalSource.MEMBERS,
                amount=pay.amount,
                occurred_on=pay.paid_on,
                description=f"Andel {p.member.name} {inv.number}"[:300],
                member=p.member,
                subject=inv,
                idempotency_key=f"invoicing-payment:{pay.pk}",
                recorded_by=ks,
            )
        )
    _bulk(LedgerEntry, entries)
    counts["ledger entries"] += len(entries)
    counts["invoices"] += len(new)


def _unit(unit: int, users, rng: random.Random, counts) -> None:  # noqa: C901, PLR0915
    from fund.models import CapitalCommitment, CapitalSource, LedgerEntry
    from invoicing.models import Invoice, InvoiceLine
    from projects.models import (
        AgendaItem,
        Attachment,
        CoApplicant,
        ContactPerson,
        CostYear,
        CouncilMeeting,
        Grant,
        Milestone,
        Project,
        ProjectBudgetYear,
        Proposal,
        ProposalSnapshot,
        ProposalTransition,
        StatusReport,
    )
    from repayments.models import AccessAgreement, PriceModel, Solution

    ks, chair = users["ks_staff"], users["council"]
    members = list(current_members().order_by("number", "pk"))
    org = bench_org()
    author = {
        u.organisation_id: u
        for u in users["municipal"].__class__.objects.filter(username__startswith="bench-m-")
    }
    # Current members that may adopt solutions: participants through themselves or predecessors.
    # Current members adopt solutions (successors inherit their predecessors' participation).
    adopters = members

    # Proposals ------------------------------------------------------------------------------
    proposals = []
    for i in range(PROPOSALS_PER_UNIT):
        status = STATUS_CYCLE[i % 10]
        lead = org if i % BENCH_ORG_EVERY == 0 else members[(i * 7 + unit * 13) % len(members)]
        year = 2018 + (i + unit) % 9
        proposals.append(
            Proposal(
                reference=None if status == "draft" else f"DF-{unit:03d}-{i:04d}",
                title=f"Felles løsning {unit}-{i}: digital tjeneste {i % 37}",
                status=status,
                lead_member=lead,
                start_year=year,
                version=2 if status in ("returned",) else 1,
                created_by=author[lead.pk],
                **{
                    name: TEXT * (1 + rng.randrange(3))
                    for name in (
                        "background",
                        "concepts",
                        "deliverables",
                        "stakeholders",
                        "scope",
                        "expected_benefits",
                        "organisation",
                        "dependencies",
                        "outline_plan",
                        "purpose",
                        "cost_benefit",
                        "financing",
                        "relevance_for_all",
                        "expected_adoption",
                        "repayment_model",
                    )
                },
            )
        )
    proposals = _bulk(Proposal, proposals)
    counts["proposals"] += len(proposals)

    transitions, snapshots, attachments, costs, contacts, co = [], [], [], [], [], []
    applied = defaultdict(Decimal)  # proposal id → development cost asked of the fund
    for i, p in enumerate(proposals):
        actor_for = {"submit": p.created_by, "return": ks, "reject": ks, "qualify": ks}
        for name, frm, to in PATHS[p.status]:
            transitions.append(
                ProposalTransition(
                    proposal=p,
                    name=name,
                    from_status=frm,
                    to_status=to,
                    actor=actor_for.get(name, chair if "prioritis" in name else ks),
                    comment="" if name == "submit" else "Behandlet etter KS' prinsipper.",
                )
            )
        if p.status != "draft":
            snapshots.append(
                ProposalSnapshot(
                    proposal=p,
                    version=1,
                    data={"title": p.title, "background": p.background, "scope": p.scope},
                )
            )
            for k in range(2):
                attachments.append(
                    Attachment(
                        proposal=p,
                        file=f"proposals/{p.pk}/bench{k}.pdf",
                        original_name=f"Prosjektbegrunnelse {k + 1}.pdf",
                        content_type="application/pdf",
                        size=150_000 + 1000 * k,
                        uploaded_by=p.created_by,
                    )
                )
        for k in range(2):
            costs.append(
                CostYear(
                    proposal=p,
                    year=p.start_year + k,
                    development=Decimal(1_000_000 + 250_000 * (i % 8)),
                    operating=Decimal(100_000 * k),
                )
            )
            applied[p.pk] += costs[-1].development
        contacts.append(
            ContactPerson(proposal=p, name="Ola Nordmann", email="ola@kommune.example.no")
        )
        if i % 3 == 0:
            partner = members[(i * 11 + 5) % len(members)]
            if partner.pk != p.lead_member_id:
                co.append(
                    CoApplicant(
                        proposal=p,
                        member=partner,
                        confirmed_by=author[partner.pk],
                        confirmed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
                    )
                )
    for model, rows, label in (
        (ProposalTransition, transitions, "proposal transitions"),
        (ProposalSnapshot, snapshots, "snapshots"),
        (Attachment, attachments, "attachments"),
        (CostYear, costs, "cost years"),
        (ContactPerson, contacts, None),
        (CoApplicant, co, None),
    ):
        _bulk(model, rows)
        if label:
            counts[label] += len(rows)

    # Council: one closed meeting a year with the decided cases (the meetings are not multiplied,
    # their cases are), and the open December meeting with QUEUED_PER_UNIT qualified cases of
    # every unit waiting for scores.
    meetings = {}
    for year in range(2018, 2027):
        meetings[year], _ = CouncilMeeting.objects.get_or_create(
            title=f"Rådsmøte {year}",
            defaults={
                "held_on": datetime.date(year, 10, 1),
                "closed_at": datetime.datetime(year, 10, 2, tzinfo=datetime.UTC),
            },
        )
    open_meeting, _ = CouncilMeeting.objects.get_or_create(
        title="Rådsmøte desember 2026", defaults={"held_on": datetime.date(2026, 12, 10)}
    )
    case_no = {
        y: (AgendaItem.objects.filter(case_year=y).aggregate(m=Max("case_number"))["m"] or 0)
        for y in meetings
    }
    items = []
    for p in proposals:
        if p.status not in AGENDA_OUTCOME:
            continue
        year = p.start_year
        case_no[year] += 1
        items.append(
            AgendaItem(
                meeting=meetings[year],
                proposal=p,
                case_year=year,
                case_number=case_no[year],
                outcome=AGENDA_OUTCOME[p.status],
                minutes="Rådet prioriterer forslaget.",
                decided_by=chair,
            )
        )
    for p in [p for p in proposals if p.status == "qualified"][:QUEUED_PER_UNIT]:
        case_no[2026] += 1
        items.append(
            AgendaItem(meeting=open_meeting, proposal=p, case_year=2026, case_number=case_no[2026])
        )
    _bulk(AgendaItem, items)
    counts["agenda items"] += len(items)

    # Projects ------------------------------------------------------------------------------
    approved = [p for p in proposals if p.status == "approved"][:PROJECTS_PER_UNIT]
    projects = _bulk(
        Project,
        [
            Project(
                proposal=p,
                title=p.title,
                responsible=p.lead_member,
                # never more than applied for (projects.selectors.proposal_funding)
                granted=min(Decimal(2_000_000 + 100_000 * (k % 20)), applied[p.pk]),
                status=Project.Status.COMPLETED if k < SOLUTIONS_PER_UNIT else "active",
                decided_by=ks,
            )
            for k, p in enumerate(approved)
        ],
    )
    counts["projects"] += len(projects)
    budget, milestones, reports = [], [], []
    for k, project in enumerate(projects):
        start = project.proposal.start_year
        for j in range(3):
            budget.append(
                ProjectBudgetYear(
                    project=project,
                    year=start + j,
                    amount=(project.granted / 3).quantize(Decimal("0.01")),
                )
            )
            milestones.append(
                Milestone(
                    project=project,
                    title=f"Leveranse {j + 1}",
                    due_on=datetime.date(start + j, 6, 30),
                    done_on=datetime.date(start + j, 6, 20) if start + j < 2026 else None,
                )
            )
        for j in range(4):
            reports.append(
                StatusReport(
                    project=project,
                    period=f"{start}-T{j + 1}",
                    light=["green", "green", "yellow", "red"][(k + j) % 4],
                    progress="Framdrift etter plan.",
                    spent=(project.granted * j / 8).quantize(Decimal("0.01")),
                    reported_by=ks,
                )
            )
    _bulk(ProjectBudgetYear, budget)
    _bulk(Milestone, milestones)
    _bulk(StatusReport, reports)
    # Each project's grant, accepted by its applicant (issue 18): payments follow acceptance.
    _bulk(
        Grant,
        [
            Grant(  # decided in November the year before the project starts
                project=project,
                amount=project.granted,
                status=Grant.Status.ACCEPTED,
                decided_on=datetime.date((project.proposal.start_year or 2020) - 1, 11, 1),
                decided_by=ks,
                accept_by=datetime.date((project.proposal.start_year or 2020) - 1, 12, 1),
                proposal_reference=project.proposal.reference or "",
                accepted_at=datetime.datetime(
                    (project.proposal.start_year or 2020) - 1, 11, 15, 12, tzinfo=datetime.UTC
                ),
                signed_by_name="Kommunedirektøren",
            )
            for project in projects
        ],
    )

    # Solutions, price models, access agreements --------------------------------------------
    solutions = _bulk(
        Solution,
        [
            Solution(
                name=f"{project.title} (løsning)",
                description="Felles løsning fra porteføljen.",
                project=project,
                development_cost=project.granted,
                available_on=datetime.date(project.proposal.start_year + 2, 1, 1),
                fdvu_terms="Brukerne deler FDVU likt.",
                fdvu_key="equal",
                fdvu_yearly_cost=Decimal("600000"),
                is_published=True,
                published_on=datetime.date(project.proposal.start_year + 2, 1, 1),
                created_by=ks,
            )
            for project in projects[:SOLUTIONS_PER_UNIT]
        ],
    )
    _bulk(
        PriceModel,
        [
            PriceModel(
                solution=s, kind="flat", parameters={"amount": str(ACCESS_FEE)}, updated_by=ks
            )
            for s in solutions
        ],
    )
    counts["solutions"] += len(solutions)
    agreements = []
    for j, s in enumerate(solutions):
        n = 20 + (j * 7 + unit) % 40  # 20..59 adopters, ~40 on average
        offset = rng.randrange(len(adopters))
        for k in range(min(n, len(adopters))):
            m = adopters[(offset + k) % len(adopters)]
            activated = min(s.available_on + datetime.timedelta(days=30 * k), TODAY)
            agreements.append(
                AccessAgreement(
                    solution=s,
                    member=m,
                    status=AccessAgreement.Status.ACTIVE,
                    requested_by=author[m.pk],
                    fdvu_accepted_at=datetime.datetime.combine(
                        activated, datetime.time(12), tzinfo=datetime.UTC
                    ),
                    fdvu_terms_accepted=s.fdvu_terms,
                    activated_on=activated,
                    fee_amount=ACCESS_FEE,
                    fee_status=AccessAgreement.FeeStatus.PAID,
                    fee_paid_on=min(activated + datetime.timedelta(days=25), TODAY),
                )
            )
    agreements = _bulk(AccessAgreement, agreements)
    counts["access agreements"] += len(agreements)

    numbers = _Numbers()
    invoices = _bulk(
        Invoice,
        [
            _invoice(
                kind=Invoice.Kind.ACCESS_FEE,
                buyer=a.member,
                numbers=numbers,
                issued_on=a.activated_on,
                total=a.fee_amount,
                status=Invoice.Status.PAID,
                paid_on=a.fee_paid_on,
                source_key=f"bench:access:{a.pk}",
            )
            for a in agreements
        ],
    )
    numbers.save()
    payments = _payments(invoices, actor=ks)  # in the agreements' order
    _bulk(InvoiceLine, [_line(inv, "Tilknytningskostnad") for inv in invoices])
    counts["invoices"] += len(invoices)
    if agreements:  # the fee's invoice, in one statement (one UPDATE per row would be slow)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE repayments_accessagreement SET fee_invoice_id = i.id "
                "FROM invoicing_invoice i WHERE i.source_key = 'bench:access:' || "
                "CAST(repayments_accessagreement.id AS TEXT) "
                "AND repayments_accessagreement.id BETWEEN %s AND %s",
                [agreements[0].pk, agreements[-1].pk],
            )

    # Ledger: disbursements (never below zero within the unit) and access fees ---------------
    agreement_ct = ContentType.objects.get_for_model(AccessAgreement)
    project_ct = ContentType.objects.get_for_model(Project)
    movements = []  # (date, amount, entry)
    for project in projects:
        start = datetime.date(project.proposal.start_year, 3, 1)
        part = (project.granted / 8).quantize(Decimal("0.01"))
        for q in range(8):
            day = start + datetime.timedelta(days=91 * q)
            if day > TODAY:
                break
            movements.append(
                LedgerEntry(
                    kind=LedgerEntry.Kind.DISBURSEMENT,
                    source=CapitalSource.PROJECTS,
                    amount=-part,
                    occurred_on=day,
                    description=f"Utbetaling {project.title} ({q + 1}/8)",
                    subject_type=project_ct,
                    subject_id=project.pk,
                    project_ref=project.pk,
                    recorded_by=ks,
                )
            )
    by_solution = {s.pk: s for s in solutions}
    for a, pay in zip(agreements, payments, strict=True):
        s = by_solution[a.solution_id]
        movements.append(  # what repayments' access-fee handler books (access_fee_paid)
            LedgerEntry(
                kind=LedgerEntry.Kind.ACCESS_FEE,
                source=CapitalSource.ACCESS_FEES,
                amount=pay.amount,
                occurred_on=pay.paid_on,
                description=f"Tilknytningskostnad {s.name}"[:300],
                member_id=a.member_id,
                subject_type=agreement_ct,
                subject_id=a.pk,
                idempotency_key=f"invoicing-payment:{pay.pk}",
                project_ref=s.project_id,
                solution_ref=s.pk,
                recorded_by=ks,
            )
        )
    entries = []
    if unit == 0:  # funded by what _unit_zero booked
        balance = Decimal(0)
        inflow_by_day = dict(
            LedgerEntry.objects.values_list("occurred_on").annotate(s=Sum("amount"))
        )
    else:
        # This unit's own capital, before any of its disbursements.
        capital = sum((-e.amount for e in movements if e.amount < 0), Decimal(0))
        entries.append(
            LedgerEntry(
                kind=LedgerEntry.Kind.KS_CAPITAL,
                source=CapitalSource.KS,
                amount=capital,
                occurred_on=datetime.date(2017, 12, 1),
                description=f"Kapital (benchmark-enhet {unit})",
                idempotency_key=f"bench:unit:{unit}",
                recorded_by=ks,
            )
        )
        if capital:  # and KS's commitment behind it (check_commitments: paid ≤ committed)
            CapitalCommitment.objects.create(
                source=CapitalSource.KS,
                year=2017,
                amount=capital,
                reference=f"Benchmark-enhet {unit}",
                recorded_by=ks,
            )
        balance, inflow_by_day = capital, {}
    # Walk day by day; leave out a disbursement that would take the unit below zero.
    days = sorted({e.occurred_on for e in movements} | set(inflow_by_day))
    todo = defaultdict(list)
    for e in movements:
        todo[e.occurred_on].append(e)
    for day in days:
        balance += inflow_by_day.get(day, Decimal(0))
        for e in sorted(todo[day], key=lambda e: -e.amount):  # inflows of the day first
            if balance + e.amount >= 0:
                balance += e.amount
                entries.append(e)
    _bulk(LedgerEntry, entries)
    counts["ledger entries"] += len(entries)
    _payment_requests(projects, entries, ks=ks, author=author, counts=counts)


def _payment_requests(projects, entries, *, ks, author, counts) -> None:
    """The payment requests behind the disbursements (issue 18 §4): each disbursement is an
    approved partial request linked to its ledger entry, with its costs by category; an active
    project with grant left has one request waiting for KS. What the services write, in bulk."""
    from projects.models import PaymentRequest, PaymentRequestCost

    by_project = {p.pk: p for p in projects}
    requests = []
    for e in entries:
        if e.kind != "disbursement" or e.project_ref not in by_project:
            continue
        project = by_project[e.project_ref]
        requests.append(
            PaymentRequest(
                project=project,
                kind=PaymentRequest.Kind.PARTIAL,
                status=PaymentRequest.Status.APPROVED,
                amount=-e.amount,
                progress=f"Framdrift fram til {e.occurred_on:%d.%m.%Y}: leveransene etter plan.",
                submitted_by=author.get(project.responsible_id, ks),
                decided_by=ks,
                decided_at=datetime.datetime.combine(
                    e.occurred_on, datetime.time(12), tzinfo=datetime.UTC
                ),
                ledger_entry=e,
            )
        )
    paid = defaultdict(Decimal)
    for r in requests:
        paid[r.project.pk] += r.amount
    for project in projects:
        left = project.granted - paid[project.pk]
        if project.status == "active" and left > 0:
            requests.append(
                PaymentRequest(
                    project=project,
                    kind=PaymentRequest.Kind.PARTIAL,
                    amount=min(left, (project.granted / 8).quantize(Decimal("0.01"))),
                    progress="Andre kvartal: testing med to kommuner.",
                    submitted_by=author.get(project.responsible_id, ks),
                )
            )
    requests = _bulk(PaymentRequest, requests)
    costs = []
    for r in requests:
        internal = (r.amount * Decimal("0.4")).quantize(Decimal("0.01"))
        costs += [
            PaymentRequestCost(
                request=r, category=PaymentRequestCost.Category.INTERNAL, amount=internal
            ),
            PaymentRequestCost(
                request=r, category=PaymentRequestCost.Category.EXTERNAL, amount=r.amount - internal
            ),
        ]
    _bulk(PaymentRequestCost, costs)
    counts["payment requests"] += len(requests)


# --- checks the test and the benchmark use ------------------------------------------------------


def ledger_never_negative() -> bool:
    """True when the fund's running balance is ≥ 0 at the end of every day."""
    from fund.models import LedgerEntry

    balance = Decimal(0)
    for _day, amount in (
        LedgerEntry.objects.order_by()
        .values_list("occurred_on")
        .annotate(s=Sum("amount"))
        .order_by("occurred_on")
    ):
        balance += amount
        if balance < 0:
            return False
    return True


def row_counts() -> dict[str, int]:
    from fund.models import LedgerEntry
    from invoicing.models import Invoice
    from members.models import Member
    from projects.models import Project, Proposal
    from repayments.models import AccessAgreement, Solution

    return {
        "members": Member.objects.count(),
        "proposals": Proposal.objects.count(),
        "projects": Project.objects.count(),
        "solutions": Solution.objects.count(),
        "access agreements": AccessAgreement.objects.count(),
        "invoices": Invoice.objects.count(),
        "ledger entries": LedgerEntry.objects.count(),
    }
