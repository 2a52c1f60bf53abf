"""Reads for proposals: who sees what, lists with filters, and the computed figures."""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from core.money import to_money
from fund.selectors import (
    disbursed_by_project,
    fund_balance,
    ledger_cached,
    ledger_version,
    recovered_by_project,
)
from members.models import Member
from members.selectors import participant_flags

from .models import (
    AgendaItem,
    BenefitReport,
    BenefitReportLine,
    BenefitYear,
    CoApplicant,
    ConflictDeclaration,
    CostYear,
    CouncilMeeting,
    FinalReport,
    Grant,
    GrantTransition,
    MeetingDocument,
    Milestone,
    PaymentRequest,
    PaymentRequestCost,
    Project,
    ProjectEvent,
    Proposal,
    ProposalStatus,
    ProposalTransition,
    QualificationAnswer,
    QualificationCriterion,
    Score,
    ScoringCriterion,
)
from .npv import NpvResult, compute_npv

ZERO = Decimal("0.00")


def _prefetched(obj, name: str) -> bool:
    """Whether `obj.<name>.all()` is served from a prefetch (no query)."""
    return name in getattr(obj, "_prefetched_objects_cache", {})


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """KS staff see every proposal; a municipal user sees its organisation's proposals and the
    joint ones its organisation is a co-applicant of; everyone else sees none."""
    qs = Proposal.objects.select_related("lead_member", "lead_member__county")
    if not user.is_authenticated:
        return qs.none()
    if user.is_ks_staff:
        return qs
    if user.is_municipal:
        org = user.organisation_id
        # A UNION of two index look-ups: an OR across the join to co-applicants would scan
        # every proposal (docs/bench.md).
        ids = (
            Proposal.objects.filter(lead_member_id=org)
            .order_by()
            .values("pk")
            .union(CoApplicant.objects.filter(member_id=org).order_by().values("proposal_id"))
        )
        return qs.filter(pk__in=ids)
    return qs.none()


# The proposal form's long text sections: lists and the council queue show none of them.
SECTION_TEXT_FIELDS = tuple(
    f.name for f in Proposal._meta.concrete_fields if isinstance(f, models.TextField)
)


def for_listing(qs: QuerySet[Proposal], prefix: str = "") -> QuerySet[Proposal]:
    """`qs` without the proposals' long text sections (`prefix`: "proposal__" for rows that
    reach the proposal through a relation)."""
    return qs.defer(*(prefix + name for name in SECTION_TEXT_FIELDS))


