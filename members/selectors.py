"""Reads for members: the registry at a date, shares, and the effective participation.

Rules (docs/members.md):
- The share of a member of the 2017 structure is `rate(kind) × basis population`, rounded half
  up to whole kroner; once invoiced, the invoiced (frozen) amount is used instead.
- A successor's required share is the sum of its predecessors' shares (each times the part of
  the predecessor it received: 1 for a merge or renumbering, the population part for a split),
  rounded half up to whole kroner. What it has paid is its own payments plus its predecessors'
  (times the same part); what is still owed is the difference.
- A successor is a participant if it or any predecessor is; it has paid its share when the
  paid total reaches the required share."""

import contextlib
import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from core.money import format_nok, round_kroner, to_money
from fund.models import CapitalSource, LedgerEntry
from fund.selectors import (
    commitments_by_source,
    ledger_cached,
    ledger_net_by,
    paid_in_by_source,
)

from .models import (
    ContributionBasis,
    ContributionRate,
    Member,
    MemberSuccession,
    Participation,
    period_label,
)

ZERO = Decimal("0.00")
STRUCTURE_DATES = {
    "2017": datetime.date(2017, 1, 1),
    "2020": datetime.date(2020, 1, 1),
    "2024": datetime.date(2024, 1, 1),
}
_RANK = {
    Participation.Status.DECLINED: 0,
    Participation.Status.INVITED: 1,
    Participation.Status.CONFIRMED: 2,
    Participation.Status.INVOICED: 3,
    Participation.Status.PAID: 4,
}


@dataclass(frozen=True)
class EffectiveParticipation:
    """A member's participation as it counts today, including what it inherited by merges."""

    member: Member
    status: str | None
    is_participant: bool
    has_paid_share: bool
    share_amount: Decimal
    paid_amount: Decimal
    owed_amount: Decimal
    basis_population: int | None
    basis_period: str
    participations: list = field(default_factory=list)
    own: Participation | None = None
    inherited: bool = False

    @property
    def status_display(self) -> str:
        if self.status is None:
            return ""
        return str(Participation.Status(self.status).label)

    @property
    def overpaid_amount(self) -> Decimal:
        return max(self.paid_amount - self.share_amount, ZERO)

    @property
    def basis_population_display(self) -> str:
        """`27 785` (no-break space), the way numbers are shown in the UI."""
        if self.basis_population is None:
            return ""
        return format_nok(self.basis_population, suffix=False)

    @property
    def basis_period_label(self) -> str:
        return ", ".join(period_label(p) for p in self.basis_period.split(",") if p)


def current_member(*, kind: str, number: str) -> Member | None:
    """The member with this kind and number that is valid today (None if there is none)."""
    today = datetime.date.today()
    return (
        Member.objects.filter(kind=kind, number=number, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from")
        .first()
    )


def members_at(*, on: datetime.date):
    """The members (kommuner and fylkeskommuner) that existed on a date."""
    return (
        Member.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exclude(kind=Member.Kind.KS)
    )


def member_list(*, kind: str | None = None, search: str = "", on: datetime.date | None = None):
    qs = Member.objects.select_related("participation", "county").order_by("kind", "number")
    if on is not None:
        qs = qs.filter(pk__in=members_at(on=on).values("pk"))
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(number__startswith=search))
    return qs


def contribution_rates(*, on: datetime.date | None = None) -> dict[str, Decimal]:
    """Kroner per inhabitant by kind, valid on `on` (today by default)."""
    on = on or datetime.date.today()
    rates: dict[str, Decimal] = {}
    for rate in ContributionRate.objects.filter(valid_from__lte=on).order_by("kind", "-valid_from"):
        rates.setdefault(rate.kind, rate.per_inhabitant)
    return rates


def member_paid_amounts(*, member_ids=None) -> dict[int, Decimal]:
    """Net share payments (reversals included) per member id, from the ledger."""
    filters = {} if member_ids is None else {"member_id__in": list(member_ids)}
    return ledger_net_by(
        "member_id", kinds=LedgerEntry.Kind.MEMBER_SHARE, member__isnull=False, **filters
    )


