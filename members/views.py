import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import ks_staff_required, municipal_required
from core.bounds import object_id
from fund.selectors import (
    ledger_version,
    matching_condition,
    member_pledges,
    paid_in_by_source,
)

from .exports import contribution_table_csv, contribution_table_xlsx
from .forms import ConfirmParticipationForm, EmailConfirmationForm, EmailDeclineForm
from .invitations import invitation_plan, invitations_send
from .models import Member, Participation, ParticipationCorrespondence, RegisterRefresh
from .register import (
    RefreshNotReady,
    field_label,
    refresh_targets,
    register_refresh_apply,
    register_refresh_start,
    shown,
)
from .selectors import (
    STRUCTURE_DATES,
    capital_sources,
    effective_participation,
    effective_participations,
    member_list,
    member_payments,
)
from .services import (
    ParticipationError,
    participation_confirm,
    participation_for_member,
    participation_record_email,
)
from .workflow import TRANSITIONS


def _organisation_context(member: Member) -> dict:
    effective = effective_participation(member=member)
    return {
        "member": member,
        "effective": effective,
        "participation": effective.own,
        "payments": member_payments(member=member),
        "can_confirm": member.kind != Member.Kind.KS and not effective.is_participant,
    }


@municipal_required
def my_organisation(request):
    """The municipal user's own organisation: basis, share, status and payments. Only its own:
    the organisation comes from the user, never from the URL."""
    context = _organisation_context(request.user.organisation)
    if context["can_confirm"]:
        context["form"] = ConfirmParticipationForm()
    return render(request, "members/my_organisation.html", context)


@municipal_required
@require_POST
def confirm_participation(request):
    member = request.user.organisation
    context = _organisation_context(member)
    if not context["can_confirm"]:
        messages.info(request, _("Organisasjonen deltar allerede i ordningen."))
        return redirect("members:my_organisation")
    form = ConfirmParticipationForm(request.POST)
    if form.is_valid():
        participation = participation_for_member(member=member, actor=request.user)
        try:
            participation_confirm(
                participation=participation, actor=request.user, **form.cleaned_data
            )
        except ParticipationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Deltakelsen er bekreftet. KS sender faktura på andelen."),
            )
            return redirect("members:my_organisation")
    context["form"] = form
    return render(request, "members/my_organisation.html", context, status=400)


@ks_staff_required
def staff_member_list(request):
    structure = request.GET.get("struktur") or "2024"
    if structure not in STRUCTURE_DATES:
        structure = "2024"
    kind = request.GET.get("type") or None
    if kind not in (None, Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE):
        kind = None
    status = request.GET.get("status") or ""
    search = request.GET.get("q", "").strip()
    qs = member_list(kind=kind, search=search, on=STRUCTURE_DATES[structure]).exclude(
        kind=Member.Kind.KS
    )
    members = list(qs)
    if status == "none" or status in Participation.Status.values:
        # Filtering by status needs every member's effective participation (merges included).
        effective = effective_participations(members=members)
        wanted = None if status == "none" else status
        rows = [(m, effective[m.pk]) for m in members if effective[m.pk].status == wanted]
        page = Paginator(rows, 50).get_page(request.GET.get("side"))
    else:
        # Unfiltered: the effective participation of the page's members only.
        page = Paginator(members, 50).get_page(request.GET.get("side"))
        effective = effective_participations(members=page.object_list)
        page.object_list = [(m, effective[m.pk]) for m in page.object_list]
        rows = members
    version = ledger_version()
    return render(
        request,
        "members/staff_member_list.html",
        {
            "page": page,
            "kind": kind or "",
            "search": search,
            "status": status,
            "structure": structure,
            "structures": sorted(STRUCTURE_DATES),
            "statuses": Participation.Status.choices,
            "total": len(rows),
            "matching": matching_condition(paid=paid_in_by_source(version=version)),
            "capital": capital_sources(version=version),
            "pledges": member_pledges(),
        },
    )


# The two answers KS records from an e-mail: URL slug → (kind, form, transition, prefix).
EMAIL_ANSWERS = {
    "bekreftelse": (
        ParticipationCorrespondence.Kind.CONFIRMATION,
        EmailConfirmationForm,
        "confirm",
    ),
    "avslag": (ParticipationCorrespondence.Kind.DECLINE, EmailDeclineForm, "decline"),
}


