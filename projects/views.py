"""Views: check the role, find the object among those the user may see (else 404), call one
service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import (
    ks_staff_required,
    municipal_or_staff_required,
    municipal_required,
)
from core.exports import csv_response
from core.money import format_nok

from . import selectors
from .forms import (
    AttachmentForm,
    BenefitFormSet,
    ChecklistAnswerForm,
    ContactFormSet,
    CostFormSet,
    DecisionForm,
    ProposalCreateForm,
    ProposalForm,
    StaffFilterForm,
    formset_rows,
)
from .models import SECTIONS, Attachment, BenefitYear, ContactPerson, CostYear, Proposal
from .services.proposals import (
    ProposalError,
    attachment_add,
    attachment_delete,
    can_edit,
    coapplicant_confirm,
    is_ks_proposal,
    proposal_create,
    proposal_save_draft,
    submit_problems,
)
from .services.qualification import qualification_record_answers
from .services.workflow import (
    TRANSITIONS,
    TransitionError,
    available_transitions,
    perform_transition,
)

PART_LEGENDS = [
    ("forslag", gettext_lazy("Prosjektforslag (Digdirs mal, ni deler)")),
    ("begrunnelse", gettext_lazy("Prosjektbegrunnelse (seks deler)")),
    ("digifin", gettext_lazy("DigiFins tillegg")),
]


PAGE_SIZE = 50  # proposals a page in the lists
MY_PROPOSALS_COLUMNS = (
    "title",
    "reference",
    "status",
    "updated_at",
    "lead_member_id",
    "company_kind",
    "company_name",
    "lead_member__name",
)
QUEUE_SHOWN = 20  # the oldest submitted proposals shown beside the KS list; the rest via filter


def _visible(request, pk) -> Proposal:
    return get_object_or_404(selectors.proposals_visible_to(request.user), pk=pk)


def _writer_side(request, proposal: Proposal) -> Proposal:
    """The views that write a draft are for the applicant's side: KS staff reach them only for
    proposals where KS is the formal applicant (elsewhere KS qualifies, never writes)."""
    if request.user.is_ks_staff and not request.user.is_municipal and not is_ks_proposal(proposal):
        raise PermissionDenied
    return proposal


@municipal_required
def my_proposals(request):
    # The columns the list shows, nothing more: a page of 50 rows builds 50 proposals and
    # their lead members (issue 22).
    proposals = (
        selectors.proposals_visible_to(request.user)
        .select_related(None)
        .select_related("lead_member")
        .only(*MY_PROPOSALS_COLUMNS)
        .order_by("-updated_at", "-id")
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "projects/my_proposals.html", {"page": page})


@municipal_or_staff_required
def proposal_create_view(request):
    """A municipal user's organisation, or for KS staff KS itself, is the formal applicant."""
    form = ProposalCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with consume_once(request, "projects.proposal_create") as once:
                proposal = proposal_create(title=form.cleaned_data["title"], actor=request.user)
                once.result_url = reverse("projects:proposal_edit", args=[proposal.pk])
        except ProposalError as exc:
            form.add_error(None, str(exc))
        except OnceRefused as exc:
            return once_refused_response(
                request, exc, fallback_url=reverse("projects:my_proposals")
            )
        else:
            messages.success(
                request, _("Utkastet er opprettet. Du kan lagre og fortsette når som helst.")
            )
            return redirect("projects:proposal_edit", pk=proposal.pk)
    return render(
        request,
        "projects/proposal_create.html",
        {"form": form, "ks_applicant": not request.user.is_municipal},
    )


def _sections_with_values(proposal):
    return [
        {"name": name, "label": label, "value": getattr(proposal, name), "part": part}
        for name, label, _help, part in SECTIONS
    ]


@municipal_or_staff_required
def proposal_detail(request, pk):
    proposal = get_object_or_404(
        selectors.with_details(selectors.proposals_visible_to(request.user)), pk=pk
    )
    user = request.user
    co_row = None
    if user.is_municipal:
        co_row = next(
            (c for c in proposal.co_applicants.all() if c.member_id == user.organisation_id), None
        )
    editable = can_edit(proposal=proposal, user=user)[0]
    applicants = selectors.applicant_statuses(proposal=proposal)
    problems = submit_problems(proposal=proposal, applicants=applicants) if editable else []
    # can_edit is the submit transition's who and from-states, and its one condition
    # (ready_to_submit) is "no problems": checked once here, not again through the table.
    actions = [(TRANSITIONS["submit"], not problems, "")] if editable else []
    transitions = list(proposal.transitions.all())
    context = {
        "proposal": proposal,
        "sections": _sections_with_values(proposal),
        "npv": selectors.proposal_npv(proposal=proposal),
        "funding": selectors.proposal_funding(proposal=proposal),
        "applicants": applicants,
        "transitions": transitions,
        "last_transition": transitions[-1] if transitions else None,
        "actions": actions,
        "can_edit": editable,
        "co_row": co_row,
        "problems": problems,
        "snapshots": proposal.snapshots.all(),
    }
    return render(request, "projects/proposal_detail.html", context)


