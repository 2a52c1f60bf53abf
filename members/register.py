"""Refreshing the members from Enhetsregisteret: look up, show the differences, apply on
confirmation (docs/decisions/members-enhetsregisteret.md).

`register_refresh_start` records a look-up (a RegisterRefresh) and hands the fetching to a task;
`register_refresh_fetch` asks the register for each member and stores, per member, the fields
that differ (field, old, new) and the members it could not refresh and why, changing no
member. `register_refresh_apply` writes the stored differences once KS confirms; a member
changed after the look-up (its current value no longer the «old» shown) is skipped and named."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tasking import enqueue_on_commit

from .enhetsregisteret import RegisterEntry, RegisterError, fetch_enhet
from .models import Maalform, Member, RegisterRefresh

# The fields a refresh compares and writes, in the order KS reads them.
FIELDS = {
    "register_name": gettext_lazy("Navn i Enhetsregisteret"),
    "organisasjonsform": gettext_lazy("Organisasjonsform"),
    "address": gettext_lazy("Postadresse"),
    "postal_address": gettext_lazy("Adresselinjer"),
    "postnummer": gettext_lazy("Postnummer"),
    "poststed": gettext_lazy("Poststed"),
    "register_maalform": gettext_lazy("Målform i Enhetsregisteret"),
    "register_deleted": gettext_lazy("Slettet"),
    "register_deleted_on": gettext_lazy("Slettedato"),
    "register_bankrupt": gettext_lazy("Konkurs"),
    "register_winding_up": gettext_lazy("Under avvikling"),
}
# What a register that no longer holds the unit (404/410) may change: only the flags. The
# member keeps the address it has.
DELETED_FIELDS = ("register_deleted", "register_deleted_on")


def field_label(field: str) -> str:
    return str(FIELDS.get(field, field))


def shown(field: str, value) -> str:
    """A stored old or new value as KS reads it: Ja/Nei, 31.12.2019, Nynorsk, – for empty."""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if value in (None, ""):
        return "–"
    if field == "register_deleted_on":
        return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
    if field == "register_maalform":
        return str(Maalform(value).label)
    return str(value)


def entry_values(entry: RegisterEntry) -> dict:
    """The member's fields as the register gives them (JSON-ready: dates as ISO text)."""
    deleted_on = entry.deleted_on.isoformat() if entry.deleted_on else None
    if entry.deleted and not entry.name:
        return {"register_deleted": True, "register_deleted_on": deleted_on}
    return {
        "register_name": entry.name,
        "organisasjonsform": entry.organisasjonsform,
        "address": entry.printed_address,
        "postal_address": "\n".join(entry.address_lines),
        "postnummer": entry.postnummer,
        "poststed": entry.poststed,
        "register_maalform": entry.maalform,
        "register_deleted": entry.deleted,
        "register_deleted_on": deleted_on,
        "register_bankrupt": entry.bankrupt,
        "register_winding_up": entry.winding_up,
    }


