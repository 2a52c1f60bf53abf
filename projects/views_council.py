"""Views for KommIT-rådet, KS' decision and the portfolio (issue 5)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import (
    council_or_staff_required,
    ks_staff_required,
    portfolio_reader_required,
)
from fund.models import LedgerEntry
from fund.selectors import ledger_version

from . import selectors
from .forms import (
    COST_FIELDS,
    AgendaAddForm,
    ApproveForm,
    ApproveRequestForm,
    BenefitReportForm,
    CloseForm,
    ConflictForm,
    DecisionForm,
    FinalReportForm,
    MeetingCloseForm,
    MeetingForm,
    MilestoneForm,
    OutcomeForm,
    PaymentRequestForm,
    ReturnRequestForm,
    ScoreForm,
    StatusReportForm,
)
from .models import (
    AgendaItem,
    CouncilMeeting,
    MeetingDocument,
    PaymentRequest,
    Project,
    Proposal,
    ProposalStatus,
    ScoringCriterion,
)
from .services.benefits import benefit_report_submit
from .services.council import (
    agenda_add,
    conflict_declare,
    meeting_close,
    meeting_create,
    outcome_record,
    score_record,
)
from .services.council_documents import agenda_document_create
from .services.payments import (
    FINAL_REPORT_FIELDS,
    final_report_submit,
    payment_request_approve,
    payment_request_return,
    payment_request_submit,
)
from .services.portfolio import (
    milestone_add,
    project_approve,
    project_close,
    status_report_submit,
)
from .services.proposals import ProposalError
from .services.workflow import TransitionError, perform_transition
from .views import _sections_with_values

QUEUE_PAGE_SIZE = 50  # a council meeting has a handful of cases; a long agenda is paged


@council_or_staff_required
def council_queue(request):
    meetings = CouncilMeeting.objects.order_by("-held_on")
    meeting = None
    if request.GET.get("mote", "").isdigit():
        meeting = get_object_or_404(CouncilMeeting, pk=request.GET["mote"])
    else:
        meeting = selectors.next_meeting()
    page = None
    if meeting:
        rows = selectors.council_queue(meeting=meeting, user=request.user)
        page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("side"))
        page.object_list = selectors.queue_page(list(page.object_list))
    return render(
        request,
        "projects/council_queue.html",
        {
            "meeting": meeting,
            "meetings": meetings,
            "page": page,
            "available": selectors.available_capital(),
            "meeting_form": MeetingForm() if request.user.is_ks_staff else None,
            "agenda_form": AgendaAddForm() if request.user.is_ks_staff else None,
            "documents": selectors.meeting_documents(meeting=meeting) if meeting else [],
            "close_form": _close_form(meeting, request.user),
        },
    )


@ks_staff_required
@require_POST
def meeting_create_view(request):
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            with consume_once(request, "projects.meeting_create") as once:
                meeting = meeting_create(actor=request.user, **form.cleaned_data)
                once.result_url = f"{_queue_url()}?mote={meeting.pk}"
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=_queue_url())
        except ProposalError as exc:
            messages.error(request, str(exc))
            return redirect(_queue_url())
        messages.success(request, _("Møtet er opprettet."))
        return redirect(once.result_url)
    messages.error(request, _("Oppgi møtedato og beslutningsdyktighet (0–100 %)."))
    return redirect(_queue_url())


def _queue_url():
    return reverse("projects:council_queue")


@ks_staff_required
@require_POST
def agenda_add_view(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    form = AgendaAddForm(request.POST)
    if form.is_valid():
        try:
            item = agenda_add(
                meeting=meeting, proposal=form.cleaned_data["proposal"], actor=request.user
            )
        except ProposalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Satt på sakslisten som %(case)s.") % {"case": item.case_label}
            )
    else:
        messages.error(request, _("Velg et kvalifisert forslag."))
    return redirect(f"{_queue_url()}?mote={meeting.pk}")


def _close_form(meeting, user):
    if meeting is None or meeting.is_closed:
        return None
    if not (user.is_ks_staff or (user.is_council and user.is_council_chair)):
        return None
    return MeetingCloseForm(initial={"attendees": selectors.meeting_participants(meeting=meeting)})


@council_or_staff_required
@require_POST
def meeting_close_view(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    here = f"{_queue_url()}?mote={meeting.pk}"
    form = MeetingCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg hvem som var til stede blant rådets medlemmer."))
        return redirect(here)
    try:
        with consume_once(request, "projects.meeting_close") as once:
            meeting_close(
                meeting=meeting,
                actor=request.user,
                attendees=list(form.cleaned_data["attendees"]),
            )
            once.result_url = here
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=here)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Møtet er lukket; alle poeng er nå synlige. Protokollen lages og sendes søkerne."),
        )
    return redirect(here)


@ks_staff_required
@require_POST
def meeting_agenda_create_view(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    here = f"{_queue_url()}?mote={meeting.pk}"
    try:
        with consume_once(request, "projects.meeting_agenda") as once:
            document = agenda_document_create(meeting=meeting, actor=request.user)
            once.result_url = here
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=here)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Sakskartet er laget (versjon %(version)s).") % {"version": document.version}
        )
    return redirect(here)


@council_or_staff_required
def meeting_document_download(request, pk):
    """The meeting's agenda or minutes: KS and the council. The applicants get the minutes as a
    letter (invoicing's document download)."""
    document = get_object_or_404(MeetingDocument.objects.select_related("meeting"), pk=pk)
    if not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type="application/pdf",
    )