@municipal_or_staff_required
def proposal_edit(request, pk):
    proposal = _writer_side(request, _visible(request, pk))
    allowed, reason = can_edit(proposal=proposal, user=request.user)
    if not allowed:
        messages.error(request, reason)
        return redirect("projects:proposal_detail", pk=proposal.pk)
    data = request.POST if request.method == "POST" else None
    form = ProposalForm(data, instance=proposal)
    costs = CostFormSet(data, queryset=CostYear.objects.filter(proposal=proposal), prefix="cost")
    benefits = BenefitFormSet(
        data, queryset=BenefitYear.objects.filter(proposal=proposal), prefix="benefit"
    )
    contacts = ContactFormSet(
        data, queryset=ContactPerson.objects.filter(proposal=proposal), prefix="contact"
    )
    if request.method == "POST":
        if all([form.is_valid(), costs.is_valid(), benefits.is_valid(), contacts.is_valid()]):
            fields = {k: v for k, v in form.cleaned_data.items() if k != "co_applicants"}
            try:
                proposal_save_draft(
                    proposal=proposal,
                    fields=fields,
                    co_applicant_members=list(form.cleaned_data["co_applicants"]),
                    cost_rows=formset_rows(costs),
                    benefit_rows=formset_rows(benefits),
                    contact_rows=formset_rows(contacts),
                    actor=request.user,
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Utkastet er lagret."))
                if "save_and_view" in request.POST:
                    return redirect("projects:proposal_detail", pk=proposal.pk)
                return redirect("projects:proposal_edit", pk=proposal.pk)
        messages.error(request, _("Utkastet ble ikke lagret. Rett feilene under."))
    proposal.refresh_from_db()
    context = {
        "proposal": proposal,
        "form": form,
        "costs": costs,
        "benefits": benefits,
        "contacts": contacts,
        "npv": selectors.proposal_npv(proposal=proposal),
        "funding": selectors.proposal_funding(proposal=proposal),
        "attachment_form": AttachmentForm(),
        "parts": [
            (legend, [form[name] for name, _l, _h, part in SECTIONS if part == key])
            for key, legend in PART_LEGENDS
        ],
    }
    return render(request, "projects/proposal_edit.html", context)


@municipal_or_staff_required
@require_POST
def attachment_upload(request, pk):
    proposal = _writer_side(request, _visible(request, pk))
    here = reverse("projects:proposal_edit", args=[proposal.pk]) + "#vedlegg"
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with consume_once(request, "projects.attachment_upload") as once:
                attachment_add(
                    proposal=proposal, upload=form.cleaned_data["file"], actor=request.user
                )
                once.result_url = here
        except ProposalError as exc:
            messages.error(request, str(exc))
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=here)
        else:
            messages.success(request, _("Vedlegget er lastet opp."))
    else:
        messages.error(request, _("Velg en fil å laste opp."))
    return redirect(here)


def _visible_attachment(request, pk) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("proposal"), pk=pk)
    if not selectors.proposals_visible_to(request.user).filter(pk=attachment.proposal_id).exists():
        raise Http404
    return attachment


@municipal_or_staff_required
def attachment_download(request, pk):
    """Always a download (Content-Disposition: attachment) with a safe name and the type that
    was detected from the content; never rendered inline."""
    attachment = _visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@municipal_or_staff_required
@require_POST
def attachment_delete_view(request, pk):
    attachment = _visible_attachment(request, pk)
    _writer_side(request, attachment.proposal)
    try:
        attachment_delete(attachment=attachment, actor=request.user)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Vedlegget er slettet."))
    return redirect(reverse("projects:proposal_edit", args=[attachment.proposal_id]) + "#vedlegg")


@municipal_required
@require_POST
def coapplicant_confirm_view(request, pk):
    proposal = _visible(request, pk)
    try:
        coapplicant_confirm(proposal=proposal, actor=request.user)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Organisasjonen din er bekreftet som medsøker."))
    return redirect("projects:proposal_detail", pk=proposal.pk)


@municipal_or_staff_required
@require_POST
def proposal_transition(request, pk, name):
    proposal = _visible(request, pk)
    comment = request.POST.get("comment", "")
    try:
        perform_transition(proposal=proposal, name=name, actor=request.user, comment=comment)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Forslaget har nå status «%(status)s».")
            % {"status": Proposal.objects.get(pk=proposal.pk).get_status_display()},
        )
    if request.user.is_ks_staff and name != "submit":
        return redirect("projects:qualification", pk=proposal.pk)
    return redirect("projects:proposal_detail", pk=proposal.pk)