class _Book:
    """Everything the share rules need for a set of members, loaded in a few queries."""

    def __init__(
        self,
        members: dict[int, Member],
        preds: dict[int, list[tuple[int, Decimal]]],
        participation: dict[int, Participation] | None = None,
    ):
        self.members = members
        self.preds = preds
        if participation is None:
            participation = {
                p.member_id: p for p in Participation.objects.filter(member_id__in=list(members))
            }
        self.participation = participation
        self.billed = defaultdict(list)
        for m in members.values():
            if m.billed_with_id:
                self.billed[m.billed_with_id].append(m.pk)
        self._share: dict[int, Decimal] = {}

    # Read when a share or payment is asked for; "is a participant" needs none of them.
    @cached_property
    def basis(self) -> dict[int, ContributionBasis]:
        ids = list(self.members)
        return {b.member_id: b for b in ContributionBasis.objects.filter(member_id__in=ids)}

    @cached_property
    def paid(self) -> dict[int, Decimal]:
        # Every member's net share payments, kept with the ledger's state (a few hundred
        # members: the dict is small, and summing the share entries of a few members over the
        # whole ledger costs more than reading the cached sums of all).
        return ledger_cached("paid_shares", member_paid_amounts)

    @cached_property
    def rates(self) -> dict:
        return contribution_rates()

    @classmethod
    def for_members(cls, members) -> "_Book":
        """Load the members and all their ancestors (predecessors of predecessors) in two
        queries however deep the successions go: the links by one recursive query, then the
        ancestors, the members billed with any of them (Oslo fylke 03 with Oslo kommune 0301,
        and back) and every participation of those in one."""
        known = {m.pk: m for m in members}
        preds: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        if not known:
            return cls(known, preds, {})
        succession = MemberSuccession._meta.db_table
        marks = ", ".join(["%s"] * len(known))
        # Only the table name and one %s per id are formatted in; the ids are parameters.
        ancestry = RawSQL(  # noqa: S611  # nosec B611 - table name and placeholders only
            f"WITH RECURSIVE walk(id, predecessor_id) AS ("  # noqa: S608  # nosec B608
            f" SELECT id, predecessor_id FROM {succession} WHERE successor_id IN ({marks})"
            f" UNION SELECT s.id, s.predecessor_id FROM {succession} s"
            f" JOIN walk w ON s.successor_id = w.predecessor_id"
            f") SELECT id FROM walk",
            list(known),
        )
        links = MemberSuccession.objects.filter(pk__in=ancestry).order_by("pk")
        ids = set(known)
        for successor_id, predecessor_id, fraction in links.values_list(
            "successor_id", "predecessor_id", "fraction"
        ):
            preds[successor_id].append((predecessor_id, fraction))
            ids.add(predecessor_id)
        billed_with = Member.objects.filter(pk__in=ids, billed_with_id__isnull=False)
        rows = Member.objects.select_related("participation").filter(
            Q(pk__in=ids)
            | Q(pk__in=billed_with.values("billed_with_id"))
            | Q(billed_with_id__in=ids)
        )
        participation: dict[int, Participation] = {}
        for m in rows:
            known.setdefault(m.pk, m)
            with contextlib.suppress(Participation.DoesNotExist):
                participation[m.pk] = m.participation
        return cls(known, preds, participation)

    @classmethod
    def everything(cls) -> "_Book":
        members = {m.pk: m for m in Member.objects.all()}
        preds: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        for link in MemberSuccession.objects.all():
            preds[link.successor_id].append((link.predecessor_id, link.fraction))
        return cls(members, preds)

    # -- the rules --------------------------------------------------------------------------
    def own_share(self, mid: int) -> Decimal:
        member = self.members[mid]
        if member.billed_with_id:
            return ZERO
        participation = self.participation.get(mid)
        if participation is not None and participation.share_amount is not None:
            return participation.share_amount  # frozen once invoiced
        basis = self.basis.get(mid)
        if basis is None:
            return ZERO
        raw = self.rates.get(member.kind, ZERO) * basis.population
        for child in self.billed.get(mid, []):
            child_basis = self.basis.get(child)
            if child_basis is not None:
                raw += self.rates.get(self.members[child].kind, ZERO) * child_basis.population
        return round_kroner(raw)

    def share(self, mid: int) -> Decimal:
        if mid not in self._share:
            if self.preds.get(mid):
                total = sum((self.share(p) * fraction for p, fraction in self.preds[mid]), ZERO)
                self._share[mid] = round_kroner(total)
            else:
                self._share[mid] = self.own_share(mid)
        return self._share[mid]

    def paid_total(self, mid: int) -> Decimal:
        total = self.paid.get(mid, ZERO)
        for p, fraction in self.preds.get(mid, []):
            inherited = self.paid_total(p)
            # A split divides payments like shares: by population part, in whole kroner.
            total += inherited if fraction == 1 else round_kroner(inherited * fraction)
        return to_money(total)

    def ancestors(self, mid: int) -> list[int]:
        out = []
        for p, _fraction in self.preds.get(mid, []):
            out.append(p)
            out.extend(self.ancestors(p))
        return out

    def leaf_bases(self, mid: int) -> list[tuple[ContributionBasis, Decimal]]:
        if not self.preds.get(mid):
            basis = self.basis.get(mid)
            return [(basis, Decimal(1))] if basis else []
        out = []
        for p, fraction in self.preds[mid]:
            out.extend((b, f * fraction) for b, f in self.leaf_bases(p))
        return out

    def is_participant(self, mid: int) -> bool:
        """The `is_participant` of `effective(mid)` without reading shares or payments: an own
        or inherited (merged predecessors') participation that participates, or that of the
        member whose share it is billed with."""
        member = self.members[mid]
        if member.billed_with_id and member.billed_with_id in self.members:
            return self.is_participant(member.billed_with_id)
        rows = [self.participation.get(a) for a in [mid, *self.ancestors(mid)]]
        return any(p is not None and p.is_participant for p in rows)

    def effective(self, mid: int) -> EffectiveParticipation:
        member = self.members[mid]
        if member.billed_with_id and member.billed_with_id in self.members:
            # Oslo fylke 2017: its share is billed with Oslo kommune; it follows that status.
            other = self.effective(member.billed_with_id)
            basis = self.basis.get(mid)
            return EffectiveParticipation(
                member=member,
                status=other.status,
                is_participant=other.is_participant,
                has_paid_share=other.has_paid_share,
                share_amount=ZERO,
                paid_amount=ZERO,
                owed_amount=ZERO,
                basis_population=basis.population if basis else None,
                basis_period=basis.period if basis else "",
                participations=other.participations,
                own=None,
                inherited=True,
            )
        own = self.participation.get(mid)
        inherited_rows = [
            self.participation[a] for a in self.ancestors(mid) if a in self.participation
        ]
        rows = ([own] if own else []) + inherited_rows
        share = self.share(mid)
        paid = self.paid_total(mid)
        owed = max(share - paid, ZERO)
        participant_rows = [p for p in rows if p.is_participant]
        is_participant = bool(participant_rows)
        has_paid = is_participant and share > 0 and paid >= share
        if not rows:
            status = None
        elif has_paid:
            status = Participation.Status.PAID
        elif own is not None and own.is_participant:
            status = own.status
        elif participant_rows:
            invoiced = any(p.status == Participation.Status.INVOICED for p in participant_rows)
            status = Participation.Status.INVOICED if invoiced else Participation.Status.CONFIRMED
        elif own is not None:
            status = own.status
        else:
            status = max((p.status for p in rows), key=lambda s: _RANK[s])
        bases = self.leaf_bases(mid)
        population = None
        if bases:
            population = int(round_kroner(sum((b.population * f for b, f in bases), Decimal(0))))
        periods = sorted({b.period for b, _f in bases})
        return EffectiveParticipation(
            member=member,
            status=status,
            is_participant=is_participant,
            has_paid_share=has_paid,
            share_amount=share,
            paid_amount=paid,
            owed_amount=owed,
            basis_population=population,
            basis_period=",".join(periods),
            participations=rows,
            own=own,
            inherited=bool(inherited_rows) and not (own and own.is_participant),
        )


