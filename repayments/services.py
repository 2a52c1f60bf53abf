"""Writes for solutions, access agreements, FDVU and repayments to contributors.

Every write takes the acting user. Access fees, refunds and contributor repayments go through
fund.services.ledger_record; FDVU never does (it is paid by the users, outside the fund)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import format_number
from core.money import ORE, format_nok, to_money
from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_lock, ledger_record
from invoicing.services import InvoiceLineSpec, InvoicingError, invoice_issue
from members.models import Member
from members.selectors import effective_participation

from . import price_models as pm
from . import selectors
from .models import (
    AccessAgreement,
    AccessEvent,
    CapitalRepayment,
    FdvuKey,
    FdvuPeriod,
    FdvuShare,
    PriceModel,
    Solution,
)
from .workflow import AccessError, perform_transition


class SolutionError(ValueError):
    """A change to a solution the rules do not allow; the message is for KS staff."""


# --- solutions and price models ---------------------------------------------------------------

SOLUTION_FIELDS = (
    "name",
    "description",
    "project",
    "development_cost",
    "audience",
    "expected_adoption",
    "available_on",
    "fdvu_terms",
    "fdvu_key",
    "fdvu_yearly_cost",
    "fdvu_parameters",
)


def _clean_fdvu(values: dict) -> None:
    try:
        values["fdvu_parameters"] = pm.validate_fdvu(
            values["fdvu_key"], values.get("fdvu_parameters") or {}, values.get("fdvu_yearly_cost")
        )
    except pm.PriceModelError as exc:
        raise SolutionError(str(exc)) from exc


@transaction.atomic
def solution_create(*, actor, **values) -> Solution:
    """Register a solution: from a project (project) or an existing municipal solution made
    shared (no project). Unpublished until KS has seen the price preview."""
    unknown = set(values) - set(SOLUTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    _clean_fdvu(values)
    solution = Solution(created_by=actor, **values)
    solution.full_clean()
    solution.save()
    return solution


@transaction.atomic
def solution_update(*, solution: Solution, actor, **values) -> Solution:
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    unknown = set(values) - set(SOLUTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    money_fields = {"development_cost", "expected_adoption", "audience", "project"}
    if solution.is_published and any(
        getattr(solution, f) != values[f] for f in money_fields & set(values)
    ):
        raise SolutionError(
            _(
                "Utviklingskostnad, utbredelse, målgruppe og prosjekt kan ikke endres etter "
                "publisering: prisene er gitt til medlemmene."
            )
        )
    merged = {f: getattr(solution, f) for f in ("fdvu_key", "fdvu_yearly_cost", "fdvu_parameters")}
    merged.update({k: v for k, v in values.items() if k in merged})
    _clean_fdvu(merged)
    values.update(merged)
    for field, value in values.items():
        setattr(solution, field, value)
    solution.full_clean()
    solution.save()
    return solution


@transaction.atomic
def price_model_set(*, solution: Solution, kind: str, parameters: dict, actor) -> PriceModel:
    """Choose and parameterise the solution's price model (one per solution). Refused once the
    solution is published: members have been offered those prices."""
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_published:
        raise SolutionError(_("Prismodellen kan ikke endres etter at løsningen er publisert."))
    try:
        clean = pm.validate(kind, parameters)
    except pm.PriceModelError as exc:
        raise SolutionError(str(exc)) from exc
    price, _created = PriceModel.objects.update_or_create(
        solution=solution, defaults={"kind": kind, "parameters": clean, "updated_by": actor}
    )
    return price


@transaction.atomic
def solution_publish(*, solution: Solution, actor, published_on: datetime.date | None = None):
    """Make the solution available in the portal. Needs a price model that gives every member
    of the audience a fee (i.e. a population figure for each)."""
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_published:
        return solution
    try:
        preview = selectors.price_preview(solution=solution)
    except pm.PriceModelError as exc:
        raise SolutionError(str(exc)) from exc
    # Any member of the audience with a fee will do: members may still join DigiFin.
    if not preview.priceable:
        raise SolutionError(_("Ingen medlemmer har innbyggertall: prisene kan ikke beregnes."))
    solution.is_published = True
    solution.published_on = published_on or datetime.date.today()
    solution.save(update_fields=["is_published", "published_on"])
    return solution


# --- access ----------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    GRANTED = "granted"
    WAITING_FOR_SHARE = "waiting_for_share"
    NOT_PARTICIPANT = "not_participant"
    ALREADY = "already"


@dataclass(frozen=True)
class AccessDecision:
    outcome: Outcome
    agreement: AccessAgreement | None
    owed_amount: Decimal = Decimal("0.00")


def _log(agreement: AccessAgreement, action: str, *, actor, note: str = "") -> None:
    AccessEvent.objects.create(agreement=agreement, action=action, actor=actor, note=note[:300])


def _participation(member: Member):
    return effective_participation(member=member)


@transaction.atomic
def access_request(
    *,
    solution: Solution,
    member: Member,
    accept_fdvu_terms: bool,
    actor,
    fdvu_amount_seen: Decimal | None = None,
) -> AccessDecision:
    """A member asks for access and accepts the FDVU terms and its yearly FDVU part (figure 4).

    The part is `selectors.fdvu_part` (what the portal showed): `fdvu_amount_seen` is the amount
    the member was shown; if the part has changed since (another user joined), nothing is stored
    and the member is asked to look again. The accepted amount, key and number of users are
    recorded on the agreement. A part that cannot be computed refuses the request.

    Paid-up participant: access is granted and the access fee invoiced. Participant that has not
    paid its share: the request waits for the share. Non-participant: refused, nothing stored.
    One agreement per member and solution, whatever the concurrency (UniqueConstraint)."""
    if not solution.is_published:
        raise AccessError(_("Løsningen er ikke tilgjengelig ennå."))
    if member.kind not in selectors.audience_kinds(solution):
        raise AccessError(_("Løsningen er ikke laget for denne typen medlem."))
    if not accept_fdvu_terms:
        raise AccessError(_("Du må godta vilkårene for forvaltning, drift og videreutvikling."))
    participation = _participation(member)
    if not participation.is_participant:
        return AccessDecision(Outcome.NOT_PARTICIPANT, None)
    existing = (
        AccessAgreement.objects.select_for_update().filter(solution=solution, member=member).first()
    )
    if existing is not None:
        return _existing_decision(existing, participation, actor=actor)
    # The member accepts its FDVU part as well as the terms: refused if it cannot be computed,
    # or if it is not the amount the member was shown.
    fdvu = _fdvu_part(solution, member, seen=fdvu_amount_seen)
    if participation.has_paid_share:
        # Fail before storing anything if the fee cannot be computed.
        _compute_fee(solution, member)
    agreement = AccessAgreement(
        solution=solution,
        member=member,
        status=AccessAgreement.Status.WAITING_FOR_SHARE,
        requested_by=actor,
        fdvu_accepted_at=timezone.now(),
        fdvu_terms_accepted=solution.fdvu_terms,
        fdvu_amount_accepted=fdvu.amount,
        fdvu_key_accepted=fdvu.key,
        fdvu_users_accepted=fdvu.users,
    )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError:
        # Another request for the same member and solution won the race: use its row.
        existing = AccessAgreement.objects.select_for_update().get(solution=solution, member=member)
        return _existing_decision(existing, participation, actor=actor)
    with translation.override(settings.LANGUAGE_CODE):  # the log is a Norwegian record
        note = (
            f"FDVU-vilkår akseptert: {format_nok(fdvu.amount)} i året for {fdvu.year} "
            f"({FdvuKey(fdvu.key).label}, antall brukere {fdvu.users})"
        )
    _log(agreement, "requested", actor=actor, note=note)
    if participation.has_paid_share:
        return AccessDecision(Outcome.GRANTED, _activate(agreement, actor=actor))
    return AccessDecision(
        Outcome.WAITING_FOR_SHARE, agreement, owed_amount=participation.owed_amount
    )


def _fdvu_part(solution: Solution, member: Member, *, seen: Decimal | None):
    try:
        part = selectors.fdvu_part(solution=solution, member=member)
    except pm.PriceModelError as exc:
        raise AccessError(
            _("FDVU-andelen kan ikke beregnes, så vilkårene kan ikke godtas: %(reason)s")
            % {"reason": exc}
        ) from exc
    if seen is not None and to_money(seen) != part.amount:
        raise AccessError(
            _(
                "FDVU-andelen er nå %(amount)s i året, ikke %(seen)s som ble vist (brukerne av "
                "løsningen har endret seg). Ingenting er registrert. Se over beløpet og godta "
                "på nytt."
            )
            % {"seen": format_nok(to_money(seen)), "amount": format_nok(part.amount)}
        )
    return part


def _existing_decision(agreement, participation, *, actor) -> AccessDecision:
    if agreement.status == AccessAgreement.Status.WAITING_FOR_SHARE:
        if participation.has_paid_share:
            return AccessDecision(Outcome.GRANTED, _activate(agreement, actor=actor))
        return AccessDecision(
            Outcome.WAITING_FOR_SHARE, agreement, owed_amount=participation.owed_amount
        )
    return AccessDecision(Outcome.ALREADY, agreement)


def _compute_fee(solution: Solution, member: Member) -> tuple[Decimal, int]:
    try:
        return selectors.fee_for(solution=solution, member=member)
    except pm.PriceModelError as exc:
        raise AccessError(
            _("Tilknytningskostnaden kan ikke beregnes: %(reason)s") % {"reason": exc}
        ) from exc


def _activate(agreement: AccessAgreement, *, actor) -> AccessAgreement:
    """Grant access: freeze the fee on today's population and ask for the fee invoice. Called
    with the agreement row locked, once per agreement (status guard). Returns the agreement as
    it now is."""
    if agreement.status != AccessAgreement.Status.WAITING_FOR_SHARE:
        return agreement
    fee, population = _compute_fee(agreement.solution, agreement.member)
    agreement = perform_transition(
        agreement=agreement,
        name="activated",
        actor=actor,
        note=f"Tilknytningskostnad {format_nok(fee, decimals=True)}",
        changes={
            "activated_on": datetime.date.today(),
            "fee_amount": fee,
            "population": population,
        },
    )
    access_fee_invoice_request(agreement=agreement, actor=actor)
    agreement.refresh_from_db(fields=["fee_status", "fee_paid_on", "fee_invoice_id"])
    return agreement


@transaction.atomic
def access_resume(*, agreement: AccessAgreement, actor) -> AccessDecision:
    """Grant a waiting request once the member's share is paid (no-op otherwise)."""
    agreement = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    return _existing_decision(agreement, _participation(agreement.member), actor=actor)


