"""Thin views: check the role, call one service or selector, render.

Municipal users see published solutions and only their own organisation's agreement; KS staff
see and manage everything."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import ks_staff_required, municipal_required
from core.money import format_nok
from invoicing.models import Invoice
from members.selectors import effective_participation

from . import selectors, services
from .forms import (
    AccessRequestForm,
    FdvuForm,
    PriceModelForm,
    RefundForm,
    RepaymentConfirmForm,
    RepaymentScenarioForm,
    SolutionForm,
)
from .models import AccessAgreement, FdvuPeriod, Solution
from .services import AccessError, Outcome, SolutionError

# --- municipal portal ------------------------------------------------------------------------


@municipal_required
def solution_list(request):
    member = request.user.organisation
    agreements = {a.solution_id: a for a in selectors.agreements_for_member(member=member)}
    rows = [
        {
            "solution": s,
            "agreement": agreements.get(s.pk),
            "fee": selectors.fee_for_or_none(solution=s, member=member),
        }
        for s in selectors.published_solutions()
    ]
    return render(request, "repayments/solution_list.html", {"rows": rows})


def _published_or_404(pk: int) -> Solution:
    return get_object_or_404(Solution, pk=pk, is_published=True)


def _participation(member):
    return effective_participation(member=member)


def _share_invoice(member):
    """The member's share invoice, to offer it to a participant that has not paid yet."""

    return (
        Invoice.objects.filter(
            buyer=member,
            kind=Invoice.Kind.MEMBER_SHARE,
            document_type=Invoice.DocumentType.INVOICE,
        )
        .order_by("-issued_on", "-pk")
        .first()
    )


@municipal_required
def solution_detail(request, pk: int, form=None):
    solution = _published_or_404(pk)
    member = request.user.organisation
    for_member_kind = member.kind in selectors.audience_kinds(solution)
    fdvu, fdvu_error = None, ""
    if for_member_kind:
        # The member's yearly FDVU part, shown before it accepts the terms (the ONE selector).
        fdvu, fdvu_error = selectors.fdvu_part_or_error(solution=solution, member=member)
    form = form or AccessRequestForm()
    if fdvu is not None:
        form.show_fdvu_amount(fdvu.amount)
    context = {
        "solution": solution,
        "agreement": selectors.agreement_for(solution=solution, member=member),
        "fee": selectors.fee_for_or_none(solution=solution, member=member),
        "fdvu": fdvu,
        "fdvu_error": fdvu_error,
        "participation": _participation(member),
        "form": form,
        "for_member_kind": for_member_kind,
        "share_invoice": _share_invoice(member),
    }
    return render(request, "repayments/solution_detail.html", context)


@require_POST
@municipal_required
def access_request(request, pk: int):
    solution = _published_or_404(pk)
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        return solution_detail(request, pk, form=form)
    try:
        decision = services.access_request(
            solution=solution,
            member=request.user.organisation,
            accept_fdvu_terms=form.cleaned_data["accept_fdvu_terms"],
            actor=request.user,
            fdvu_amount_seen=form.cleaned_data["fdvu_amount"],
        )
    except AccessError as exc:
        messages.error(request, str(exc))
        return redirect("repayments:solution_detail", pk=pk)
    if decision.outcome == Outcome.GRANTED:
        messages.success(
            request,
            _("Dere har fått tilgang. Tilknytningskostnaden på %(fee)s blir fakturert.")
            % {"fee": format_nok(decision.agreement.fee_amount)},
        )
    elif decision.outcome == Outcome.WAITING_FOR_SHARE:
        messages.warning(
            request,
            _(
                "Andelen til DigiFin er ikke betalt (%(owed)s utestående). Forespørselen er "
                "registrert og tilgangen gis når andelen er betalt."
            )
            % {"owed": format_nok(decision.owed_amount)},
        )
    elif decision.outcome == Outcome.NOT_PARTICIPANT:
        messages.error(
            request,
            _(
                "Bare deltakere i DigiFin kan ta i bruk løsningene. Ingenting er registrert. "
                "Se under for hvordan dere blir med."
            ),
        )
    else:
        messages.info(request, _("Dere har allerede en avtale om denne løsningen."))
    return redirect("repayments:solution_detail", pk=pk)


