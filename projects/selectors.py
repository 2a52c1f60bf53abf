"""Reads for proposals: who sees what, lists with filters, and the computed figures."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from digifin.money import to_money
from members.models import Member
from members.selectors import effective_participation

from .models import Proposal, ProposalStatus, QualificationCriterion
from .npv import NpvResult, compute_npv


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
        ids = Proposal.objects.filter(
            Q(lead_member_id=org) | Q(co_applicants__member_id=org)
        ).values("pk")
        return qs.filter(pk__in=ids)
    return qs.none()


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
        qs = qs.filter(Q(lead_member_id=applicant) | Q(co_applicants__member_id=applicant))
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
    return qs.distinct()


def counties() -> QuerySet[Member]:
    return Member.objects.filter(kind=Member.Kind.FYLKESKOMMUNE, valid_to__isnull=True).order_by(
        "name"
    )


def qualification_queue() -> QuerySet[Proposal]:
    """Submitted proposals waiting for KS, oldest first."""
    return (
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


def proposal_funding(*, proposal: Proposal) -> FundingSummary:
    """What the applicant asks of the fund: development costs less own contribution and other
    funding, never below zero. FDVU is never financed by the fund, so it does not count."""
    totals = proposal.cost_years.aggregate(
        dev=Sum("development"),
        op=Sum("operating"),
        own=Sum("own_contribution"),
        other=Sum("other_funding"),
    )
    dev, op, own, other = (to_money(totals[k] or 0) for k in ("dev", "op", "own", "other"))
    return FundingSummary(dev, op, own, other, max(dev - own - other, to_money(0)))


@dataclass(frozen=True)
class ApplicantStatus:
    member: Member
    role: str
    is_participant: bool
    needs_participation: bool
    confirmed: bool


def is_fund_participant(member: Member) -> bool:
    """A participant from its formal confirmation, merges included (members' rules)."""
    return bool(effective_participation(member=member).is_participant)


def _needs_participation(member: Member) -> bool:
    # KS administers the fund and applies without being a participant.
    return member.kind in (Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE)


def applicant_statuses(*, proposal: Proposal) -> list[ApplicantStatus]:
    """The lead and every co-applicant with participation and confirmation state."""
    rows = [
        ApplicantStatus(
            proposal.lead_member,
            "lead",
            is_fund_participant(proposal.lead_member),
            _needs_participation(proposal.lead_member),
            True,
        )
    ]
    for co in proposal.co_applicants.select_related("member"):
        rows.append(
            ApplicantStatus(
                co.member,
                "co",
                is_fund_participant(co.member),
                _needs_participation(co.member),
                co.confirmed_at is not None,
            )
        )
    return rows