def access_resume_for_member(*, member: Member, actor) -> list[AccessDecision]:
    """For members/invoicing to call when a share payment is booked: grants every waiting
    request of the member if the share is now paid."""
    return [
        access_resume(agreement=a, actor=actor)
        for a in AccessAgreement.objects.filter(
            member=member, status=AccessAgreement.Status.WAITING_FOR_SHARE
        )
    ]


def _fakturareferanse(member: Member) -> str:
    """The buyer's invoice reference from its participation (own first, then inherited)."""
    participation = _participation(member)
    rows = ([participation.own] if participation.own else []) + list(participation.participations)
    return next((p.fakturareferanse for p in rows if p and p.fakturareferanse), "")


@transaction.atomic
def access_fee_invoice_request(*, agreement: AccessAgreement, actor) -> AccessAgreement:
    """Invoice the access fee through invoicing, once (source key `access:<agreement id>`).

    If the invoice cannot be issued (no fakturareferanse, no orgnr), access stays granted and
    the fee waits as «Klar til fakturering» with the reason logged; KS retries from the staff
    page by calling this again."""

    agreement = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.fee_status == AccessAgreement.FeeStatus.NOT_DUE:
        if agreement.fee_amount == 0:
            return perform_transition(
                agreement=agreement,
                name="fee_zero",
                actor=actor,
                changes={"fee_paid_on": agreement.activated_on},
            )
        # Refused with its reason while access is not granted (no fee yet).
        agreement = perform_transition(
            agreement=agreement,
            name="fee_invoice_requested",
            actor=actor,
            note=str(agreement.fee_amount),
        )
    if agreement.fee_status != AccessAgreement.FeeStatus.PENDING_INVOICE:
        return agreement
    solution = agreement.solution
    try:
        # The invoice and the logged reason are Norwegian records, whatever the user's language.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            invoice = invoice_issue(
                buyer=agreement.member,
                kind="access_fee",
                lines=[
                    InvoiceLineSpec(
                        description=f"Tilknytningskostnad {solution.name} "
                        f"({format_number(agreement.population) or '–'} innbyggere)",
                        unit_price=agreement.fee_amount,
                    )
                ],
                issued_on=datetime.date.today(),
                fakturareferanse=_fakturareferanse(agreement.member),
                actor=actor,
                source_key=f"access:{agreement.pk}",
            )
    except InvoicingError as exc:
        _log(agreement, "fee_invoice_failed", actor=actor, note=str(exc))
        return agreement
    return perform_transition(
        agreement=agreement,
        name="fee_invoiced",
        actor=actor,
        note=f"Faktura {invoice.number}",
        changes={"fee_invoice_id": invoice.pk},
    )


