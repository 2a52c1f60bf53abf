"""Payment requests (utbetalingsanmodning) and the final report (sluttrapport), issue 18 §4.

The responsible municipality requests part or the rest of the grant with a progress report;
KS approves (the disbursement is booked in the ledger exactly once: the request's row lock, the
ledger's idempotency key `payment-request:<id>` and the request's unique link to its entry) or
returns it with a reason. Approving the final request approves the final report, completes the
project (projects.services.portfolio.project_close: the unspent grant is released) and hands
the solution over to FDVU (projects.hooks → repayments)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_nok, to_money

from ..hooks import project_completed
from ..models import (
    FinalReport,
    Milestone,
    PaymentRequest,
    PaymentRequestCost,
    Project,
    ProjectEvent,
)
from .followup_workflow import NEW, Ctx, FollowupError, check_step
from .portfolio import disbursement_record, project_close
from .proposals import detect_attachment_type, max_attachment_bytes, safe_download_name


def event_log(*, project: Project, process: str, name: str, text: str, actor, comment=""):
    """One row on the project's timeline."""
    return ProjectEvent.objects.create(
        project=project,
        process=process,
        name=name,
        text=text[:300],
        comment=comment.strip(),
        actor=actor,
    )


def _checked_upload(upload) -> tuple[bytes, str, str]:
    """The attachment rules of proposals: size and CONTENT type (PDF, DOCX, XLSX, ODT)."""
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise FollowupError(
            _("Vedlegg: filen er for stor (maks %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            field="attachment",
        )
    upload.seek(0)
    content = upload.read()
    if not content:
        raise FollowupError(_("Vedlegg: filen er tom."), field="attachment")
    mime = detect_attachment_type(content[:8192])
    if mime is None:
        raise FollowupError(
            _("Vedlegg: filtypen er ikke tillatt. Last opp PDF, DOCX, XLSX eller ODT."),
            field="attachment",
        )
    return content, mime, safe_download_name(upload.name, mime)


@transaction.atomic
def payment_request_submit(
    *,
    project: Project,
    kind: str,
    amount: Decimal,
    progress: str,
    costs: dict[str, Decimal],
    milestones=(),
    attachment=None,
    actor,
) -> PaymentRequest:
    """The responsible municipality asks for a (partial or final) payment with its report."""
    if kind not in PaymentRequest.Kind.values:
        raise FollowupError(_("Type: ugyldig type utbetaling."), field="kind")
    if not progress.strip():
        raise FollowupError(_("Framdrift: må fylles ut."), field="progress")
    project = Project.objects.select_for_update().get(pk=project.pk)
    amount = to_money(amount)
    check_step(
        process="payment_request",
        name="submit",
        state=NEW,
        ctx=Ctx(project=project, kind=kind, amount=amount),
        user=actor,
    )
    upload = _checked_upload(attachment) if attachment else None
    milestones = list(milestones)
    if any(m.project_id != project.pk for m in milestones):
        raise FollowupError(_("Milepæler: milepælen hører ikke til prosjektet."), "milestones")
    try:
        with transaction.atomic():
            request = PaymentRequest(
                project=project,
                kind=kind,
                amount=amount,
                progress=progress.strip(),
                submitted_by=actor,
            )
            if upload:
                content, mime, name = upload
                request.attachment_name, request.attachment_type = name, mime
                request.attachment.save(name, ContentFile(content), save=False)
            request.save()
    except IntegrityError as exc:  # payreq_one_final: a second final request in a race
        raise FollowupError(
            _("Type: prosjektet har allerede en anmodning om sluttutbetaling."), field="kind"
        ) from exc
    PaymentRequestCost.objects.bulk_create(
        [
            PaymentRequestCost(request=request, category=category, amount=to_money(value))
            for category, value in costs.items()
            if value is not None and to_money(value) > 0
        ]
    )
    request.milestones_reached.set(milestones)
    event_log(
        project=project,
        process="payment_request",
        name="submit",
        text=_("%(kind)s på %(amount)s er sendt til KS.")
        % {"kind": request.get_kind_display(), "amount": format_nok(amount)},
        actor=actor,
    )
    return request


@transaction.atomic
def payment_request_approve(
    *, request: PaymentRequest, paid_on: datetime.date, actor
) -> PaymentRequest:
    """KS approves: the disbursement is booked once and linked to the request. A final request
    also approves the final report and completes the project (the unspent grant is released)."""
    request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    project = Project.objects.select_for_update().get(pk=request.project_id)
    if request.status == PaymentRequest.Status.APPROVED:
        raise FollowupError(_("Anmodningen er allerede godkjent og utbetalt."))
    check_step(
        process="payment_request",
        name="approve",
        state=request.status,
        ctx=Ctx(project=project, obj=request, kind=request.kind, amount=request.amount),
        user=actor,
    )
    entry = disbursement_record(
        project=project,
        amount=request.amount,
        paid_on=paid_on,
        actor=actor,
        note=f"({request.get_kind_display().lower()}, anmodning {request.pk})",
        idempotency_key=f"payment-request:{request.pk}",
    )
    request.status = PaymentRequest.Status.APPROVED
    request.ledger_entry = entry
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "ledger_entry", "decided_by", "decided_at"])
    Milestone.objects.filter(
        pk__in=request.milestones_reached.values("pk"), done_on__isnull=True
    ).update(done_on=paid_on)
    event_log(
        project=project,
        process="payment_request",
        name="approve",
        text=_("KS har godkjent %(kind)s og utbetalt %(amount)s.")
        % {"kind": request.get_kind_display().lower(), "amount": format_nok(request.amount)},
        actor=actor,
    )
    if request.kind == PaymentRequest.Kind.FINAL:
        _complete(project=project, actor=actor)
    return request


