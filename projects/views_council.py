"""Views for KommIT-rådet, KS' decision and the portfolio (issue 5)."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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

from . import selectors
from .forms import (
    AgendaAddForm,
    ApproveForm,
    CloseForm,
    ConflictForm,
    DecisionForm,
    DisbursementForm,
    MeetingForm,
    MilestoneForm,
    OutcomeForm,
    ScoreForm,
    StatusReportForm,
)
from .models import AgendaItem, CouncilMeeting, Project, Proposal, ProposalStatus, ScoringCriterion
from .services.council import (
    agenda_add,
    conflict_declare,
    meeting_close,
    meeting_create,
    outcome_record,
    score_record,
)
from .services.portfolio import (
    disbursement_record,
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


@council_or_staff_required
@require_POST
def meeting_close_view(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    try:
        meeting_close(meeting=meeting, actor=request.user)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Møtet er lukket; alle poeng er nå synlige."))
    return redirect(f"{_queue_url()}?mote={meeting.pk}")


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


PROJECT_ACTIONS = {
    "disburse": ProjectAction(
        lambda u: u.is_ks_staff,
        DisbursementForm,
        disbursement_record,
        gettext_lazy("Oppgi beløp og dato."),
        gettext_lazy("Utbetalingen er bokført."),
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
}


@portfolio_reader_required
def project_detail(request, pk):
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    user = request.user
    if request.method == "POST":
        action = PROJECT_ACTIONS.get(request.POST.get("action"))
        if action is None or not action.allowed(user):
            raise PermissionDenied
        here = reverse("projects:project_detail", args=[project.pk])
        try:
            # Each action's form is prefixed with its name: `note` appears in two of them.
            form = action.form(request.POST, prefix=request.POST["action"])
            if not form.is_valid():  # the rule a field breaks is named (issue 16)
                errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
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
    disbursed = selectors.project_disbursed(project=project)
    recovered = selectors.project_recovered(project=project)

    entries = LedgerEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(Project), subject_id=project.pk
    ).order_by("occurred_on", "id")
    is_responsible = user.is_municipal and user.organisation_id == project.responsible_id
    active = project.status == Project.Status.ACTIVE
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "disbursed": disbursed,
            "remaining": project.granted - disbursed,
            "recovered": recovered,
            "recovery_gap": max(disbursed - recovered, Decimal("0.00")),
            "entries": entries,
            "disburse_form": DisbursementForm(prefix="disburse")
            if user.is_ks_staff and active
            else None,
            "milestone_form": MilestoneForm(prefix="milestone")
            if user.is_ks_staff and active
            else None,
            "close_form": CloseForm(prefix="close") if user.is_ks_staff and active else None,
            "report_form": StatusReportForm(prefix="report") if is_responsible and active else None,
        },
    )