@council_or_staff_required
def council_item(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting", "proposal", "proposal__lead_member"), pk=pk
    )
    user = request.user
    proposal = item.proposal
    criteria = list(ScoringCriterion.objects.filter(active=True))
    mine = {s.criterion_id: (s.value, s.comment) for s in item.scores.filter(member=user)}
    recused = selectors.is_recused(item=item, user=user)
    conflict = selectors.has_declared_conflict(item=item, user=user)
    may_score = user.is_council and not recused and not conflict and not item.meeting.is_closed
    score_form = ScoreForm(criteria=criteria, initial_scores=mine) if may_score else None
    outcome_form = None
    chair_recused = False
    if user.is_council and not item.outcome and not item.meeting.is_closed:
        may_record, _why = selectors.may_record_outcome(item=item, user=user)
        if may_record:
            outcome_form = OutcomeForm()
        else:
            chair_recused = user.is_council_chair and (recused or conflict)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "score" and user.is_council:
                score_form = ScoreForm(request.POST, criteria=criteria, initial_scores=mine)
                if not score_form.is_valid():
                    raise ProposalError(_("Gi poeng 1–5 på alle kriteriene."))
                score_record(item=item, values=score_form.values(), actor=user)
                messages.success(request, _("Poengene er lagret."))
            elif action == "conflict" and user.is_council:
                form = ConflictForm(request.POST)
                if not form.is_valid():
                    raise ProposalError(_("Begrunnelse må fylles ut."))
                conflict_declare(item=item, reason=form.cleaned_data["reason"], actor=user)
                messages.success(request, _("Inhabiliteten er registrert."))
            elif action == "outcome" and user.is_council:
                form = OutcomeForm(request.POST)
                if not form.is_valid():
                    raise ProposalError(_("Velg konklusjon og skriv protokolltekst."))
                outcome_record(item=item, actor=user, **form.cleaned_data)
                messages.success(request, _("Konklusjonen er ført."))
            else:
                raise PermissionDenied
        except ProposalError as exc:
            messages.error(request, str(exc))
        return redirect("projects:council_item", pk=item.pk)
    others = []
    if selectors.can_see_scores(item=item, user=user):
        others = item.scores.select_related("member", "criterion").order_by(
            "member__last_name", "criterion__order"
        )
    return render(
        request,
        "projects/council_item.html",
        {
            "item": item,
            "proposal": proposal,
            "sections": _sections_with_values(proposal),
            "npv": selectors.proposal_npv(proposal=proposal),
            "funding": selectors.proposal_funding(proposal=proposal),
            "applicants": selectors.applicant_statuses(proposal=proposal),
            "answers": proposal.qualification_answers.select_related("criterion"),
            "ranking": selectors.item_ranking(item=item)
            if selectors.can_see_scores(item=item, user=user)
            else None,
            "scores": others,
            "recused": recused,
            "conflict": conflict,
            "score_form": score_form,
            "conflict_form": ConflictForm()
            if user.is_council and not recused and not conflict
            else None,
            "outcome_form": outcome_form,
            "chair_recused": chair_recused,
            "as_deputy": outcome_form is not None and not user.is_council_chair,
            "quorum": selectors.quorum(item=item),
            "available": selectors.available_capital(),
        },
    )