@require_POST
@municipal_required
def access_leave(request, pk: int):
    agreement = get_object_or_404(AccessAgreement, pk=pk, member=request.user.organisation)
    try:
        services.access_leave(
            agreement=agreement, left_on=datetime.date.today(), actor=request.user
        )
    except AccessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Avtalen er avsluttet. Dere deltar ikke i FDVU-kostnadene fra neste år."),
        )
    return redirect("repayments:solution_detail", pk=agreement.solution_id)


# --- KS staff --------------------------------------------------------------------------------


@ks_staff_required
def staff_solution_list(request):
    return render(
        request,
        "repayments/staff_solution_list.html",
        {"recoveries": selectors.recovery_overview()},
    )


@ks_staff_required
def staff_solution_form(request, pk: int | None = None):
    solution = get_object_or_404(Solution, pk=pk) if pk else None
    form = SolutionForm(request.POST or None, instance=solution or Solution())
    if request.method == "POST" and form.is_valid():
        try:
            if solution:
                solution = services.solution_update(
                    solution=solution, actor=request.user, **form.service_values()
                )
            else:
                solution = services.solution_create(actor=request.user, **form.service_values())
        except SolutionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Løsningen er lagret."))
            return redirect("repayments:staff_solution_detail", pk=solution.pk)
    return render(
        request, "repayments/staff_solution_form.html", {"form": form, "solution": solution}
    )


@ks_staff_required
def staff_solution_detail(request, pk: int):
    solution = get_object_or_404(Solution, pk=pk)
    context = {
        "solution": solution,
        "recovery": selectors.solution_recovery(solution=solution),
        "agreements": solution.agreements.select_related("member").order_by("member__name"),
        "periods": solution.fdvu_periods.all(),
        "fdvu_form": FdvuForm(),
        "refund_form": RefundForm(),
    }
    return render(request, "repayments/staff_solution_detail.html", context)


@ks_staff_required
def staff_price_model(request, pk: int):
    solution = get_object_or_404(Solution, pk=pk)
    price = getattr(solution, "price_model", None)
    form = PriceModelForm(request.POST or None, initial=PriceModelForm.initial_for(price))
    if request.method == "POST" and form.is_valid():
        try:
            services.price_model_set(
                solution=solution,
                kind=form.cleaned_data["kind"],
                parameters=form.cleaned_data["parameters"],
                actor=request.user,
            )
        except SolutionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Prismodellen er lagret. Se forhåndsvisningen."))
            return redirect("repayments:staff_price_preview", pk=pk)
    return render(
        request, "repayments/staff_price_model.html", {"form": form, "solution": solution}
    )


@ks_staff_required
def staff_price_preview(request, pk: int):
    solution = get_object_or_404(Solution, pk=pk)
    try:
        preview = selectors.price_preview(solution=solution)
    except services.pm.PriceModelError as exc:
        messages.error(request, str(exc))
        return redirect("repayments:staff_price_model", pk=pk)
    return render(
        request, "repayments/staff_price_preview.html", {"solution": solution, "preview": preview}
    )


@require_POST
@ks_staff_required
def staff_publish(request, pk: int):
    solution = get_object_or_404(Solution, pk=pk)
    try:
        services.solution_publish(solution=solution, actor=request.user)
    except SolutionError as exc:
        messages.error(request, str(exc))
        return redirect("repayments:staff_price_preview", pk=pk)
    messages.success(request, _("Løsningen er publisert i portalen."))
    return redirect("repayments:staff_solution_detail", pk=pk)