def access_fee_invoice_paid(*, invoice, payment, actor) -> None:
    """Invoicing's payment handler for `access_fee` invoices (registered in apps.ready()):
    books the part of the payment that covers the outstanding fee; an over-payment stays with
    invoicing for a human to resolve."""
    agreement = AccessAgreement.objects.filter(fee_invoice_id=invoice.pk).first()
    if agreement is None and invoice.source_key.startswith("access:"):
        agreement = AccessAgreement.objects.filter(pk=invoice.source_key.split(":")[1]).first()
    if agreement is None:
        return
    key = f"invoicing-payment:{payment.pk}"
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        return
    outstanding = (agreement.fee_amount or 0) - selectors.agreement_paid(agreement=agreement)
    amount = min(to_money(payment.amount), outstanding)
    if amount > 0:
        access_fee_paid(
            agreement=agreement,
            amount=amount,
            paid_on=payment.paid_on,
            actor=actor,
            idempotency_key=key,
        )


@transaction.atomic
def access_fee_paid(
    *,
    agreement: AccessAgreement,
    amount: Decimal,
    paid_on: datetime.date,
    actor,
    idempotency_key: str,
) -> LedgerEntry:
    """Book a payment of the access fee: the capital returns to the fund (figure 5), attributed
    to the solution and its project. The same idempotency_key twice books once."""
    agreement = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    if not idempotency_key:
        raise AccessError(_("En betaling må ha en idempotensnøkkel."))
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if agreement.fee_amount is None:
        raise AccessError(_("Avtalen har ingen tilknytningskostnad ennå."))
    amount = to_money(amount)
    outstanding = agreement.fee_amount - selectors.agreement_paid(agreement=agreement)
    if amount <= 0 or amount > outstanding:
        raise AccessError(
            _("Beløpet må være mellom %(minimum)s og utestående %(outstanding)s.")
            % {
                "minimum": format_nok(ORE, decimals=True),
                "outstanding": format_nok(outstanding, decimals=True),
            }
        )
    solution = agreement.solution
    entry = ledger_record(
        kind=LedgerEntry.Kind.ACCESS_FEE,
        source=CapitalSource.ACCESS_FEES,
        amount=amount,
        occurred_on=paid_on,
        description=f"Tilknytningskostnad {solution} – {agreement.member}"[:300],
        actor=actor,
        member=agreement.member,
        subject=agreement,
        project_ref=solution.project_id,
        solution_ref=solution.pk,
        idempotency_key=idempotency_key,
    )
    note = f"{format_nok(amount, decimals=True)} ({idempotency_key})"
    if amount == outstanding:
        perform_transition(
            agreement=agreement,
            name="fee_paid",
            actor=actor,
            note=note,
            changes={"fee_paid_on": paid_on},
        )
    else:
        _log(agreement, "fee_paid", actor=actor, note=note)  # paid in part: no change of state
    return entry