def _email_answer_allowed(member: Member, effective, transition: str) -> bool:
    """Whether the member's own participation (or none yet: it starts as invited) may take
    the transition. A member that is a participant only through a predecessor has nothing to
    confirm."""
    if member.kind == Member.Kind.KS:
        return False
    own = effective.own
    status = own.status if own is not None else Participation.Status.INVITED
    if own is None and effective.is_participant:
        return False
    return status in TRANSITIONS[transition].sources


def _staff_detail_context(member: Member, forms: dict | None = None) -> dict:
    context = _organisation_context(member)
    context["events"] = [
        e for p in context["effective"].participations for e in p.events.select_related("actor")
    ]
    context["predecessors"] = member.predecessor_links.select_related("predecessor")
    context["successors"] = member.successor_links.select_related("successor")
    context["correspondence"] = ParticipationCorrespondence.objects.filter(
        participation__member=member
    ).select_related("recorded_by")
    answer_forms = []
    for slug, (kind, form_class, transition) in EMAIL_ANSWERS.items():
        if not _email_answer_allowed(member, context["effective"], transition):
            continue
        form = (forms or {}).get(slug) or form_class(
            prefix=slug, initial={"submission_key": uuid.uuid4()}
        )
        answer_forms.append((slug, kind, form))
    context["answer_forms"] = answer_forms
    return context