@require_POST
@ks_staff_required
def staff_fdvu_allocate(request, pk: int):
    solution = get_object_or_404(Solution, pk=pk)
    form = FdvuForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Oppgi et gyldig år."))
    else:
        try:
            services.fdvu_allocate(
                solution=solution, year=form.cleaned_data["year"], actor=request.user
            )
        except SolutionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("FDVU-kostnaden er fordelt."))
    return redirect("repayments:staff_solution_detail", pk=pk)


@require_POST
@ks_staff_required
def staff_fdvu_invoice(request, pk: int):
    period = get_object_or_404(FdvuPeriod, pk=pk)
    period = services.fdvu_invoice_request(period=period, actor=request.user)
    if period.status == FdvuPeriod.Status.INVOICED:
        messages.success(request, _("FDVU-andelene er fakturert."))
    else:
        messages.warning(
            request,
            _("Noen FDVU-andeler kunne ikke faktureres (mangler fakturareferanse). Prøv igjen."),
        )
    return redirect("repayments:staff_solution_detail", pk=period.solution_id)


@require_POST
@ks_staff_required
def staff_fee_invoice(request, pk: int):
    agreement = get_object_or_404(AccessAgreement, pk=pk)
    try:
        agreement = services.access_fee_invoice_request(agreement=agreement, actor=request.user)
    except AccessError as exc:
        messages.error(request, str(exc))
    else:
        if agreement.fee_status == AccessAgreement.FeeStatus.INVOICED:
            messages.success(request, _("Tilknytningskostnaden er fakturert."))
        else:
            last = agreement.events.filter(action="fee_invoice_failed").last()
            messages.error(
                request,
                _("Fakturaen kunne ikke lages: %(reason)s")
                % {"reason": last.note if last else agreement.get_fee_status_display()},
            )
    return redirect("repayments:staff_solution_detail", pk=agreement.solution_id)


@require_POST
@ks_staff_required
def staff_fee_refund(request, pk: int):
    agreement = get_object_or_404(AccessAgreement, pk=pk)
    form = RefundForm(request.POST)
    here = reverse("repayments:staff_solution_detail", args=[agreement.solution_id])
    if form.is_valid():
        try:
            with consume_once(request, "repayments.fee_refund") as once:
                services.access_fee_refund(
                    agreement=agreement, actor=request.user, **form.cleaned_data
                )
                once.result_url = here
        except (AccessError, ValueError) as exc:
            messages.error(request, str(exc))
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=here)
        else:
            messages.success(request, _("Refusjonen er bokført i fondet."))
    else:
        messages.error(request, _("Refusjonen er ikke registrert: kontroller feltene."))
    return redirect("repayments:staff_solution_detail", pk=agreement.solution_id)


@ks_staff_required
def staff_recovery(request):
    years, rows = selectors.recovery_by_year()
    return render(request, "repayments/staff_recovery.html", {"years": years, "rows": rows})


@ks_staff_required
def staff_capital_repayment(request):
    scenario, confirm_form = None, None
    if request.method == "POST":
        confirm_form = RepaymentConfirmForm(request.POST)
        if confirm_form.is_valid():
            try:
                services.capital_repayment_confirm(actor=request.user, **confirm_form.cleaned_data)
            except (SolutionError, ValueError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Tilbakebetalingen er bokført i fondet."))
                return redirect("repayments:staff_capital_repayment")
        form = RepaymentScenarioForm(request.POST)
    else:
        form = RepaymentScenarioForm(request.GET or None)
    if form.is_valid():
        scenario = selectors.repayment_scenario(amount=form.cleaned_data["amount"])
        if confirm_form is None or confirm_form.is_valid():
            confirm_form = RepaymentConfirmForm(
                initial={
                    "amount": scenario.amount,
                    "fingerprint": scenario.fingerprint,
                    "occurred_on": datetime.date.today(),
                }
            )
    return render(
        request,
        "repayments/staff_capital_repayment.html",
        {"form": form, "scenario": scenario, "confirm_form": confirm_form},
    )
