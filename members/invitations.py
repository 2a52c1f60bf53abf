"""Invitation letters: who gets one, and sending to exactly the set KS confirmed.

Who (docs/decisions/members-invitations-and-email-answers.md): the members that exist today
(kommuner and fylkeskommuner, not KS, not one billed with another) whose participation, merges
included, is none or "invited". Left out, and shown on the confirmation page with the reason:
participants (confirmed, invoiced, paid — also by a predecessor, e.g. Bergen), members that
declined (a decline is an answer; one that changes its mind sends a confirmation, which KS
records), and members that already have an invitation letter or one waiting in a job (a letter
is made once per member: invoicing keys it "invitation:<member id>").

Sending creates an invitation job (invoicing's BatchJob) with one item per member of the set
the confirmation page listed, intersected with who may still get one at that moment: under a
lock on those members, so the same form sent twice makes one job and the second finds nothing
left to send."""

from dataclasses import dataclass, field

from django.db import transaction

from core.tasking import enqueue_on_commit
from invoicing.models import BatchItem, BatchJob, Document
from invoicing.tasks import batch_resume

from .models import Member, Participation
from .selectors import EffectiveParticipation, effective_participations

INVITABLE_STATUSES = (None, Participation.Status.INVITED)


@dataclass
class InvitationPlan:
    recipients: list[tuple[Member, EffectiveParticipation]] = field(default_factory=list)
    participants: list[tuple[Member, EffectiveParticipation]] = field(default_factory=list)
    declined: list[tuple[Member, EffectiveParticipation]] = field(default_factory=list)
    already_invited: list[tuple[Member, EffectiveParticipation]] = field(default_factory=list)

    @property
    def recipient_ids(self) -> list[int]:
        return [m.pk for m, _e in self.recipients]


def _current_members(member_ids=None):
    qs = (
        Member.objects.filter(valid_to__isnull=True, billed_with__isnull=True)
        .exclude(kind=Member.Kind.KS)
        .order_by("number", "pk")
    )
    if member_ids is not None:
        qs = qs.filter(pk__in=list(member_ids))
    return qs


def _invited_ids(member_ids) -> set[int]:
    """Members with an invitation letter, or one waiting in a job."""
    ids = list(member_ids)
    with_letter = {
        int(key.split(":", 1)[1])
        for key in Document.objects.filter(
            kind=Document.Kind.INVITATION,
            source_key__in=[f"invitation:{pk}" for pk in ids],
        ).values_list("source_key", flat=True)
    }
    waiting = set(
        BatchItem.objects.filter(
            job__kind=BatchJob.Kind.INVITATIONS,
            object_id__in=ids,
            status=BatchItem.Status.PENDING,
        ).values_list("object_id", flat=True)
    )
    return with_letter | waiting


def invitation_plan(*, member_ids=None) -> InvitationPlan:
    """Who would get an invitation letter now, and who not and why."""
    members = list(_current_members(member_ids))
    effective = effective_participations(members=members)
    invited = _invited_ids(m.pk for m in members)
    plan = InvitationPlan()
    for member in members:
        row = (member, effective[member.pk])
        status = row[1].status
        if row[1].is_participant:
            plan.participants.append(row)
        elif status == Participation.Status.DECLINED:
            plan.declined.append(row)
        elif member.pk in invited:
            plan.already_invited.append(row)
        elif status in INVITABLE_STATUSES:
            plan.recipients.append(row)
    return plan


@transaction.atomic
def invitations_send(*, member_ids, actor) -> tuple[BatchJob | None, list[int]]:
    """Start an invitation job for the listed members that may still get one. Returns the job
    (None when nothing is left to send) and the ids it sends to. Members locked in id order,
    so a second submission of the same list waits, then finds the first job's items."""
    wanted = sorted({int(pk) for pk in member_ids})
    list(Member.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values("pk"))
    targets = invitation_plan(member_ids=wanted).recipient_ids
    if not targets:
        return None, []
    job = BatchJob.objects.create(kind=BatchJob.Kind.INVITATIONS, started_by=actor)
    BatchItem.objects.bulk_create(BatchItem(job=job, object_id=pk) for pk in targets)
    enqueue_on_commit(batch_resume, job.pk)
    return job, targets