@transaction.atomic
def access_fee_refund(
    *, agreement: AccessAgreement, amount: Decimal, refunded_on: datetime.date, reason: str, actor
) -> LedgerEntry:
    """KS refunds (part of) a paid access fee: money leaves the fund, recorded in the ledger.
    Leaving a solution never refunds by itself."""
    agreement = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    if not reason.strip():
        raise AccessError(_("Oppgi begrunnelse for refusjonen."))
    amount = to_money(amount)
    paid = selectors.agreement_paid(agreement=agreement)
    if amount <= 0 or amount > paid:
        raise AccessError(
            _("Refusjonen må være mellom %(minimum)s og innbetalt %(paid)s.")
            % {"minimum": format_nok(ORE, decimals=True), "paid": format_nok(paid, decimals=True)}
        )
    entry = ledger_record(
        kind=LedgerEntry.Kind.ACCESS_FEE_REFUND,
        source=CapitalSource.ACCESS_FEES,
        amount=amount,
        occurred_on=refunded_on,
        description=f"Refusjon tilknytningskostnad {agreement.solution} – {agreement.member}: "
        f"{reason}"[:300],
        actor=actor,
        member=agreement.member,
        subject=agreement,
        project_ref=agreement.solution.project_id,
        solution_ref=agreement.solution_id,
    )
    note = f"{format_nok(amount, decimals=True)}: {reason}"
    if amount == paid:
        perform_transition(agreement=agreement, name="fee_refunded", actor=actor, note=note)
    else:
        _log(agreement, "fee_refunded", actor=actor, note=note)  # refunded in part: no change
    return entry


