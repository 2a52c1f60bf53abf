"""The participation state machine: ONE declarative table and ONE function that performs a
transition (the pattern of projects/services/workflow.py and its decision record,
docs/decisions/projects-workflow-table.md, which replaced django-fsm there as here).

Each row says from which states, to which state, who may, and what must hold. The checks return
(allowed, reason) so the UI can say why not. `perform_transition` locks the participation row
(SELECT ... FOR UPDATE), applies the caller's field changes, re-checks the table against the
locked row, changes the state and writes the ParticipationEvent log row in the same
transaction. Nothing is enqueued: a participation transition notifies no one by itself.

The invoice batch marks hundreds of participations invoiced at once: `perform_bulk_transition`
is the same table for rows the caller has already locked, written with one update, one history
insert and one event insert."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.permissions import is_ks_or_system, is_member_user_or_ks

from .models import Participation, ParticipationEvent

S = Participation.Status


class ParticipationError(ValueError):
    """A participation change the rules do not allow; the message is for the user."""


class TransitionError(ParticipationError):
    """A transition the table refuses; the message (the reason) is for the user."""


Check = Callable[[Participation, object], tuple[bool, str]]


def fakturareferanse_given(participation: Participation, user) -> tuple[bool, str]:
    if participation.fakturareferanse.strip():
        return True, ""
    return False, _("Fakturareferanse må oppgis: offentlige kjøpere krever den.")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    who: Check
    conditions: tuple[Check, ...] = field(default_factory=tuple)


# fmt: off
# name, from, to, who may, what must hold
TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    # The member's formal decision to join; a member that declined may change its mind.
    Transition("confirm", (S.INVITED, S.DECLINED), S.CONFIRMED,
               who=is_member_user_or_ks, conditions=(fakturareferanse_given,)),
    Transition("decline", (S.INVITED, S.CONFIRMED), S.DECLINED,
               who=is_member_user_or_ks),
    # The share invoice is issued (invoicing); the share is frozen at the invoiced amount.
    Transition("mark_invoiced", (S.CONFIRMED,), S.INVOICED,
               who=is_ks_or_system),
    # The paid total reached the share.
    Transition("mark_paid", (S.INVOICED,), S.PAID,
               who=is_ks_or_system),
    # The share invoice was credited in full before anything was paid: confirmed again, so a
    # corrected share can be invoiced (members/services.participation_share_credited).
    Transition("reopen_after_credit", (S.INVOICED,), S.CONFIRMED,
               who=is_ks_or_system),
]}
# fmt: on


def can_transition(*, participation: Participation, name: str, user) -> tuple[bool, str]:
    """(allowed, reason): the state, then who, then what must hold."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return False, _("Ukjent handling.")
    if participation.status not in transition.sources:
        return False, _("Kan ikke gå fra «%(status)s» med handlingen %(action)s.") % {
            "status": participation.get_status_display(),
            "action": name,
        }
    for check in (transition.who, *transition.conditions):
        allowed, reason = check(participation, user)
        if not allowed:
            return False, reason
    return True, ""


def available_transitions(*, participation: Participation, user) -> list[tuple[str, bool, str]]:
    """(name, allowed, reason) for the transitions from the current state this user may take."""
    return [
        (t.name, *can_transition(participation=participation, name=t.name, user=user))
        for t in TRANSITIONS.values()
        if participation.status in t.sources and t.who(participation, user)[0]
    ]


def _transitioned(participation: Participation, name: str, *, actor, note: str):
    """Check the table on the row as it is, change its state in memory and return the log row,
    unsaved."""
    allowed, reason = can_transition(participation=participation, name=name, user=actor)
    if not allowed:
        raise TransitionError(reason)
    from_status = participation.status
    participation.status = TRANSITIONS[name].target
    return ParticipationEvent(
        participation=participation,
        from_status=from_status,
        to_status=participation.status,
        actor=actor,
        note=note,
    )


@transaction.atomic
def perform_transition(
    *, participation: Participation, name: str, actor, note: str = "", changes: dict | None = None
) -> Participation:
    """Lock the participation, apply `changes` (the fields the transition records, e.g.
    decided_on), check the table, change the state, save and log it. Returns the locked row.

    Two people acting at once: the second waits for the lock, then sees the new state and is
    refused with a message naming it."""
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    for name_, value in (changes or {}).items():
        setattr(locked, name_, value)
    event = _transitioned(locked, name, actor=actor, note=note)
    locked.save()
    event.save()
    return locked


def perform_bulk_transition(
    *,
    rows: Sequence[tuple[Participation, str]],
    name: str,
    actor,
    fields: Sequence[str] = (),
) -> list[ParticipationEvent]:
    """perform_transition for many participations at once, for a caller that has locked them
    (select_for_update) and set `fields` on them in memory. `rows` are (participation, note).
    Every row is checked before anything is written; then one update (status and `fields`), one
    history insert and one event insert."""
    events = [_transitioned(p, name, actor=actor, note=note) for p, note in rows]
    if not events:
        return events
    bulk_update_with_history(
        [p for p, _note in rows], Participation, ["status", *fields], default_user=actor
    )
    return ParticipationEvent.objects.bulk_create(events)
