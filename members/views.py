from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import ks_staff_required, municipal_required
from fund.selectors import commitments_vs_paid, matching_condition

from .exports import contribution_table_csv, contribution_table_xlsx
from .forms import ConfirmParticipationForm
from .models import Member, Participation
from .selectors import (
    STRUCTURE_DATES,
    effective_participation,
    effective_participations,
    member_list,
    member_payments,
)
from .services import ParticipationError, participation_confirm, participation_for_member


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
    effective = effective_participations(members=members)
    rows = [(m, effective[m.pk]) for m in members]
    if status == "none":
        rows = [r for r in rows if r[1].status is None]
    elif status in Participation.Status.values:
        rows = [r for r in rows if r[1].status == status]
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
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
            "matching": matching_condition(),
            "capital": commitments_vs_paid(),
        },
    )


@ks_staff_required
def staff_member_detail(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    context = _organisation_context(member)
    context["events"] = [
        e for p in context["effective"].participations for e in p.events.select_related("actor")
    ]
    context["predecessors"] = member.predecessor_links.select_related("predecessor")
    context["successors"] = member.successor_links.select_related("successor")
    return render(request, "members/staff_member_detail.html", context)


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