@transaction.atomic
def access_leave(*, agreement: AccessAgreement, left_on: datetime.date, actor) -> AccessAgreement:
    """The member leaves the solution: it stops sharing FDVU from the next year. The access fee
    is not refunded (KS may record a refund separately)."""
    agreement = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == AccessAgreement.Status.ENDED:
        return agreement
    # The table refuses a request still waiting for the share, and an end before the start.
    return perform_transition(
        agreement=agreement,
        name="left",
        actor=actor,
        note=f"{left_on:%d.%m.%Y}",
        changes={"left_on": left_on},
    )


# --- FDVU (never the fund's capital) -----------------------------------------------------------


@transaction.atomic
def fdvu_allocate(*, solution: Solution, year: int, actor) -> FdvuPeriod:
    """Share the year's FDVU cost among the solution's users by its key. Re-running before the
    period is invoiced recomputes it (users may have joined). Never writes to the ledger.

    Rounding: `tariff` gives each user 12 × (fixed + rate × population), half up to kroner;
    the other keys split the yearly cost to whole kroner by largest remainder, so the shares add
    up to the cost exactly."""
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    users = list(selectors.fdvu_users(solution=solution, year=year))
    if not users:
        raise SolutionError(_("Løsningen har ingen brukere i %(year)s.") % {"year": year})
    try:
        split = selectors.fdvu_split(solution=solution, members=[a.member for a in users])
    except selectors.FdvuError as exc:
        raise SolutionError(str(exc)) from exc
    key, total, amounts, populations = split.key, split.total, split.amounts, split.populations
    period = FdvuPeriod.objects.select_for_update().filter(solution=solution, year=year).first()
    if period is not None:
        if period.status != FdvuPeriod.Status.ALLOCATED:
            raise SolutionError(
                _("FDVU for %(year)s er allerede sendt til fakturering.") % {"year": year}
            )
        period.shares.all().delete()
        period.total_cost, period.key, period.allocated_by = total, key, actor
        period.save()
    else:
        period = FdvuPeriod.objects.create(
            solution=solution, year=year, total_cost=total, key=key, allocated_by=actor
        )
    FdvuShare.objects.bulk_create(
        FdvuShare(
            period=period,
            agreement=a,
            member=a.member,
            population=populations.get(a.member_id),
            amount=amount,
        )
        for a, amount in zip(users, amounts, strict=True)
    )
    return period