def _current(member: Member, field: str):
    value = getattr(member, field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def member_differences(member: Member, entry: RegisterEntry) -> list[list]:
    """[[field, old, new], ...] for the fields the register would change."""
    return [
        [field, _current(member, field), new]
        for field, new in entry_values(entry).items()
        if _current(member, field) != new
    ]


def refresh_targets(member_ids: list[int] | None = None):
    members = Member.objects.exclude(orgnr="").order_by("kind", "number", "valid_from")
    if member_ids:
        members = members.filter(pk__in=member_ids)
    return members


@transaction.atomic
def register_refresh_start(
    *, actor, member_ids: list[int] | None = None, note: str = ""
) -> RegisterRefresh:
    """Record a look-up and fetch it in a task (a few hundred requests do not belong in a web
    request); with no broker (tests, `make run`) the task runs at once."""
    from .tasks import register_refresh_fetch_task  # members.tasks imports this module

    refresh = RegisterRefresh.objects.create(
        created_by=actor, member_ids=sorted(set(member_ids or [])), note=note[:200]
    )
    enqueue_on_commit(register_refresh_fetch_task, refresh.pk)
    return refresh


def register_refresh_fetch(
    *, refresh: RegisterRefresh, lookup: Callable[[str], RegisterEntry] | None = None
) -> RegisterRefresh:
    """Ask the register for every target member; store differences and failures. Changes no
    member. Idempotent: a look-up already fetched is left as it is. Members sharing an orgnr
    (a kommune and its predecessor under the same number, Oslo kommune and fylke) are asked
    once."""
    if refresh.status != RegisterRefresh.Status.FETCHING:
        return refresh
    lookup = lookup or fetch_enhet
    answers: dict[str, RegisterEntry | RegisterError] = {}
    changes, failures, checked = [], [], 0
    for member in refresh_targets(refresh.member_ids):
        if member.orgnr not in answers:
            try:
                answers[member.orgnr] = lookup(member.orgnr)
            except RegisterError as exc:
                answers[member.orgnr] = exc
        answer = answers[member.orgnr]
        checked += 1
        row = {"member": member.pk, "name": str(member), "orgnr": member.orgnr}
        if isinstance(answer, RegisterError):
            failures.append({**row, "reason": str(answer)})
            continue
        fields = member_differences(member, answer)
        if fields:
            changes.append({**row, "fields": fields})
    RegisterRefresh.objects.filter(pk=refresh.pk, status=RegisterRefresh.Status.FETCHING).update(
        status=RegisterRefresh.Status.READY,
        checked=checked,
        changes=changes,
        failures=failures,
        fetched_at=timezone.now(),
    )
    refresh.refresh_from_db()
    return refresh


class RefreshNotReady(Exception):
    pass


@transaction.atomic
def register_refresh_apply(*, refresh: RegisterRefresh, actor) -> RegisterRefresh:
    """Write the differences KS saw. Once only (the row is locked and must be ready); a member
    changed since the look-up keeps its data and is listed as skipped."""
    refresh = RegisterRefresh.objects.select_for_update().get(pk=refresh.pk)
    if refresh.status != RegisterRefresh.Status.READY:
        raise RefreshNotReady(
            _("Denne hentingen er allerede brukt.")
            if refresh.status == RegisterRefresh.Status.APPLIED
            else _("Hentingen er ikke ferdig ennå.")
        )
    now = timezone.now()
    by_id = Member.objects.select_for_update().in_bulk([c["member"] for c in refresh.changes])
    skipped = []
    for change in refresh.changes:
        member = by_id.get(change["member"])
        if member is None:
            continue
        stale = [f for f, old, _new in change["fields"] if _current(member, f) != old]
        if stale:
            skipped.append(
                {
                    "member": member.pk,
                    "name": change["name"],
                    "reason": _("Endret etter hentingen (%(fields)s); hent på nytt.")
                    % {"fields": ", ".join(field_label(f) for f in stale)},
                }
            )
            continue
        for field, _old, new in change["fields"]:
            if field == "register_deleted_on" and new:
                new = Member._meta.get_field(field).to_python(new)
            setattr(member, field, new)
        member.refreshed_at = now
        member._change_reason = f"Enhetsregisteret, henting {refresh.pk}"
        member.save(update_fields=[f for f, _o, _n in change["fields"]] + ["refreshed_at"])
    unchanged = {c["member"] for c in refresh.changes}
    failed = {f["member"] for f in refresh.failures}
    checked_ids = refresh_targets(refresh.member_ids).values_list("pk", flat=True)
    Member.objects.filter(pk__in=[pk for pk in checked_ids if pk not in unchanged | failed]).update(
        refreshed_at=now
    )
    refresh.status = RegisterRefresh.Status.APPLIED
    refresh.applied_by = actor
    refresh.applied_at = now
    refresh.skipped = skipped
    refresh.save(update_fields=["status", "applied_by", "applied_at", "skipped"])
    return refresh
