"""Writing a proposal: drafts, co-applicants, attachments, snapshots, submit validation."""

from decimal import Decimal
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.tasking import enqueue_on_commit
from members.models import Member

from ..models import (
    SECTIONS,
    Attachment,
    BenefitYear,
    CoApplicant,
    ContactPerson,
    CostYear,
    Proposal,
    ProposalSnapshot,
    ProposalStatus,
)
from ..selectors import applicant_statuses
from ..tasks import notify_coapplicants

EDITABLE_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.RETURNED)

# Detected MIME type -> extension. Decided by the file's CONTENT (magic bytes), never its name.
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class ProposalError(ValueError):
    """A change the rules do not allow; the message is for the user."""


def max_attachment_bytes() -> int:
    return int(getattr(settings, "DIGIFIN_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def ks_member() -> Member | None:
    """The member row that stands for KS (reference data: kind "ks", orgnr 971 032 146), the
    formal applicant of the proposals KS writes (docs/decisions/members-ks-as-applicant.md)."""
    return (
        Member.objects.filter(kind=Member.Kind.KS, valid_to__isnull=True)
        .order_by("-valid_from", "pk")
        .first()
    )


def is_ks_proposal(proposal: Proposal) -> bool:
    return proposal.lead_member.kind == Member.Kind.KS


def acts_for_applicant(*, proposal: Proposal, user) -> bool:
    """The user writes for the formal applicant: a municipal user of the lead organisation, or
    KS staff when KS is the applicant."""
    if user.is_municipal and user.organisation_id == proposal.lead_member_id:
        return True
    return bool(user.is_ks_staff and is_ks_proposal(proposal))


def can_edit(*, proposal: Proposal, user) -> tuple[bool, str]:
    if not acts_for_applicant(proposal=proposal, user=user):
        return False, _("Bare søkerens egne brukere kan endre forslaget.")
    if proposal.status not in EDITABLE_STATUSES:
        return False, _("Forslaget er sendt inn og kan ikke endres.")
    return True, ""


def _require_edit(proposal: Proposal, actor) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    allowed, reason = can_edit(proposal=locked, user=actor)
    if not allowed:
        raise ProposalError(reason)
    return locked


def _validate_company(lead: Member, company_kind: str) -> None:
    # A company (foretak/IKS) applies only together with a kommune or fylkeskommune.
    if company_kind and lead.kind not in (Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE):
        raise ProposalError(
            _(
                "Et kommunalt eid foretak eller IKS kan bare søke sammen med en kommune eller fylkeskommune."  # noqa: E501
            )
        )


@transaction.atomic
def proposal_create(*, title: str, actor) -> Proposal:
    """A draft whose formal applicant is the user's organisation; for KS staff, KS."""
    if actor.is_municipal:
        lead = actor.organisation
    elif actor.is_ks_staff:
        lead = ks_member()
        if lead is None:
            raise ProposalError(
                _("KS finnes ikke i medlemsregisteret. Last inn referansedataene først.")
            )
    else:
        raise ProposalError(_("Bare kommunale brukere og KS kan opprette forslag i portalen."))
    if not title.strip():
        raise ProposalError(_("Prosjektnavn må fylles ut."))
    return Proposal.objects.create(title=title.strip(), lead_member=lead, created_by=actor)


@transaction.atomic
def proposal_save_draft(
    *,
    proposal: Proposal,
    fields: dict,
    co_applicant_members: list[Member],
    cost_rows: list[dict],
    benefit_rows: list[dict],
    contact_rows: list[dict],
    actor,
) -> Proposal:
    """Save the whole draft: text fields, company, co-applicants and the yearly tables.

    Co-applicants that stay keep their confirmation; removed ones are dropped. Co-applicants
    that have not confirmed are asked to, after commit (once per user: saving again sends
    nothing new; projects/notifications.py)."""
    proposal = _require_edit(proposal, actor)
    allowed = {"title", "start_year", "company_kind", "company_name", "company_orgnr"} | {
        name for name, *_ in SECTIONS
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ProposalError(f"Ukjente felt: {sorted(unknown)}")
    _validate_company(proposal.lead_member, fields.get("company_kind", proposal.company_kind))
    for key, value in fields.items():
        setattr(proposal, key, value if value is not None or key == "start_year" else "")
    proposal.full_clean(exclude=["created_by", "lead_member"])
    proposal.save()

    wanted = {m.pk for m in co_applicant_members if m.pk != proposal.lead_member_id}
    proposal.co_applicants.exclude(member_id__in=wanted).delete()
    existing = set(proposal.co_applicants.values_list("member_id", flat=True))
    CoApplicant.objects.bulk_create(
        [CoApplicant(proposal=proposal, member_id=pk) for pk in wanted - existing]
    )

    years = [row["year"] for row in cost_rows]
    if len(years) != len(set(years)):
        raise ProposalError(_("Hvert år kan bare stå én gang i kostnadstabellen."))
    proposal.cost_years.all().delete()
    CostYear.objects.bulk_create([CostYear(proposal=proposal, **row) for row in cost_rows])
    proposal.benefit_years.all().delete()
    BenefitYear.objects.bulk_create([BenefitYear(proposal=proposal, **row) for row in benefit_rows])
    proposal.contacts.all().delete()
    ContactPerson.objects.bulk_create(
        [ContactPerson(proposal=proposal, **row) for row in contact_rows]
    )
    if proposal.co_applicants.filter(confirmed_at__isnull=True).exists():
        enqueue_on_commit(notify_coapplicants, proposal.pk)
    return proposal


def submit_problems(*, proposal: Proposal, applicants=None) -> list[str]:
    """Everything that stops a submit, each naming the field or the rule. Reads the yearly
    tables and contacts from the proposal's prefetch when it has one; `applicants` are the
    applicant_statuses when the caller already has them."""

    problems = []
    if not proposal.title.strip():
        problems.append(_("Prosjektnavn"))
    if not proposal.start_year:
        problems.append(str(Proposal._meta.get_field("start_year").verbose_name).capitalize())
    for name, label, _help, _part in SECTIONS:
        if not getattr(proposal, name).strip():
            problems.append(str(label))
    costs = list(proposal.cost_years.all())
    if not costs:
        problems.append(_("Kostnader per år (minst ett år)"))
    elif not any(c.development > 0 for c in costs):
        problems.append(_("Utviklingskostnader (fondet finansierer bare utvikling)"))
    if not _has_rows(proposal, "benefit_years"):
        problems.append(_("Gevinster per år (minst én)"))
    if not _has_rows(proposal, "contacts"):
        problems.append(_("Kontaktperson (minst én)"))
    if proposal.company_kind and not proposal.company_orgnr:
        problems.append(_("Selskapets organisasjonsnummer"))
    if applicants is None:
        applicants = applicant_statuses(proposal=proposal)
    for row in applicants:
        if row.needs_participation and not row.is_participant:
            problems.append(
                _(
                    "%(member)s er ikke deltaker i DigiFin og må melde seg inn før forslaget kan sendes inn"  # noqa: E501
                )
                % {"member": row.member.name}
            )
        if not row.confirmed:
            problems.append(
                _("%(member)s har ikke bekreftet at de er medsøker") % {"member": row.member.name}
            )
    return problems


def _has_rows(proposal: Proposal, name: str) -> bool:
    related = getattr(proposal, name)
    if name in getattr(proposal, "_prefetched_objects_cache", {}):
        return bool(related.all())
    return related.exists()


@transaction.atomic
def coapplicant_confirm(*, proposal: Proposal, actor) -> CoApplicant:
    """The co-applicant's user confirms that its organisation applies together with the lead."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise ProposalError(_("Forslaget er allerede sendt inn."))
    row = (
        CoApplicant.objects.select_for_update()
        .filter(proposal=locked, member_id=actor.organisation_id)
        .first()
        if actor.is_municipal
        else None
    )
    if row is None:
        raise ProposalError(_("Organisasjonen din er ikke medsøker på dette forslaget."))
    if row.confirmed_at is None:
        row.confirmed_by = actor
        row.confirmed_at = timezone.now()
        row.save(update_fields=["confirmed_by", "confirmed_at"])
    return row


def detect_attachment_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        return None
    return kind.mime


def safe_download_name(original_name: str, mime: str) -> str:
    """The user's name, reduced to safe characters, with the extension of the detected type."""
    stem = get_valid_filename(Path(original_name).stem)[:80] or "vedlegg"
    return f"{stem}{ALLOWED_ATTACHMENT_TYPES[mime]}"


@transaction.atomic
def attachment_add(*, proposal: Proposal, upload, actor) -> Attachment:
    """Store an uploaded file under MEDIA_ROOT after checking its size and its CONTENT type."""
    proposal = _require_edit(proposal, actor)
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ProposalError(
            _("Filen er for stor (maks %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ProposalError(_("Filen er tom."))
    upload.seek(0)
    content = upload.read()
    mime = detect_attachment_type(content[:8192])
    if mime is None:
        raise ProposalError(_("Filtypen er ikke tillatt. Last opp PDF, DOCX, XLSX eller ODT."))
    name = safe_download_name(upload.name, mime)
    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        content_type=mime,
        size=len(content),
        uploaded_by=actor,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    _require_edit(attachment.proposal, actor)
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


def _money(value: Decimal) -> str:
    return str(value)


def snapshot_proposal(*, proposal: Proposal) -> ProposalSnapshot:
    """Keep the content as submitted (one snapshot per version)."""
    data = {
        "title": proposal.title,
        "version": proposal.version,
        "start_year": proposal.start_year,
        "lead_member": str(proposal.lead_member),
        "company": {
            "kind": proposal.company_kind,
            "name": proposal.company_name,
            "orgnr": proposal.company_orgnr,
        },
        "co_applicants": [str(c.member) for c in proposal.co_applicants.select_related("member")],
        "sections": {name: getattr(proposal, name) for name, *_ in SECTIONS},
        "costs": [
            {
                "year": c.year,
                "development": _money(c.development),
                "operating": _money(c.operating),
                "own_contribution": _money(c.own_contribution),
                "other_funding": _money(c.other_funding),
            }
            for c in proposal.cost_years.all()
        ],
        "benefits": [
            {
                "year": b.year,
                "kind": b.kind,
                "beneficiary": b.beneficiary,
                "amount": _money(b.amount),
                "measurement": b.measurement,
            }
            for b in proposal.benefit_years.all()
        ],
        "contacts": [
            {"name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
            for c in proposal.contacts.all()
        ],
        "attachments": [a.original_name for a in proposal.attachments.all()],
    }
    snapshot, _created = ProposalSnapshot.objects.update_or_create(
        proposal=proposal, version=proposal.version, defaults={"data": data}
    )
    return snapshot