@transaction.atomic
def fdvu_invoice_request(*, period: FdvuPeriod, actor) -> FdvuPeriod:
    """Invoice each user's FDVU share (kind `fdvu`, source key `fdvu:<agreement>:<year>`).
    This is the users' money for running the solution: it never touches the fund's ledger.
    Shares that cannot be invoiced yet (no fakturareferanse) keep the period «Klar til
    fakturering»; calling again invoices the rest."""

    period = FdvuPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == FdvuPeriod.Status.INVOICED:
        return period
    complete = True
    for share in period.shares.select_related("member").filter(invoice_id__isnull=True):
        if share.amount == 0:
            continue
        try:
            with transaction.atomic():
                invoice = invoice_issue(
                    buyer=share.member,
                    kind="fdvu",
                    lines=[
                        InvoiceLineSpec(
                            description=f"FDVU {period.solution.name} {period.year}",
                            unit_price=share.amount,
                        )
                    ],
                    issued_on=datetime.date.today(),
                    fakturareferanse=_fakturareferanse(share.member),
                    actor=actor,
                    source_key=f"fdvu:{share.agreement_id}:{period.year}",
                )
        except InvoicingError:
            complete = False
            continue
        share.invoice_id = invoice.pk
        share.save(update_fields=["invoice_id"])
    period.status = FdvuPeriod.Status.INVOICED if complete else FdvuPeriod.Status.PENDING_INVOICE
    period.save(update_fields=["status"])
    return period


# --- returning capital to contributors ---------------------------------------------------------


@transaction.atomic
def capital_repayment_confirm(
    *,
    amount: Decimal,
    occurred_on: datetime.date,
    reference: str,
    fingerprint: str,
    actor,
) -> CapitalRepayment:
    """Record the repayment KS confirmed: one CONTRIBUTOR_REPAYMENT ledger entry per contributor,
    exactly as the scenario KS saw (the fingerprint must still match, else nothing changes)."""

    ledger_lock()  # one confirmation at a time: the scenario depends on earlier repayments
    amount = to_money(amount)
    if amount <= 0:
        raise SolutionError(_("Beløpet må være større enn null."))
    if not reference.strip():
        raise SolutionError(_("Oppgi vedtaket som tilbakebetalingen bygger på."))
    scenario = selectors.repayment_scenario(amount=amount)
    if scenario.fingerprint != fingerprint:
        raise SolutionError(
            _("Grunnlaget har endret seg siden scenariet ble laget. Se på scenariet på nytt.")
        )
    if amount > scenario.total_paid_in:
        raise SolutionError(_("Beløpet er større enn det bidragsyterne har betalt inn."))
    repayment = CapitalRepayment.objects.create(
        amount=amount,
        occurred_on=occurred_on,
        reference=reference.strip(),
        fingerprint=fingerprint,
        confirmed_by=actor,
    )
    for line in scenario.lines:
        if line.repayment <= 0:
            continue
        ledger_record(
            kind=LedgerEntry.Kind.CONTRIBUTOR_REPAYMENT,
            source=CapitalSource.CONTRIBUTORS,
            amount=line.repayment,
            occurred_on=occurred_on,
            description=f"{line.label}: tilbakebetaling av innskutt kapital ({reference})"[:300],
            actor=actor,
            member=line.member,
            subject=repayment,
            idempotency_key=selectors.repayment_idempotency_key(
                repayment_id=repayment.pk, contributor_key=line.key
            ),
        )
    return repayment


# --- a completed project's solution (issue 18 §4) ------------------------------------------


@transaction.atomic
def solution_from_completed_project(*, project, actor) -> Solution | None:
    """The final report hands the solution over to FDVU: register it as a solution of the
    project (unpublished: KS sets the price model and publishes it), available from the
    hand-over date. Registered by RepaymentsConfig.ready() with projects.hooks; a project that
    already has a solution keeps it (only its availability date is set)."""
    report = getattr(project, "final_report", None)
    if report is None:
        return None
    existing = Solution.objects.select_for_update().filter(project=project).first()
    if existing is not None:
        return existing
    name = report.solution_name
    if Solution.objects.filter(name=name).exists():
        name = f"{name} ({project.proposal.reference or project.pk})"[:160]
    values = {
        "name": name,
        "description": report.solution_description,
        "project": project,
        # The figure used is the project's disbursements (selectors.development_cost); this is
        # the fallback a solution must carry.
        "development_cost": project.granted,
        "available_on": report.handed_over_on,
        "fdvu_terms": f"{report.fdvu_owner}\n\n{report.fdvu_terms}",
        "fdvu_key": FdvuKey.EQUAL,
        "fdvu_yearly_cost": report.fdvu_yearly_cost,
        "fdvu_parameters": {},
    }
    return solution_create(actor=actor, **values)