def effective_participation(*, member: Member) -> EffectiveParticipation:
    """The member's participation including what it inherited through merges (see module)."""
    return _Book.for_members([member]).effective(member.pk)


def member_share(*, member: Member) -> Decimal:
    """The required one-off share in whole kroner (frozen amount once invoiced)."""
    return _Book.for_members([member]).share(member.pk)


def effective_participations(*, members) -> dict[int, EffectiveParticipation]:
    """Bulk version for lists and exports: member id → EffectiveParticipation."""
    members = list(members)
    book = _Book.everything() if len(members) > 50 else _Book.for_members(members)
    return {m.pk: book.effective(m.pk) for m in members}


def participant_flags(*, members) -> dict[int, bool]:
    """Bulk "is a participant" (merges and shared billing included), for pages that show only
    that: member id → bool, in four queries however many members."""
    members = list(members)
    book = _Book.everything() if len(members) > 50 else _Book.for_members(members)
    return {m.pk: book.is_participant(m.pk) for m in members}


def contribution_table(*, structure: str) -> list[dict]:
    """The rows of the contribution table for the 2017, 2020 or 2024 structure."""
    on = STRUCTURE_DATES[structure]
    members = list(
        members_at(on=on).order_by(
            # kommuner first, then fylkeskommuner, each by number
            "-kind",
            "number",
        )
    )
    book = _Book.everything()
    rows = []
    for m in members:
        eff = book.effective(m.pk)
        rows.append(
            {
                "nummer": m.number,
                "navn": m.name,
                "type": m.kind,
                "innbyggere": eff.basis_population if eff.basis_population is not None else "",
                "andel": eff.share_amount,
                "status": eff.status or "",
                "innbetalt": eff.paid_amount,
                "grunnlag": eff.basis_period_label,
                "member": m,
                "effective": eff,
            }
        )
    return rows


