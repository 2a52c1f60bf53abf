"""The access agreement's state machine: ONE declarative table and ONE function that performs a
transition (the pattern of projects/services/workflow.py).

An agreement has two states: its access (`status`: waiting for the share → active → ended) and
its access fee (`fee_status`: not due → pending invoice → invoiced → paid, refunded). Each row
says which field, from which states, to which state, who may, and what must hold; the checks
return (allowed, reason) so the UI can say why not. `perform_transition` locks the agreement row
(SELECT ... FOR UPDATE), applies the caller's field changes, re-checks the table against the
locked row, changes the state and writes the AccessEvent log row (its action is the
transition's name) in the same transaction. Nothing is enqueued: the fee invoice is issued by
repayments.services in the same transaction, as before."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_ks_or_system, is_member_user_or_ks

from .models import AccessAgreement, AccessEvent

S = AccessAgreement.Status
F = AccessAgreement.FeeStatus


class AccessError(ValueError):
    """A request the rules do not allow; the message is for the user."""


class TransitionError(AccessError):
    """A transition the table refuses; the message (the reason) is for the user."""


Check = Callable[[AccessAgreement, object], tuple[bool, str]]


def left_after_activation(agreement: AccessAgreement, user) -> tuple[bool, str]:
    if agreement.left_on < agreement.activated_on:
        return False, _("Sluttdato kan ikke være før tilgangen startet.")
    return True, ""


def fee_is_zero(agreement: AccessAgreement, user) -> tuple[bool, str]:
    if agreement.fee_amount is None:
        return False, _("Tilgangen er ikke gitt ennå; det er ingenting å fakturere.")
    if agreement.fee_amount != 0:
        return False, _("Tilknytningskostnaden er ikke null.")
    return True, ""


def fee_is_due(agreement: AccessAgreement, user) -> tuple[bool, str]:
    if agreement.fee_amount is None:
        return False, _("Tilgangen er ikke gitt ennå; det er ingenting å fakturere.")
    if agreement.fee_amount == 0:
        return False, _("Tilknytningskostnaden er null; det er ingenting å fakturere.")
    return True, ""


@dataclass(frozen=True)
class Transition:
    name: str  # also the AccessEvent action
    field: str  # "status" or "fee_status"
    sources: tuple[str, ...]
    target: str
    who: Check
    conditions: tuple[Check, ...] = field(default_factory=tuple)
    # Why not, for a source state that has a reason of its own (else the general message).
    refusals: dict = field(default_factory=dict)


ANY_FEE_STATUS = tuple(F.values)

# fmt: off
# name (= the logged action), field, from, to, who may, what must hold
TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    # Access: granted once the member's share is paid (repayments.services decides when).
    Transition("activated", "status", (S.WAITING_FOR_SHARE,), S.ACTIVE,
               who=is_member_user_or_ks),
    Transition("left", "status", (S.ACTIVE,), S.ENDED,
               who=is_member_user_or_ks, conditions=(left_after_activation,),
               refusals={S.WAITING_FOR_SHARE: gettext_lazy(
                   "Forespørselen venter på andelen; det er ingen tilgang å avslutte.")}),
    # The access fee, frozen when access is granted: nothing to pay, or invoiced.
    Transition("fee_zero", "fee_status", (F.NOT_DUE,), F.PAID,
               who=is_member_user_or_ks, conditions=(fee_is_zero,)),
    Transition("fee_invoice_requested", "fee_status", (F.NOT_DUE,), F.PENDING_INVOICE,
               who=is_member_user_or_ks, conditions=(fee_is_due,)),
    Transition("fee_invoiced", "fee_status", (F.PENDING_INVOICE,), F.INVOICED,
               who=is_member_user_or_ks),
    # A payment that settles what is outstanding, or a refund of all that was paid, whatever
    # the fee's status (a fee paid again after a partial refund is paid again).
    Transition("fee_paid", "fee_status", ANY_FEE_STATUS, F.PAID,
               who=is_ks_or_system),
    Transition("fee_refunded", "fee_status", ANY_FEE_STATUS, F.REFUNDED,
               who=is_ks_or_system),
]}
# fmt: on


def can_transition(*, agreement: AccessAgreement, name: str, user) -> tuple[bool, str]:
    """(allowed, reason): the state, then who, then what must hold."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return False, _("Ukjent handling.")
    state = getattr(agreement, transition.field)
    if state not in transition.sources:
        if state in transition.refusals:
            return False, str(transition.refusals[state])
        return False, _("Kan ikke gå fra «%(status)s» med handlingen %(action)s.") % {
            "status": getattr(agreement, f"get_{transition.field}_display")(),
            "action": name,
        }
    for check in (transition.who, *transition.conditions):
        allowed, reason = check(agreement, user)
        if not allowed:
            return False, reason
    return True, ""


def available_transitions(*, agreement: AccessAgreement, user) -> list[tuple[str, bool, str]]:
    """(name, allowed, reason) for the transitions from the current states this user may take."""
    return [
        (t.name, *can_transition(agreement=agreement, name=t.name, user=user))
        for t in TRANSITIONS.values()
        if getattr(agreement, t.field) in t.sources and t.who(agreement, user)[0]
    ]


@transaction.atomic
def perform_transition(
    *,
    agreement: AccessAgreement,
    name: str,
    actor,
    note: str = "",
    changes: dict | None = None,
) -> AccessAgreement:
    """Lock the agreement, apply `changes` (the fields the transition records, e.g.
    activated_on), check the table, change the state, save those fields and log it. Returns the
    locked row; a refusal raises TransitionError (an AccessError) with the reason."""
    locked = AccessAgreement.objects.select_for_update().get(pk=agreement.pk)
    changes = changes or {}
    for field_name, value in changes.items():
        setattr(locked, field_name, value)
    allowed, reason = can_transition(agreement=locked, name=name, user=actor)
    if not allowed:
        raise TransitionError(reason)
    transition = TRANSITIONS[name]
    setattr(locked, transition.field, transition.target)
    locked.save(update_fields=[transition.field, *changes])
    AccessEvent.objects.create(agreement=locked, action=name, actor=actor, note=note[:300])
    return locked