@municipal_or_staff_required
def snapshot_detail(request, pk, version):
    proposal = _visible(request, pk)
    snapshot = get_object_or_404(proposal.snapshots, version=version)
    sections = [
        {"label": label, "value": snapshot.data.get("sections", {}).get(name, "")}
        for name, label, *_ in SECTIONS
    ]
    return render(
        request,
        "projects/snapshot_detail.html",
        {"proposal": proposal, "snapshot": snapshot, "sections": sections},
    )


def _staff_filtered(request):
    form = StaffFilterForm(request.GET or None)
    params = {"status": "", "applicant": "", "county": "", "year": "", "search": ""}
    if form.is_valid():
        data = form.cleaned_data
        params = {
            "status": data["status"] or "",
            "applicant": str(data["applicant"].pk) if data["applicant"] else "",
            "county": str(data["county"].pk) if data["county"] else "",
            "year": str(data["year"] or ""),
            "search": data["q"].strip(),
        }
    return form, selectors.proposal_staff_list(**params)


@ks_staff_required
def staff_list(request):
    form, qs = _staff_filtered(request)
    page = Paginator(selectors.for_listing(qs), PAGE_SIZE).get_page(request.GET.get("side"))
    queue = selectors.qualification_queue()
    shown = list(queue[:QUEUE_SHOWN])
    return render(
        request,
        "projects/staff_list.html",
        {
            "form": form,
            "page": page,
            "queue": shown,
            "queue_count": len(shown) if len(shown) < QUEUE_SHOWN else queue.count(),
            "query": request.GET.urlencode(),
        },
    )


@ks_staff_required
def staff_export(request):
    _form, qs = _staff_filtered(request)
    header = [
        _("saksnummer"),
        _("tittel"),
        _("søker"),
        _("fylke"),
        _("status"),
        _("opprettet"),
        _("sendt inn"),
        _("utviklingskostnader"),
        _("drift/FDVU"),
        _("omsøkt fra fondet"),
        _("netto nåverdi"),
    ]
    return csv_response("prosjektforslag.csv", header, _staff_export_rows(qs))


def _staff_export_rows(qs):
    for p in qs.prefetch_related("cost_years", "benefit_years"):
        funding = selectors.proposal_funding(proposal=p)
        npv = selectors.proposal_npv(proposal=p)
        county = p.lead_member.county.name if p.lead_member.county else ""
        yield [
            p.reference or "",
            p.title,
            p.formal_applicant_name,
            county,
            p.get_status_display(),
            f"{p.created_at:%d.%m.%Y}",
            f"{p.submitted_at:%d.%m.%Y}" if p.submitted_at else "",
            funding.development,
            funding.operating,
            funding.requested_from_fund,
            npv.npv,
        ]


@ks_staff_required
def qualification(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("lead_member"), pk=pk)
    criteria = list(selectors.active_criteria())
    existing = {a.criterion_id: a for a in proposal.qualification_answers.all()}
    data = request.POST if request.method == "POST" else None
    forms_ = [
        (
            c,
            ChecklistAnswerForm(
                data,
                prefix=f"c{c.pk}",
                initial={"answer": existing[c.pk].answer, "comment": existing[c.pk].comment}
                if c.pk in existing
                else None,
            ),
        )
        for c in criteria
    ]
    if request.method == "POST":
        if all(f.is_valid() for _c, f in forms_):
            try:
                with transaction.atomic():
                    qualification_record_answers(
                        proposal=proposal,
                        answers=[
                            (c, f.cleaned_data["answer"], f.cleaned_data["comment"])
                            for c, f in forms_
                        ],
                        actor=request.user,
                    )
            except ProposalError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Sjekklisten er lagret."))
                return redirect("projects:qualification", pk=proposal.pk)
        else:
            messages.error(request, _("Alle punktene i sjekklisten må vurderes."))
    funding = selectors.proposal_funding(proposal=proposal)
    context = {
        "proposal": proposal,
        "sections": _sections_with_values(proposal),
        "npv": selectors.proposal_npv(proposal=proposal),
        "funding": funding,
        "applicants": selectors.applicant_statuses(proposal=proposal),
        "checklist": forms_,
        "decision_form": DecisionForm(),
        "actions": available_transitions(proposal=proposal, user=request.user),
        "transitions": proposal.transitions.select_related("actor"),
        "fdvu_flag": funding.operating > 0,
        "fdvu_text": format_nok(funding.operating),
    }
    return render(request, "projects/qualification.html", context)