def with_details(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Everything a proposal's page shows, loaded once: the yearly tables, contacts,
    attachments, co-applicants with their members, snapshots and the transition log."""
    return qs.prefetch_related(
        "cost_years",
        "benefit_years",
        "contacts",
        "attachments",
        Prefetch("co_applicants", queryset=CoApplicant.objects.select_related("member")),
        "snapshots",
        Prefetch("transitions", queryset=ProposalTransition.objects.select_related("actor")),
    )


def proposal_staff_list(
    *,
    status: str = "",
    applicant: str = "",
    county: str = "",
    year: str = "",
    search: str = "",
) -> QuerySet[Proposal]:
    """All proposals for KS staff, filtered. `applicant` = member id; `county` = fylke member
    id (the lead member's county, or the lead itself when it is a fylkeskommune); `year` = the
    year the proposal was created."""
    qs = Proposal.objects.select_related("lead_member", "lead_member__county").order_by(
        "-created_at", "-id"
    )
    if status:
        qs = qs.filter(status=status)
    if applicant.isdigit():
        # A subquery, not a join: no duplicate rows, so no DISTINCT over the wide rows (a
        # DISTINCT sorts every proposal with all its text; it grew with the proposals).
        joint = CoApplicant.objects.filter(member_id=applicant).values("proposal_id")
        qs = qs.filter(Q(lead_member_id=applicant) | Q(pk__in=joint))
    if county.isdigit():
        qs = qs.filter(Q(lead_member__county_id=county) | Q(lead_member_id=county))
    if year.isdigit():
        qs = qs.filter(created_at__year=int(year))
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(reference__icontains=search)
            | Q(lead_member__name__icontains=search)
            | Q(company_name__icontains=search)
        )
    return qs


def counties() -> QuerySet[Member]:
    return Member.objects.filter(kind=Member.Kind.FYLKESKOMMUNE, valid_to__isnull=True).order_by(
        "name"
    )


def qualification_queue() -> QuerySet[Proposal]:
    """Submitted proposals waiting for KS, oldest first."""
    return for_listing(
        Proposal.objects.filter(status=ProposalStatus.SUBMITTED)
        .select_related("lead_member")
        .order_by("submitted_at", "id")
    )


def active_criteria() -> QuerySet[QualificationCriterion]:
    return QualificationCriterion.objects.filter(active=True).order_by("order", "id")


def proposal_npv(*, proposal: Proposal) -> NpvResult:
    costs = [(c.year, c.development, c.operating) for c in proposal.cost_years.all()]
    benefits = [(b.year, b.amount) for b in proposal.benefit_years.all()]
    return compute_npv(costs=costs, benefits=benefits, first_year=proposal.start_year)


@dataclass(frozen=True)
class FundingSummary:
    development: Decimal
    operating: Decimal
    own_contribution: Decimal
    other_funding: Decimal
    requested_from_fund: Decimal


_FUNDING_SUMS = {
    "dev": Sum("development"),
    "op": Sum("operating"),
    "own": Sum("own_contribution"),
    "other": Sum("other_funding"),
}


def _funding(totals: dict) -> FundingSummary:
    """What the applicant asks of the fund: development costs less own contribution and other
    funding, never below zero. FDVU is never financed by the fund, so it does not count."""
    dev, op, own, other = (to_money(totals[k] or 0) for k in ("dev", "op", "own", "other"))
    return FundingSummary(dev, op, own, other, max(dev - own - other, to_money(0)))


def proposal_funding(*, proposal: Proposal) -> FundingSummary:
    """The proposal's funding summary; from its prefetched cost years when it has them."""
    if _prefetched(proposal, "cost_years"):
        rows = proposal.cost_years.all()
        return _funding(
            {
                "dev": sum((c.development for c in rows), Decimal(0)),
                "op": sum((c.operating for c in rows), Decimal(0)),
                "own": sum((c.own_contribution for c in rows), Decimal(0)),
                "other": sum((c.other_funding for c in rows), Decimal(0)),
            }
        )
    return _funding(proposal.cost_years.aggregate(**_FUNDING_SUMS))


def proposal_fundings(*, proposal_ids) -> dict[int, FundingSummary]:
    """Bulk version for lists: proposal id → funding summary, in one query."""
    totals = (
        CostYear.objects.filter(proposal_id__in=list(proposal_ids))
        .order_by()
        .values("proposal_id")
        .annotate(**_FUNDING_SUMS)
    )
    found = {row["proposal_id"]: _funding(row) for row in totals}
    empty = _funding(dict.fromkeys(_FUNDING_SUMS))
    return {pk: found.get(pk, empty) for pk in proposal_ids}


@dataclass(frozen=True)
class ApplicantStatus:
    member: Member
    role: str
    is_participant: bool
    needs_participation: bool
    confirmed: bool


def _needs_participation(member: Member) -> bool:
    # KS administers the fund and applies without being a participant.
    return member.kind in (Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE)


def _co_applicants(proposal: Proposal) -> list[CoApplicant]:
    if _prefetched(proposal, "co_applicants"):
        return list(proposal.co_applicants.all())
    return list(proposal.co_applicants.select_related("member"))


def applicant_statuses(*, proposal: Proposal) -> list[ApplicantStatus]:
    """The lead and every co-applicant with participation and confirmation state (the
    participations of all of them are read together, merges included)."""
    co_rows = _co_applicants(proposal)
    lead = proposal.lead_member
    participant = participant_flags(members=[lead] + [co.member for co in co_rows])
    rows = [ApplicantStatus(lead, "lead", participant[lead.pk], _needs_participation(lead), True)]
    for co in co_rows:
        rows.append(
            ApplicantStatus(
                co.member,
                "co",
                participant[co.member_id],
                _needs_participation(co.member),
                co.confirmed_at is not None,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Council (issue 5)
# ---------------------------------------------------------------------------------------------
def applicant_member_ids(*, proposal: Proposal) -> set[int]:
    if _prefetched(proposal, "co_applicants"):
        return {proposal.lead_member_id} | {co.member_id for co in proposal.co_applicants.all()}
    return {proposal.lead_member_id} | set(
        proposal.co_applicants.values_list("member_id", flat=True)
    )


def is_recused(*, item, user) -> bool:
    """Automatic recusal: the member's own organisation applies or co-applies."""
    return user.organisation_id is not None and user.organisation_id in applicant_member_ids(
        proposal=item.proposal
    )


def has_declared_conflict(*, item, user) -> bool:
    return item.conflicts.filter(member=user).exists()


def may_record_outcome(*, item, user) -> tuple[bool, str]:
    """Who records the council's outcome on a case: the chair, unless recused (own
    organisation applies, or a declared conflict); then the meeting's deputy chair, unless
    also recused. (allowed, why not)."""
    if not user.is_council:
        return False, _("Bare rådets leder kan føre rådets konklusjon.")
    if is_recused(item=item, user=user) or has_declared_conflict(item=item, user=user):
        return False, _("Du er inhabil i saken og kan ikke føre rådets konklusjon.")
    if user.is_council_chair:
        return True, ""
    if item.meeting.deputy_chair_id == user.pk:
        chairs = [
            chair
            for chair in get_user_model().objects.filter(
                role="council", is_active=True, is_council_chair=True
            )
            if not is_recused(item=item, user=chair)
            and not has_declared_conflict(item=item, user=chair)
        ]
        if not chairs:
            return True, ""
        return False, _("Lederen er ikke inhabil i saken; lederen fører konklusjonen.")
    return False, _("Bare rådets leder kan føre rådets konklusjon.")


def quorum(*, item) -> tuple[int, int, bool]:
    """The meeting's quorum rule on a case: (members who have scored it, council members able
    to score it: active, not recused, no declared conflict, whether the quorum is met)."""
    able = [
        member
        for member in get_user_model().objects.filter(role="council", is_active=True)
        if not is_recused(item=item, user=member)
        and not has_declared_conflict(item=item, user=member)
    ]
    scored = (
        item.scores.filter(member__in=able, criterion__active=True)
        .values("member")
        .distinct()
        .count()
    )
    met = not able or scored * 100 >= item.meeting.quorum_percent * len(able)
    return scored, len(able), met


def has_scored(*, item, user) -> bool:
    needed = ScoringCriterion.objects.filter(active=True).count()
    return needed > 0 and item.scores.filter(member=user, criterion__active=True).count() >= needed


def can_see_scores(*, item, user) -> bool:
    """No anchoring: others' scores stay hidden until the member has scored or the meeting is
    closed. KS staff (who do not score) see them."""
    return user.is_ks_staff or item.meeting.is_closed or has_scored(item=item, user=user)


@dataclass(frozen=True)
class ItemRanking:
    item: object
    weighted: Decimal | None  # mean over members of each member's weighted score (1-5)
    spread: Decimal | None  # max - min of the members' weighted scores
    count: int


def _ranking(item, scores) -> ItemRanking:
    """Each member's weighted score = Σ(weight × value) / Σ(weight) over the criteria they
    scored; the case's score is the mean of those; rounded half up to two decimals.
    `scores` are (member id, weight, value) of the case's scores on active criteria."""
    per_member: dict[int, list[tuple[Decimal, int]]] = {}
    for member_id, weight, value in scores:
        per_member.setdefault(member_id, []).append((weight, value))
    totals = [
        sum((w * v for w, v in rows), Decimal(0)) / sum((w for w, _v in rows), Decimal(0))
        for rows in per_member.values()
    ]
    return _ranked(item, totals)


def _ranked(item, totals: list[Decimal]) -> ItemRanking:
    """The case's ranking from its members' weighted scores (see `_ranking`)."""
    if not totals:
        return ItemRanking(item, None, None, 0)
    q = Decimal("0.01")
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(q, rounding=ROUND_HALF_UP)
    spread = (max(totals) - min(totals)).quantize(q, rounding=ROUND_HALF_UP)
    return ItemRanking(item, mean, spread, len(totals))


def item_ranking(*, item) -> ItemRanking:
    """One case's weighted score, spread and number of members who scored (see `_ranking`)."""
    scores = item.scores.filter(criterion__active=True).values_list(
        "member_id", "criterion__weight", "value"
    )
    return _ranking(item, scores)


@dataclass(frozen=True)
class CouncilQueueRow:
    """A case in the council's queue as one user sees it."""

    item: object
    ranking: ItemRanking
    visible: bool  # the user may see the others' scores (see can_see_scores)
    recused: bool  # automatic recusal (see is_recused)
    scored: bool  # the user has scored every active criterion (see has_scored)
    funding: FundingSummary | None = None


def _hundredths(expression):
    """`expression` (a weight with two decimals) × 100 as an exact integer on every database
    (SQLite keeps decimals as floating point: 0.29 × 100 = 28.999…, so rounded first)."""
    return Cast(Round(expression * 100), models.BigIntegerField())


# The queues of closed meetings, as each user saw them: a closed meeting's cases and scores no
# longer change (scoring, recusal and the agenda are refused once it is closed), so its queue
# depends only on the user and the active criteria. Kept in the process, the latest few.
_CLOSED_QUEUES: OrderedDict = OrderedDict()
CLOSED_QUEUES_KEPT = 64


def council_queue(*, meeting, user) -> list[CouncilQueueRow]:
    """The meeting's queue as `user` sees it (see `_council_queue`). A closed meeting's queue is
    computed once per user, organisation and set of active criteria (weights included) and
    then read from the process: one small query for the criteria instead of ranking every case
    again (a closed meeting of 1 667 cases took ~230 ms at bench scale 100). Callers must not
    modify the rows."""
    if not meeting.is_closed:
        return _council_queue(meeting=meeting, user=user)
    criteria = tuple(
        ScoringCriterion.objects.filter(active=True).order_by("pk").values_list("pk", "weight")
    )
    key = (
        meeting.pk,
        meeting.closed_at,
        user.pk,
        user.organisation_id,
        user.is_ks_staff,
        criteria,
    )
    rows = _CLOSED_QUEUES.get(key)
    if rows is None:
        rows = _CLOSED_QUEUES[key] = _council_queue(meeting=meeting, user=user)
        while len(_CLOSED_QUEUES) > CLOSED_QUEUES_KEPT:
            _CLOSED_QUEUES.popitem(last=False)
    else:
        _CLOSED_QUEUES.move_to_end(key)
    return rows


def _council_queue(*, meeting, user) -> list[CouncilQueueRow]:
    """The meeting's cases ranked by weighted score (unscored last, then by case number), with
    the user's flags per case. One query however many cases and scores there are: per case and
    council member, the database sums Σ(weight × value) and Σ(weight) over the active criteria
    (in hundredths, exact integers) and counts the scores; the case's recusal flag and the
    number of active criteria come with it. Each member's weighted score is then the exact
    quotient of those two sums, and the case's mean, spread and rank follow the same rules as
    item_ranking, has_scored, can_see_scores and is_recused (docs/decisions/
    council-queue-ranking.md). The rows carry light cases (number and proposal id):
    `queue_page` loads the cases actually shown in full, with their funding."""

    active = Q(scores__criterion__active=True)
    weight = _hundredths(F("scores__criterion__weight"))
    criteria = (
        ScoringCriterion.objects.filter(active=True)
        .order_by()
        .values("active")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    recused = models.Value(False)
    if user.organisation_id is not None:
        org = user.organisation_id
        recused = Q(proposal__lead_member_id=org) | models.Exists(
            CoApplicant.objects.filter(proposal_id=OuterRef("proposal_id"), member_id=org)
        )
    rows = (
        AgendaItem.objects.filter(meeting=meeting)
        .order_by()
        .annotate(
            recused=models.ExpressionWrapper(recused, output_field=models.BooleanField()),
            criteria=models.Subquery(criteria),
        )
        .values(
            "pk",
            "proposal_id",
            "case_year",
            "case_number",
            "recused",
            "criteria",
            "scores__member_id",
        )
        .annotate(
            num=Sum(weight * F("scores__value"), filter=active),
            den=Sum(weight, filter=active),
            n=models.Count("scores", filter=active),
        )
    )
    cases: dict[int, dict] = {}
    for row in rows:
        case = cases.get(row["pk"])
        if case is None:
            item = AgendaItem(
                pk=row["pk"],
                meeting_id=meeting.pk,
                proposal_id=row["proposal_id"],
                case_year=row["case_year"],
                case_number=row["case_number"],
            )
            item.meeting = meeting  # one meeting: no query per case for is_closed
            case = cases[row["pk"]] = {
                "item": item,
                "totals": [],
                "mine": 0,
                "recused": bool(row["recused"]),
                "criteria": row["criteria"] or 0,
            }
        if row["n"]:  # a member with scores on active criteria
            case["totals"].append(Decimal(row["num"]) / Decimal(row["den"]))
            if row["scores__member_id"] == user.pk:
                case["mine"] = row["n"]
    queue = []
    for case in sorted(cases.values(), key=lambda c: (c["item"].case_year, c["item"].case_number)):
        scored = case["criteria"] > 0 and case["mine"] >= case["criteria"]
        queue.append(
            CouncilQueueRow(
                item=case["item"],
                ranking=_ranked(case["item"], case["totals"]),
                visible=user.is_ks_staff or meeting.is_closed or scored,
                recused=case["recused"],
                scored=scored,
            )
        )
    return sorted(queue, key=lambda r: (r.ranking.weighted is None, -(r.ranking.weighted or 0)))


def queue_page(rows: list[CouncilQueueRow]) -> list[CouncilQueueRow]:
    """The rows to show, each with its case in full (proposal and applicant, without the long
    text sections) and its funding summary: two queries."""

    meeting = rows[0].item.meeting if rows else None
    items = for_listing(
        AgendaItem.objects.select_related("proposal", "proposal__lead_member"), "proposal__"
    ).in_bulk([r.item.pk for r in rows])
    for item in items.values():
        item.meeting = meeting
    fundings = proposal_fundings(proposal_ids=[r.item.proposal_id for r in rows])
    return [replace(r, item=items[r.item.pk], funding=fundings[r.item.proposal_id]) for r in rows]


def next_meeting():
    return (
        CouncilMeeting.objects.filter(closed_at__isnull=True).order_by("held_on").first()
        or CouncilMeeting.objects.order_by("-held_on").first()
    )


# ---------------------------------------------------------------------------------------------
# The meeting's documents: sakskart and protokoll (issue 19 §3)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgendaRow:
    """A case as the agenda (sakskart) lists it."""

    item: AgendaItem
    applicants: list[str]  # the lead first, then the co-applicants
    requested: Decimal  # asked of the fund (see proposal_funding)
    qualification: str  # KS's qualification summary
    npv_per_krone: Decimal | None


@dataclass(frozen=True)
class MinutesRow:
    """A case as the minutes (protokoll) record it."""

    item: AgendaItem
    applicants: list[str]
    requested: Decimal
    ranking: ItemRanking
    recused: list[str]  # council members recused (own organisation applies, or declared)
    decided_by: str


def _meeting_items(meeting) -> list[AgendaItem]:
    return list(
        for_listing(
            meeting.items.select_related("proposal", "proposal__lead_member", "decided_by"),
            "proposal__",
        )
        .prefetch_related(
            Prefetch(
                "proposal__co_applicants", queryset=CoApplicant.objects.select_related("member")
            ),
            "proposal__cost_years",
            "proposal__benefit_years",
            Prefetch("conflicts", queryset=ConflictDeclaration.objects.select_related("member")),
        )
        .order_by("case_year", "case_number")
    )


def _applicant_names(proposal: Proposal) -> list[str]:
    names = [proposal.formal_applicant_name]
    names += [co.member.name for co in proposal.co_applicants.all()]
    return names


def qualification_summary(*, proposal: Proposal) -> str:
    """KS's qualification in a line: the checklist's tally and KS's comment when qualifying."""
    counts = dict.fromkeys(QualificationAnswer.Answer.values, 0)
    for answer in proposal.qualification_answers.values_list("answer", flat=True):
        counts[answer] += 1
    total = sum(counts.values())
    parts = []
    if total:
        parts.append(
            _(
                "Sjekkliste: %(met)s av %(total)s kriterier oppfylt, %(partly)s delvis, "
                "%(not_met)s ikke oppfylt."
            )
            % {
                "met": counts["met"],
                "total": total,
                "partly": counts["partly"],
                "not_met": counts["not_met"],
            }
        )
    qualified = (
        proposal.transitions.filter(name="qualify").exclude(comment="").order_by("-at").first()
    )
    if qualified is not None:
        parts.append(qualified.comment.strip())
    return " ".join(parts) or _("Kvalifisert av KS.")


def meeting_agenda(*, meeting) -> list[AgendaRow]:
    """The meeting's cases in case-number order with what the agenda shows of each."""
    rows = []
    for item in _meeting_items(meeting):
        proposal = item.proposal
        rows.append(
            AgendaRow(
                item=item,
                applicants=_applicant_names(proposal),
                requested=proposal_funding(proposal=proposal).requested_from_fund,
                qualification=qualification_summary(proposal=proposal),
                npv_per_krone=proposal_npv(proposal=proposal).npv_per_krone,
            )
        )
    return rows


def meeting_minutes(*, meeting) -> list[MinutesRow]:
    """The meeting's cases in case-number order with outcome, weighted score and spread (the
    queue's ranking), the recused members and who recorded the outcome."""
    council = list(
        get_user_model().objects.filter(role="council", is_active=True).order_by("last_name")
    )
    rows = []
    for item in _meeting_items(meeting):
        proposal = item.proposal
        applying = applicant_member_ids(proposal=proposal)
        recused = {u.pk: u for u in council if u.organisation_id in applying}
        recused.update({c.member_id: c.member for c in item.conflicts.all()})
        rows.append(
            MinutesRow(
                item=item,
                applicants=_applicant_names(proposal),
                requested=proposal_funding(proposal=proposal).requested_from_fund,
                ranking=item_ranking(item=item),
                recused=sorted(u.get_full_name() or u.username for u in recused.values()),
                decided_by=(item.decided_by.get_full_name() or item.decided_by.username)
                if item.decided_by
                else "",
            )
        )
    return rows


def meeting_participants(*, meeting) -> list:
    """The council members who took part in the meeting's cases (scored, declared a conflict
    or recorded an outcome): the attendance KS confirms when closing."""
    items = meeting.items.all()
    took_part = (
        Q(pk__in=Score.objects.filter(item__in=items).values("member_id"))
        | Q(pk__in=items.exclude(decided_by=None).values("decided_by_id"))
        | Q(pk__in=ConflictDeclaration.objects.filter(item__in=items).values("member_id"))
    )
    return list(
        get_user_model()
        .objects.filter(took_part, role="council")
        .order_by("last_name", "first_name")
    )


def meeting_minutes_recipients(*, meeting) -> list[Member]:
    """The applicants (leads and co-applicants) of the meeting's cases, each once."""
    items = meeting.items.all()
    ids = set(items.values_list("proposal__lead_member_id", flat=True)) | set(
        CoApplicant.objects.filter(proposal__agenda_items__in=items).values_list(
            "member_id", flat=True
        )
    )
    return list(Member.objects.filter(pk__in=ids).order_by("name"))


def meeting_documents(*, meeting) -> list[MeetingDocument]:
    """The meeting's kept documents: the minutes first, then the agenda's versions, newest first."""
    return sorted(
        meeting.documents.all(), key=lambda d: (d.kind != MeetingDocument.Kind.MINUTES, -d.version)
    )


# ---------------------------------------------------------------------------------------------
# Portfolio and capital (issue 5)
# ---------------------------------------------------------------------------------------------
def project_disbursed(*, project, version: str | None = None) -> Decimal:
    """Paid out to the project (positive number), reversals included: the project's figure of
    fund.selectors.disbursed_by_project (cached until the ledger changes)."""
    return disbursed_by_project(version=version).get(project.pk, ZERO)


def project_recovered(*, project, version: str | None = None) -> Decimal:
    """Capital returned to the fund by access fees attributed to the project (figure 5 of the
    principle note): fees minus refunds, reversals included: the project's figure of
    fund.selectors.recovered_by_project (cached until the ledger changes)."""
    return recovered_by_project(version=version).get(project.pk, ZERO)


def committed_unspent_grants(*, version: str | None = None) -> Decimal:
    """Granted but not yet disbursed, over active projects. A completed or stopped project's
    unspent grant is released. `version`: the ledger's, when the caller has read it already."""
    active = dict(
        Project.objects.filter(status=Project.Status.ACTIVE).order_by().values_list("pk", "granted")
    )
    disbursed = disbursed_by_project(version=version)
    paid = sum((disbursed.get(pk, ZERO) for pk in active), ZERO)
    return to_money(sum(active.values(), ZERO) - paid)


def available_capital() -> Decimal:
    """The fund's balance minus committed-but-undisbursed grants: what KS may still grant.
    Both ledger sums come from the cache keyed on the latest entry (exact: ledger writes are
    serialised, so the latest id names the ledger's state)."""
    version = ledger_version()
    balance = ledger_cached("balance", fund_balance, version=version)
    return to_money(balance - committed_unspent_grants(version=version))


def projects_visible_to(user):
    """KS staff and the council (read-only: the project page's actions are KS's and the
    responsible municipality's) see every project; a municipal user those of its organisation."""
    qs = Project.objects.select_related("proposal", "responsible")
    if user.is_ks_staff or user.is_council:
        return qs
    if user.is_municipal:
        return qs.filter(
            Q(responsible_id=user.organisation_id)
            | Q(proposal__lead_member_id=user.organisation_id)
            | Q(proposal__co_applicants__member_id=user.organisation_id)
        ).distinct()
    return qs.none()


@dataclass(frozen=True)
class PortfolioRow:
    project: object
    disbursed: Decimal
    remaining: Decimal
    next_milestone: object
    grant: object = None  # the project's Grant (issue 18), None for a project without one


def portfolio(*, user) -> list[PortfolioRow]:
    version = ledger_version()  # one look-up for all the projects' disbursements
    rows = []
    projects = projects_visible_to(user).select_related("grant").prefetch_related("milestones")
    for project in projects:
        disbursed = project_disbursed(project=project, version=version)
        upcoming = [m for m in project.milestones.all() if m.done_on is None]
        rows.append(
            PortfolioRow(
                project,
                disbursed,
                to_money(project.granted - disbursed),
                upcoming[0] if upcoming else None,
                grant_of(project=project),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The grant (tilsagn, issue 18)
# ---------------------------------------------------------------------------------------------
def grant_of(*, project) -> Grant | None:
    """The project's grant, or None for a project made without one (old data, bench rows)."""
    try:
        return project.grant
    except Grant.DoesNotExist:
        return None


def grant_accepted(*, project) -> bool:
    """Whether the formal applicant has accepted the project's grant: payments only after."""
    # Read from the database, not a cached `project.grant`: acceptance may have just happened.
    return Grant.objects.filter(project_id=project.pk, status=Grant.Status.ACCEPTED).exists()


def grants_awaiting_acceptance(*, member=None) -> QuerySet[Grant]:
    """Grants offered and not yet accepted, declined or lapsed, nearest deadline first; with
    `member`, those the member is the formal applicant of (the lead member of the proposal):
    the task "Aksepter tilsagn" in the member's task list."""
    qs = Grant.objects.filter(status=Grant.Status.OFFERED).select_related(
        "project", "project__proposal", "project__responsible"
    )
    if member is not None:
        qs = qs.filter(project__proposal__lead_member=member)
    return qs.order_by("accept_by", "id")


def grant_timeline(*, grant: Grant | None) -> list[GrantTransition]:
    """The grant's events (offered, conditions changed, accepted, declined, lapsed) with actor."""
    if grant is None:
        return []
    return list(grant.transitions.select_related("actor"))


# ---------------------------------------------------------------------------------------------
# After the grant: payment requests, benefits plan and reports (issue 18 §4–§5)
# ---------------------------------------------------------------------------------------------
BENEFIT_REPORT_OPENS = (11, 1)  # a year's benefit report may be sent from 1 November that year


def payment_request_room(
    *, project, excluding=None, requests=None, disbursed: Decimal | None = None
) -> Decimal:
    """What may still be requested: the grant minus what is paid and what waits for KS
    (`excluding`: a waiting request that is being checked itself). A page that has loaded the
    project's requests (`requests`, all of them) and its disbursed figure passes them."""

    if requests is not None:
        pending = sum(
            (
                r.amount
                for r in requests
                if r.status == PaymentRequest.Status.SUBMITTED
                and not (excluding is not None and excluding.pk and r.pk == excluding.pk)
            ),
            ZERO,
        )
    else:
        waiting = PaymentRequest.objects.filter(
            project=project, status=PaymentRequest.Status.SUBMITTED
        )
        if excluding is not None and excluding.pk:
            waiting = waiting.exclude(pk=excluding.pk)
        pending = waiting.aggregate(s=Sum("amount"))["s"] or ZERO
    if disbursed is None:
        disbursed = project_disbursed(project=project)
    return to_money(project.granted - disbursed - pending)


def payment_requests_awaiting_approval():
    """KS's task list: payment requests waiting for approval, oldest first."""

    return (
        PaymentRequest.objects.filter(status=PaymentRequest.Status.SUBMITTED)
        .select_related("project", "project__responsible")
        .order_by("submitted_at", "id")
    )


def launch_year(*, project) -> int | None:
    """The year the solution was launched: the year the project was completed."""
    if project.status != Project.Status.COMPLETED or project.closed_at is None:
        return None
    return project.closed_at.year


def benefit_report_years_open(*, project, today) -> list[int]:
    """The years a benefit report may be sent for: from the launch year to this year (this year
    from 1 November), not yet reported ones and reported ones alike."""
    first = launch_year(project=project)
    if first is None:
        return []
    last = today.year if (today.month, today.day) >= BENEFIT_REPORT_OPENS else today.year - 1
    return list(range(first, last + 1))


@dataclass(frozen=True)
class BenefitDue:
    project: object
    year: int


def benefit_reports_due(*, member=None, today=None) -> list[BenefitDue]:
    """Benefit reports that are due: per completed project (of `member`, when given) each open
    year without a report. For the task list and the yearly reminder."""

    today = today or datetime.date.today()
    projects = Project.objects.filter(status=Project.Status.COMPLETED).select_related("responsible")
    if member is not None:
        projects = projects.filter(responsible=member)
    projects = list(projects.order_by("title", "pk"))
    reported = set(
        BenefitReport.objects.filter(project__in=projects).values_list("project_id", "year")
    )
    return [
        BenefitDue(project, year)
        for project in projects
        for year in benefit_report_years_open(project=project, today=today)
        if (project.pk, year) not in reported
    ]


def benefits_plan(*, project) -> dict[int, dict[str, Decimal]]:
    """The project's benefits plan: the proposal's benefit table as granted (derived, not
    copied: a proposal is read-only after submission), as year → kind → kroner."""

    plan: dict[int, dict[str, Decimal]] = {}
    rows = BenefitYear.objects.filter(proposal_id=project.proposal_id).values_list(
        "year", "kind", "amount"
    )
    for year, kind, amount in rows:
        plan.setdefault(year, {}).setdefault(kind, ZERO)
        plan[year][kind] += amount
    return plan


def benefits_realised(*, project) -> dict[int, dict[str, Decimal]]:
    """Realised benefits reported by the project owner, as year → kind → kroner."""

    realised: dict[int, dict[str, Decimal]] = {}
    rows = BenefitReportLine.objects.filter(report__project=project).values_list(
        "report__year", "kind", "realised"
    )
    for year, kind, amount in rows:
        realised.setdefault(year, {})[kind] = amount
    return realised


@dataclass(frozen=True)
class TimelineRow:
    at: object
    text: str
    comment: str
    actor: object


def project_timeline(*, project) -> list[TimelineRow]:
    """The project's timeline, oldest first: the grant's steps (offered, accepted, …) and every
    logged step of its payment requests, final report and benefit reports, each with its actor
    (none: a scheduled task). One query: both logs with their actors' names (UNION ALL)."""
    columns = ("at", "text", "comment", "actor_id", "first", "last", "username", "rank", "pk")
    names = {
        "first": F("actor__first_name"),
        "last": F("actor__last_name"),
        "username": F("actor__username"),
    }
    grant_steps = (
        GrantTransition.objects.filter(grant__project_id=project.pk)
        .order_by()
        .annotate(text=F("to_status"), rank=models.Value(0), **names)
        .values_list(*columns)
    )
    events = (
        ProjectEvent.objects.filter(project_id=project.pk)
        .order_by()
        .annotate(rank=models.Value(1), **names)
        .values_list(*columns)
    )
    statuses = dict(Grant.Status.choices)
    user_model = get_user_model()
    rows = []
    # the grant's steps before the project's events at the same moment, each log by (at, id)
    for at, text, comment, actor_id, first, last, username, rank, _pk in sorted(
        grant_steps.union(events, all=True), key=lambda r: (r[0], r[7], r[8])
    ):
        if rank == 0:
            text = _("Tilsagn: %(status)s") % {"status": statuses.get(text, text)}
        actor = None
        if actor_id is not None:
            actor = user_model(pk=actor_id, first_name=first, last_name=last, username=username)
        rows.append(TimelineRow(at, text, comment, actor))
    return rows


@dataclass(frozen=True)
class ProjectFollowup:
    """What the project page shows and offers after the grant, read once."""

    requests: list
    final_report: object
    may_request: bool
    why_not_request: str
    may_report_final: bool
    benefit_years_due: list[int]
    benefit_rows: list[dict]
    timeline: list
    requested_room: Decimal


def benefit_rows(*, project) -> list[dict]:
    """The plan against what is realised, one row per year and kind (page, chart and export):
    `benefits_plan` and `benefits_realised` read together in one query (UNION ALL)."""
    plan_rows = (
        BenefitYear.objects.filter(proposal_id=project.proposal_id)
        .order_by()
        .annotate(realised_row=models.Value(False))
        .values_list("year", "kind", "amount", "realised_row", "pk")
    )
    realised_rows = (
        BenefitReportLine.objects.filter(report__project=project)
        .order_by()
        .annotate(realised_row=models.Value(True), report_year=F("report__year"))
        .values_list("report_year", "kind", "realised", "realised_row", "pk")
    )
    plan: dict[int, dict[str, Decimal]] = {}
    realised: dict[int, dict[str, Decimal]] = {}
    # the order of benefits_plan and benefits_realised: the plan's sums, then the lines by id
    for year, kind, amount, is_realised, _pk in sorted(
        plan_rows.union(realised_rows, all=True), key=lambda r: (bool(r[3]), r[4])
    ):
        if is_realised:
            realised.setdefault(year, {})[kind] = amount
        else:
            plan.setdefault(year, {}).setdefault(kind, ZERO)
            plan[year][kind] += amount
    labels = dict(BenefitYear.Kind.choices)
    rows = []
    for year in sorted(set(plan) | set(realised)):
        kinds = sorted(set(plan.get(year, {})) | set(realised.get(year, {})))
        for kind in kinds:
            rows.append(
                {
                    "year": year,
                    "kind": kind,
                    "kind_label": labels.get(kind, kind),
                    "planned": plan.get(year, {}).get(kind, ZERO),
                    "realised": realised.get(year, {}).get(kind),
                }
            )
    return rows


def _attach_request_details(project, requests) -> None:
    """Each request's costs and milestones reached as `cost_rows` and `milestone_rows`, both
    read in one query (UNION ALL) for all the project's requests (none when there are none)."""
    for r in requests:
        r.cost_rows, r.milestone_rows = [], []
    if not requests:
        return
    reached = PaymentRequest.milestones_reached.through
    costs = (
        PaymentRequestCost.objects.filter(request__project_id=project.pk)
        .order_by()
        .annotate(
            rank=models.Value(0),
            title=models.Value("", output_field=models.CharField()),
            due=models.Value(None, output_field=models.DateField()),
        )
        .values_list("rank", "request_id", "pk", "category", "amount", "title", "due")
    )
    milestones = (
        reached.objects.filter(paymentrequest__project_id=project.pk)
        .order_by()
        .annotate(
            rank=models.Value(1),
            category=models.Value("", output_field=models.CharField()),
            amount=models.Value(None, output_field=models.DecimalField()),
            title=F("milestone__title"),
            due=F("milestone__due_on"),
            milestone_pk=F("milestone_id"),
        )
        .values_list(
            "rank", "paymentrequest_id", "milestone_pk", "category", "amount", "title", "due"
        )
    )
    by_id = {r.pk: r for r in requests}
    # costs by id (their model order); milestones by due date and id (Milestone's order)
    for rank, request_id, pk, category, amount, title, due in sorted(
        costs.union(milestones, all=True),
        key=lambda row: (row[0], row[6] or datetime.date.min, row[2]),
    ):
        request = by_id.get(request_id)
        if request is None:
            continue
        if rank == 0:
            request.cost_rows.append(
                PaymentRequestCost(pk=pk, request_id=request_id, category=category, amount=amount)
            )
        else:
            request.milestone_rows.append(Milestone(pk=pk, title=title, due_on=due))


def project_followup(
    *, project, user, today=None, disbursed: Decimal | None = None
) -> ProjectFollowup:
    """`disbursed`: the project's disbursed figure, when the page has read it already. The
    grant and the final report come from `project` when it was loaded with
    select_related("grant", "final_report") (the project page)."""
    # A local import breaks a real cycle: the workflow table imports these selectors.
    from .services.followup_workflow import NEW, Ctx, can_step  # noqa: PLC0415

    today = today or datetime.date.today()
    requests = list(
        project.payment_requests.select_related(
            "submitted_by", "decided_by", "ledger_entry"
        ).order_by("submitted_at", "id")
    )
    _attach_request_details(project, requests)
    try:
        final_report = project.final_report
    except FinalReport.DoesNotExist:
        final_report = None
    responsible = user.is_municipal and user.organisation_id == project.responsible_id
    may_request, why_not = False, ""
    if responsible:
        may_request, why_not = can_step(
            process="payment_request",
            name="submit",
            state=NEW,
            ctx=Ctx(project=project, kind=PaymentRequest.Kind.PARTIAL, amount=Decimal("0.01")),
            user=user,
        )
    may_report_final = (
        responsible
        and (
            can_step(
                process="final_report",
                name="submit",
                state=final_report.status if final_report else NEW,
                ctx=Ctx(project=project, obj=final_report),
                user=user,
            )[0]
        )
    )
    due = []
    if responsible:  # only the responsible member reports benefits
        reported = set(project.benefit_reports.values_list("year", flat=True))
        due = [
            y for y in benefit_report_years_open(project=project, today=today) if y not in reported
        ]
    return ProjectFollowup(
        requests=requests,
        final_report=final_report,
        may_request=may_request,
        why_not_request=why_not,
        may_report_final=may_report_final,
        benefit_years_due=due,
        benefit_rows=benefit_rows(project=project),
        timeline=project_timeline(project=project),
        requested_room=payment_request_room(
            project=project, requests=requests, disbursed=disbursed
        ),
    )