def share_to_invoice(*, participation: Participation) -> Decimal:
    """The amount a share invoice for this participation should carry: the member's share, or
    for a merged successor what is still owed after its predecessors' payments."""
    member = participation.member
    book = _Book.for_members([member])
    if book.preds.get(member.pk):
        return max(book.share(member.pk) - book.paid_total(member.pk), ZERO)
    return book.share(member.pk)


def shares_to_invoice(*, participations) -> dict[int, Decimal]:
    """Bulk `share_to_invoice`: participation id → amount, from one book of all the members
    (a few queries however many participations; the invoicing batch computes them at once)."""
    participations = list(participations)
    members = [p.member for p in participations]
    book = _Book.everything() if len(members) > 50 else _Book.for_members(members)
    out = {}
    for p in participations:
        if book.preds.get(p.member_id):
            out[p.pk] = max(book.share(p.member_id) - book.paid_total(p.member_id), ZERO)
        else:
            out[p.pk] = book.share(p.member_id)
    return out


def member_payments(*, member: Member) -> list[LedgerEntry]:
    """The share payments (and their reversals) of the member and of its predecessors."""
    book = _Book.for_members([member])
    ids = [member.pk, *book.ancestors(member.pk)]
    return list(
        LedgerEntry.objects.net_of(LedgerEntry.Kind.MEMBER_SHARE)
        .filter(member_id__in=ids)
        .select_related("member")
        .order_by("occurred_on", "id")
    )


@dataclass(frozen=True)
class PredecessorPayment:
    """A predecessor whose payments a member inherits: `part` is the part of it that went to
    the member (the product of the succession fractions along the way: 1 for merges and
    renumberings, the population part for a split), `paid` what the predecessor itself paid
    (net of reversals), `inherited` the part of that payment that counts for the member."""

    member: Member
    part: Decimal
    paid: Decimal

    @property
    def inherited(self) -> Decimal:
        return self.paid if self.part == 1 else round_kroner(self.paid * self.part)


@dataclass(frozen=True)
class MemberLineage:
    """A member of a structure with its effective participation (paid amount including its
    predecessors') and the predecessors that paid or that it was formed from."""

    member: Member
    effective: EffectiveParticipation
    own_paid: Decimal
    predecessors: list[PredecessorPayment]


def _lineage_origins(book: _Book, mid: int) -> list[PredecessorPayment]:
    """The members `mid` was formed from, back to the first structure (members without
    predecessors), and every predecessor on the way that paid something itself."""
    parts: dict[int, Decimal] = {}

    def walk(node: int, part: Decimal) -> None:
        for pred, fraction in book.preds.get(node, []):
            pred_part = part * fraction
            if not book.preds.get(pred) or book.paid.get(pred):
                parts[pred] = parts.get(pred, Decimal(0)) + pred_part
            walk(pred, pred_part)

    walk(mid, Decimal(1))
    return sorted(
        (
            PredecessorPayment(
                member=book.members[pid], part=part, paid=to_money(book.paid.get(pid, ZERO))
            )
            for pid, part in parts.items()
        ),
        key=lambda p: (p.member.valid_from, p.member.number, p.member.name),
    )