@ks_staff_required
def staff_member_detail(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    return render(request, "members/staff_member_detail.html", _staff_detail_context(member))


@ks_staff_required
@require_POST
def record_email_answer(request, pk: int, answer: str):
    """KS records a confirmation or a decline that came by e-mail, with its document."""
    member = get_object_or_404(Member, pk=pk)
    if answer not in EMAIL_ANSWERS:
        raise Http404
    kind, form_class, _transition = EMAIL_ANSWERS[answer]
    form = form_class(request.POST, request.FILES, prefix=answer)
    if form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("document")
        try:
            _record, created = participation_record_email(
                member=member, kind=kind, upload=upload, actor=request.user, **data
            )
        except ParticipationError as exc:
            form.add_error(None, str(exc))
        else:
            if not created:
                messages.info(request, _("Svaret var allerede registrert. Ingenting er endret."))
            elif kind == ParticipationCorrespondence.Kind.CONFIRMATION:
                messages.success(request, _("Bekreftelsen er registrert. Andelen kan faktureres."))
            else:
                messages.success(request, _("Avslaget er registrert."))
            return redirect("members:staff_member_detail", pk=member.pk)
    context = _staff_detail_context(member, forms={answer: form})
    return render(request, "members/staff_member_detail.html", context, status=400)


@ks_staff_required
def correspondence_download(request, pk: int):
    """The document of a recorded e-mail answer: always a download, with the detected type."""
    record = get_object_or_404(ParticipationCorrespondence, pk=pk)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=record.original_name,
        content_type=record.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@ks_staff_required
def invitations_confirm(request):
    """Who will get an invitation letter, how many, and who will not and why; the button sends
    to exactly the members listed."""
    plan = invitation_plan()
    return render(request, "members/invitations_confirm.html", {"plan": plan})


def _refused_invitations(member_ids) -> str:
    """The invitation rule, naming the members it left out and why (e.g. «Bergen: Betalt»)."""
    plan = invitation_plan(member_ids=member_ids)
    names = [
        f"{m.name} ({e.status_display or _('allerede invitert')})"
        for m, e in [*plan.participants, *plan.declined, *plan.already_invited]
    ]
    if not names:
        return ""
    return _(
        "Regelen om invitasjoner: bare medlemmer som ikke deltar og ikke har svart eller fått "
        "brev, får invitasjonsbrev. Ikke sendt til: %(names)s."
    ) % {"names": ", ".join(names)}


@ks_staff_required
@require_POST
def invitations_send_view(request):
    ids = (object_id(value) for value in request.POST.getlist("members"))
    listed = [pk for pk in ids if pk is not None]
    if not listed:
        messages.error(request, _("Ingen mottakere var valgt."))
        return redirect("members:invitations_confirm")
    job, targets = invitations_send(member_ids=listed, actor=request.user)
    refused = _refused_invitations(set(listed) - set(targets))
    if job is None:
        messages.error(
            request,
            _("Ingen invitasjonsbrev sendt: alle på listen er allerede invitert eller har svart.")
            + " "
            + refused,
        )
        return redirect("members:invitations_confirm")
    left_out = len(set(listed)) - len(targets)
    messages.success(
        request,
        ngettext(
            "%(count)s invitasjonsbrev sendes.",
            "%(count)s invitasjonsbrev sendes.",
            len(targets),
        )
        % {"count": len(targets)},
    )
    if left_out:
        messages.info(
            request,
            ngettext(
                "%(count)s på listen hadde svart eller fått brev i mellomtiden og får ikke brev.",
                "%(count)s på listen hadde svart eller fått brev i mellomtiden og får ikke brev.",
                left_out,
            )
            % {"count": left_out}
            + " "
            + refused,
        )
    return redirect("invoicing:job_detail", pk=job.pk)


@ks_staff_required
def contribution_table_export(request, structure: str, fmt: str):
    if structure not in STRUCTURE_DATES or fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"andeler-{structure}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            contribution_table_csv(structure=structure), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            contribution_table_xlsx(structure=structure),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Enhetsregisteret ---------------------------------------------------------------------------


@ks_staff_required
def register_refresh_list(request):
    """KS's look-ups in Enhetsregisteret, newest first, and the button to start one."""
    refreshes = RegisterRefresh.objects.select_related("created_by", "applied_by")
    page = Paginator(refreshes, 20).get_page(request.GET.get("side"))
    return render(
        request,
        "members/register_refresh_list.html",
        {"page": page, "targets": refresh_targets().count()},
    )


@ks_staff_required
@require_POST
def register_refresh_start_view(request):
    try:
        with consume_once(request, "members.register_refresh_start") as once:
            refresh = register_refresh_start(actor=request.user)
            once.result_url = reverse("members:register_refresh_detail", args=[refresh.pk])
    except OnceRefused as exc:
        return once_refused_response(
            request, exc, fallback_url=reverse("members:register_refresh_list")
        )
    return redirect("members:register_refresh_detail", pk=refresh.pk)


def _refresh_rows(changes: list[dict]) -> list[dict]:
    return [
        {
            **change,
            "fields": [
                {"label": field_label(f), "old": shown(f, old), "new": shown(f, new)}
                for f, old, new in change["fields"]
            ],
        }
        for change in changes
    ]


@ks_staff_required
def register_refresh_detail(request, pk: int):
    """The differences one look-up found (member, field, old, new), the members it could not
    refresh and why; the button applies exactly these differences."""
    refresh = get_object_or_404(RegisterRefresh, pk=pk)
    # The first look-up fills every member (hundreds of rows): 50 members a page.
    page = Paginator(refresh.changes, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "members/register_refresh_detail.html",
        {"refresh": refresh, "page": page, "rows": _refresh_rows(page.object_list)},
    )


@ks_staff_required
@require_POST
def register_refresh_apply_view(request, pk: int):
    refresh = get_object_or_404(RegisterRefresh, pk=pk)
    fallback = reverse("members:register_refresh_detail", args=[refresh.pk])
    try:
        with consume_once(request, "members.register_refresh_apply") as once:
            refresh = register_refresh_apply(refresh=refresh, actor=request.user)
            once.result_url = fallback
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=fallback)
    except RefreshNotReady as exc:
        messages.error(request, str(exc))
        return redirect(fallback)
    applied = len(refresh.changes) - len(refresh.skipped)
    messages.success(
        request,
        ngettext(
            "Endringene er lagret for %(count)s medlem.",
            "Endringene er lagret for %(count)s medlemmer.",
            applied,
        )
        % {"count": applied},
    )
    if refresh.skipped:
        messages.warning(
            request,
            _("%(count)s medlemmer var endret etter hentingen og ble ikke oppdatert.")
            % {"count": len(refresh.skipped)},
        )
    return redirect(fallback)