@ks_staff_required
def decision(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    if proposal.status != ProposalStatus.PRIORITISED:
        messages.error(request, _("Bare forslag prioritert av rådet kan besluttes."))
        return redirect("projects:qualification", pk=proposal.pk)
    # Each form has its own prefix, so their fields never share an id (both have a `comment`).
    declining = request.method == "POST" and request.POST.get("action") == "decline"
    posted = request.POST if request.method == "POST" else None
    form = ApproveForm(None if declining else posted, proposal=proposal, prefix="approve")
    decline_form = DecisionForm(posted if declining else None, prefix="decline")
    if request.method == "POST":
        if declining:
            comment = decline_form.cleaned_data["comment"] if decline_form.is_valid() else ""
            try:
                perform_transition(
                    proposal=proposal, name="decline", actor=request.user, comment=comment
                )
            except TransitionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Forslaget er avslått."))
                return redirect("projects:portfolio")
        elif form.is_valid():
            try:
                project = project_approve(
                    proposal=proposal,
                    budget=form.budget(),
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except ProposalError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Innvilget. Prosjektet er lagt i porteføljen."))
                return redirect("projects:project_detail", pk=project.pk)
    return render(
        request,
        "projects/decision.html",
        {
            "proposal": proposal,
            "form": form,
            "decline_form": decline_form,
            "available": selectors.available_capital(),
            "funding": selectors.proposal_funding(proposal=proposal),
            "npv": selectors.proposal_npv(proposal=proposal),
            "prioritised_queue": Proposal.objects.filter(status=ProposalStatus.PRIORITISED),
        },
    )


@portfolio_reader_required
def portfolio(request):
    return render(
        request,
        "projects/portfolio.html",
        {
            "rows": selectors.portfolio(user=request.user),
            "available": selectors.available_capital() if request.user.is_ks_staff else None,
            "committed": selectors.committed_unspent_grants() if request.user.is_ks_staff else None,
            "prioritised": Proposal.objects.filter(status=ProposalStatus.PRIORITISED)
            if request.user.is_ks_staff
            else [],
        },
    )


@dataclass(frozen=True)
class ProjectAction:
    """One of the project page's POST actions: who may, which form, which service."""

    allowed: Callable
    form: type
    service: Callable
    invalid: str
    done: str
    takes_project: bool = False  # the form is built with the project (e.g. its milestones)


def _payment_request(project, payment_request: int) -> PaymentRequest:
    found = project.payment_requests.filter(pk=payment_request).first()
    if found is None:
        raise ProposalError(_("Anmodningen finnes ikke i dette prosjektet."))
    return found


def _request_submit(*, project, actor, milestones, attachment, **data):
    costs = {category: data.pop(name) for name, category in COST_FIELDS.items()}
    return payment_request_submit(
        project=project,
        actor=actor,
        costs=costs,
        milestones=milestones,
        attachment=attachment,
        **data,
    )


def _request_approve(*, project, actor, payment_request: int, paid_on):
    request = _payment_request(project, payment_request)
    return payment_request_approve(request=request, paid_on=paid_on, actor=actor)


def _request_return(*, project, actor, payment_request: int, reason: str):
    request = _payment_request(project, payment_request)
    return payment_request_return(request=request, reason=reason, actor=actor)


def _benefit_report(*, project, actor, year: int, comment: str, **data):
    realised = {name.removeprefix("realised_"): value for name, value in data.items()}
    return benefit_report_submit(
        project=project, year=year, realised=realised, comment=comment, actor=actor
    )


PROJECT_ACTIONS = {
    # KS's manual disbursement form became the approval of a payment request (issue 18 §4).
    "approve_request": ProjectAction(
        lambda u: u.is_ks_staff,
        ApproveRequestForm,
        _request_approve,
        gettext_lazy("Oppgi utbetalt dato."),
        gettext_lazy("Anmodningen er godkjent og utbetalingen er bokført."),
    ),
    "return_request": ProjectAction(
        lambda u: u.is_ks_staff,
        ReturnRequestForm,
        _request_return,
        gettext_lazy("Skriv en begrunnelse."),
        gettext_lazy("Anmodningen er returnert til kommunen."),
    ),
    "milestone": ProjectAction(
        lambda u: u.is_ks_staff,
        MilestoneForm,
        milestone_add,
        gettext_lazy("Oppgi milepæl og frist."),
        gettext_lazy("Milepælen er lagt inn."),
    ),
    "close": ProjectAction(
        lambda u: u.is_ks_staff,
        CloseForm,
        project_close,
        gettext_lazy("Velg status og skriv et notat."),
        gettext_lazy("Prosjektet er avsluttet."),
    ),
    "report": ProjectAction(
        lambda u: u.is_municipal,
        StatusReportForm,
        status_report_submit,
        gettext_lazy("Fyll ut statusrapporten."),
        gettext_lazy("Statusrapporten er sendt."),
    ),
    "payment_request": ProjectAction(
        lambda u: u.is_municipal,
        PaymentRequestForm,
        _request_submit,
        gettext_lazy("Utbetalingsanmodningen er ikke sendt."),
        gettext_lazy("Utbetalingsanmodningen er sendt til KS."),
        takes_project=True,
    ),
    "final_report": ProjectAction(
        lambda u: u.is_municipal,
        FinalReportForm,
        final_report_submit,
        gettext_lazy("Sluttrapporten er ikke sendt."),
        gettext_lazy("Sluttrapporten er sendt til KS."),
    ),
    "benefit_report": ProjectAction(
        lambda u: u.is_municipal,
        BenefitReportForm,
        _benefit_report,
        gettext_lazy("Gevinstrapporten er ikke sendt."),
        gettext_lazy("Gevinstrapporten er sendt."),
    ),
}


@portfolio_reader_required
def project_detail(request, pk):
    project = get_object_or_404(
        selectors.projects_visible_to(request.user).select_related("grant", "final_report"), pk=pk
    )
    user = request.user
    if request.method == "POST":
        action = PROJECT_ACTIONS.get(request.POST.get("action"))
        if action is None or not action.allowed(user):
            raise PermissionDenied
        here = reverse("projects:project_detail", args=[project.pk])
        try:
            extra = {"project": project} if action.takes_project else {}
            form = action.form(request.POST, request.FILES, **extra)
            if not form.is_valid():  # the field and the rule it breaks are named (issue 16, 18)
                errors = [
                    f"{form.fields[name].label}: {e}" if name in form.fields else str(e)
                    for name, field_errors in form.errors.items()
                    for e in field_errors
                ]
                raise ProposalError(" ".join([str(action.invalid), *errors]))
            with consume_once(request, f"projects.project.{request.POST['action']}") as once:
                action.service(project=project, actor=user, **form.cleaned_data)
                once.result_url = here
            messages.success(request, action.done)
        except ProposalError as exc:
            messages.error(request, str(exc))
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=here)
        return redirect(here)
    version = ledger_version()  # one look-up for the project's cached ledger figures
    disbursed = selectors.project_disbursed(project=project, version=version)
    recovered = selectors.project_recovered(project=project, version=version)

    entries = LedgerEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(Project), subject_id=project.pk
    ).order_by("occurred_on", "id")
    is_responsible = user.is_municipal and user.organisation_id == project.responsible_id
    active = project.status == Project.Status.ACTIVE
    followup = selectors.project_followup(project=project, user=user, disbursed=disbursed)
    final_report = followup.final_report
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "grant": selectors.grant_of(project=project),
            "disbursed": disbursed,
            "remaining": project.granted - disbursed,
            "recovered": recovered,
            "recovery_gap": max(disbursed - recovered, Decimal("0.00")),
            "entries": entries,
            "followup": followup,
            "request_form": PaymentRequestForm(project=project) if followup.may_request else None,
            "final_report_form": FinalReportForm(
                initial={f: getattr(final_report, f) for f in FINAL_REPORT_FIELDS}
                if final_report
                else None
            )
            if followup.may_report_final
            else None,
            "benefit_form": BenefitReportForm(initial={"year": followup.benefit_years_due[0]})
            if followup.benefit_years_due
            else None,
            "decide_requests": user.is_ks_staff and active,
            "today": datetime.date.today(),
            "milestone_form": MilestoneForm() if user.is_ks_staff and active else None,
            "close_form": CloseForm() if user.is_ks_staff and active else None,
            "report_form": StatusReportForm() if is_responsible and active else None,
        },
    )


@portfolio_reader_required
def payment_attachment(request, pk):
    """A payment request's attachment (e.g. the accounts), for whoever sees the project; always
    a download with the detected type, as proposals' attachments."""
    visible = selectors.projects_visible_to(request.user).values("pk")
    payment_request = get_object_or_404(PaymentRequest, pk=pk, project__in=visible)
    if not payment_request.attachment:
        raise Http404
    try:
        handle = payment_request.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=payment_request.attachment_name,
        content_type=payment_request.attachment_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