def structure_lineage(
    *, on: datetime.date | None = None, paid: dict[int, Decimal] | None = None
) -> list[MemberLineage]:
    """The kommuner and fylkeskommuner of the structure valid `on` (today by default),
    kommuner first, each by number, with their effective participation and the predecessors
    whose payments they inherit (a 2020 merger names its 2017 kommuner; a part of a split, the
    kommune it was split from and the part it received). The effective paid amount is the
    members' rule (`_Book.paid_total`): own payments plus each predecessor's times its part.

    One book of all the members, so a fixed number of queries however many members (members,
    successions, participations, bases, rates, and the ledger's payments unless `paid`, the
    result of `member_paid_amounts()`, is given)."""
    on = on or datetime.date.today()
    book = _Book.everything()
    if paid is not None:
        book.paid = paid  # overrides the cached_property: the caller's (cached) ledger sums
    members = sorted(
        (
            m
            for m in book.members.values()
            if m.kind != Member.Kind.KS
            and m.valid_from <= on
            and (m.valid_to is None or m.valid_to >= on)
        ),
        key=lambda m: (m.kind != Member.Kind.KOMMUNE, m.number, m.name),
    )
    return [
        MemberLineage(
            member=m,
            effective=book.effective(m.pk),
            own_paid=to_money(book.paid.get(m.pk, ZERO)),
            predecessors=_lineage_origins(book, m.pk),
        )
        for m in members
    ]


# --- capital committed by source (issue 16 §2) ---------------------------------------------


def committed_shares() -> Decimal | None:
    """The participants' shares as invoiced (frozen): what the members have committed to pay.
    None before any share is invoiced."""
    total = Participation.objects.filter(
        status__in=list(Participation.PARTICIPANT_STATUSES)
    ).aggregate(t=Sum("share_amount"))["t"]
    return to_money(total) if total is not None else None


def capital_committed(*, shares: Decimal | None = ...) -> dict[str, tuple[Decimal, bool]]:
    """Committed capital per source, the one definition every page shows: KMD's and KS's
    commitments (amount, is a ceiling), and for the members the participants' invoiced shares.
    The ten largest kommuner's 35 M (a members' commitment naming them) is a part of those
    shares, promised early: it is shown as promised against paid (fund.selectors.member_pledges),
    never added here. `shares` lets a caller that has summed the shares already pass them."""
    committed = commitments_by_source()
    shares = committed_shares() if shares is ... else shares
    if shares is not None:
        committed[CapitalSource.MEMBERS] = (shares, False)
    return committed


def capital_sources(*, version: str | None = None) -> list[dict]:
    """The contributors' rows (KMD, KS, members) for the member overview: committed as
    `capital_committed` (the same figures as the fund overview and the public page) and paid
    in from the ledger (`version`: the ledger's, when the caller has read it)."""
    committed = capital_committed()
    paid = paid_in_by_source(version=version)
    rows = []
    for source in (CapitalSource.KMD, CapitalSource.KS, CapitalSource.MEMBERS):
        amount, ceiling = committed.get(source, (None, False))
        rows.append(
            {
                "source": source,
                "label": CapitalSource(source).label,
                "committed": amount,
                "is_ceiling": ceiling,
                "paid": paid.get(source, ZERO),
            }
        )
    return rows


_DIGEST_SOURCES = (
    (
        Member,
        ("id", "kind", "number", "name", "valid_from", "valid_to", "county_id", "billed_with_id"),
    ),
    (MemberSuccession, ("id", "predecessor_id", "successor_id", "changed_on", "fraction")),
    (Participation, ("id", "member_id", "status", "decided_on", "share_amount")),
    (ContributionBasis, ("id", "member_id", "population", "period")),
    (ContributionRate, ("id", "kind", "per_inhabitant", "valid_from")),
)


def structure_digest() -> str:
    """A fingerprint of every row the share rules read: members, successions, participations,
    contribution bases and rates. It changes whenever one of them does, also through bulk
    updates and imports that leave no history rows, so a figure computed from them can be kept
    under it (overview.selectors.public_participants). On PostgreSQL one statement hashes the
    rows where they are (md5 over each table's rows in id order, ~2 ms); elsewhere five narrow
    queries of plain tuples hashed here (~15 ms on the bench machine). Either is a few
    milliseconds where building the member book itself takes a hundred."""
    if connection.vendor == "postgresql":
        parts = [
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM "  # noqa: S608  # nosec B608
            f"(SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} "
            f"FROM {connection.ops.quote_name(model._meta.db_table)}) t)"
            for model, columns in _DIGEST_SOURCES
        ]
        with connection.cursor() as cursor:
            sql = f"SELECT {', '.join(parts)}"  # noqa: S608  # nosec B608 - our own names
            cursor.execute(sql)
            return hashlib.blake2b("|".join(cursor.fetchone()).encode(), digest_size=16).hexdigest()
    digest = hashlib.blake2b(digest_size=16)
    for model, columns in _DIGEST_SOURCES:
        rows = model.objects.values_list(*columns)
        digest.update(repr(list(rows.order_by("pk"))).encode())
        digest.update(b"|")
    return digest.hexdigest()