def _complete(*, project: Project, actor) -> None:
    report = FinalReport.objects.select_for_update().get(project=project)
    check_step(
        process="final_report",
        name="approve",
        state=report.status,
        ctx=Ctx(project=project, obj=report),
        user=actor,
    )
    report.status = FinalReport.Status.APPROVED
    report.approved_by = actor
    report.approved_at = timezone.now()
    report.save(update_fields=["status", "approved_by", "approved_at"])
    event_log(
        project=project,
        process="final_report",
        name="approve",
        text=_("KS har godkjent sluttrapporten."),
        actor=actor,
    )
    project_close(
        project=project,
        status=Project.Status.COMPLETED,
        note=_("Fullført: sluttutbetaling godkjent, sluttrapport godkjent."),
        actor=actor,
    )
    event_log(
        project=project,
        process="project",
        name="complete",
        text=_("Prosjektet er fullført; ubrukt tilsagn er frigjort."),
        actor=actor,
    )
    project_completed(project=project, actor=actor)


@transaction.atomic
def payment_request_return(*, request: PaymentRequest, reason: str, actor) -> PaymentRequest:
    """KS returns the request with a reason; the municipality may send a corrected one."""
    request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    check_step(
        process="payment_request",
        name="return",
        state=request.status,
        ctx=Ctx(project=request.project, obj=request, comment=reason),
        user=actor,
    )
    request.status = PaymentRequest.Status.RETURNED
    request.return_reason = reason.strip()
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
    event_log(
        project=request.project,
        process="payment_request",
        name="return",
        text=_("KS har returnert %(kind)s på %(amount)s.")
        % {"kind": request.get_kind_display().lower(), "amount": format_nok(request.amount)},
        comment=reason,
        actor=actor,
    )
    return request


FINAL_REPORT_FIELDS = (
    "results",
    "deliverables",
    "benefits_so_far",
    "solution_name",
    "solution_description",
    "fdvu_owner",
    "fdvu_terms",
    "fdvu_yearly_cost",
    "handed_over_on",
)


@transaction.atomic
def final_report_submit(*, project: Project, actor, **values) -> FinalReport:
    """The responsible municipality sends (or corrects, until the final payment) the final
    report, with the hand-over of the solution to FDVU."""
    unknown = set(values) - set(FINAL_REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name in FINAL_REPORT_FIELDS:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            label = FinalReport._meta.get_field(name).verbose_name
            raise FollowupError(
                _("%(field)s: må fylles ut.") % {"field": str(label).capitalize()}, field=name
            )
    project = Project.objects.select_for_update().get(pk=project.pk)
    report = FinalReport.objects.select_for_update().filter(project=project).first()
    check_step(
        process="final_report",
        name="submit",
        state=report.status if report else NEW,
        ctx=Ctx(project=project, obj=report),
        user=actor,
    )
    clean = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if report is None:
        report = FinalReport.objects.create(project=project, submitted_by=actor, **clean)
    else:
        for name, value in clean.items():
            setattr(report, name, value)
        report.submitted_by = actor
        report.save()
    event_log(
        project=project,
        process="final_report",
        name="submit",
        text=_("Sluttrapporten er sendt til KS."),
        actor=actor,
    )
    return report
