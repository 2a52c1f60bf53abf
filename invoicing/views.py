"""Views: check the role, call one service or selector, render. Files are served only here."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.once import OnceRefused, consume_once, once_refused_response
from accounts.permissions import ks_staff_required, municipal_or_staff_required

from . import batch, handlers, selectors, services
from .camt054 import import_camt054
from .forms import (
    BankFileForm,
    BatchStartForm,
    CreditForm,
    LetterPreviewForm,
    PaymentForm,
    ResolveForm,
)
from .models import BatchJob, Document, Invoice, Payment
from .tasks import batch_resume


@municipal_or_staff_required
def my_invoices(request):
    invoices = selectors.invoices_for(user=request.user)
    documents = selectors.documents_for(user=request.user).exclude(kind="invoice")
    page = Paginator(invoices, 25).get_page(request.GET.get("side"))
    return render(
        request,
        "invoicing/my_invoices.html",
        {"page": page, "documents": documents[:50]},
    )


@municipal_or_staff_required
def invoice_detail(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "payments": invoice.payments.all(),
        "balance": services.invoice_balance(invoice=invoice),
        "credit_notes": invoice.credit_notes.all(),
        "reminders": invoice.reminders.all(),
    }
    if request.user.is_ks_staff:
        context["payment_form"] = PaymentForm(initial={"paid_on": timezone.localdate()})
        context["credit_form"] = CreditForm()
    return render(request, "invoicing/invoice_detail.html", context)


def _file_response(field, filename: str, content_type: str):
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@municipal_or_staff_required
def invoice_pdf(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    if not invoice.pdf:
        invoice = services.invoice_render_files(invoice=invoice)
    return _file_response(invoice.pdf, f"{invoice.number}.pdf", "application/pdf")


@municipal_or_staff_required
def invoice_ehf(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    if not invoice.ehf_xml:
        invoice = services.invoice_render_files(invoice=invoice)
    return _file_response(invoice.ehf_xml, f"{invoice.number}.xml", "application/xml")


@municipal_or_staff_required
def document_download(request, pk: int):
    document = selectors.document_get(user=request.user, pk=pk)
    return _file_response(document.file, f"{document.title}.pdf", "application/pdf")


# --- KS staff -----------------------------------------------------------------------------------


@ks_staff_required
def staff_overview(request):
    invoices = selectors.invoices_for(user=request.user)
    status = request.GET.get("status", "")
    if status in Invoice.Status.values:
        invoices = invoices.filter(status=status)
    page = Paginator(invoices, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "invoicing/staff_overview.html",
        {
            "page": page,
            "status": status,
            "statuses": Invoice.Status.choices,
            "batch_form": BatchStartForm(),
            "bank_form": BankFileForm(),
            "jobs": selectors.recent_jobs(),
            "payments": selectors.payments_needing_attention()[:100],
            "emails": selectors.emails_needing_attention()[:50],
            "resolve_form": ResolveForm(),
        },
    )


@ks_staff_required
@require_POST
def batch_start(request):
    form = BatchStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ukjent massejobb."))
        return redirect("invoicing:staff_overview")
    try:
        with consume_once(request, "invoicing.batch_start") as once:
            job = batch.job_start(kind=form.cleaned_data["kind"], actor=request.user)
            if job is not None:
                once.result_url = reverse("invoicing:job_detail", args=[job.pk])
    except OnceRefused as exc:
        return once_refused_response(request, exc, fallback_url=reverse("invoicing:staff_overview"))
    if job is None:
        messages.info(request, _("Ingenting å gjøre: ingen medlemmer eller fakturaer passer."))
        return redirect("invoicing:staff_overview")
    return redirect("invoicing:job_detail", pk=job.pk)


@ks_staff_required
def job_detail(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk)
    failures = job.items.filter(status="failed")[:100]
    return render(
        request,
        "invoicing/job_detail.html",
        {"job": job, "progress": batch.job_progress(job=job), "failures": failures},
    )


@ks_staff_required
def job_progress(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk)
    return JsonResponse(batch.job_progress(job=job))


@ks_staff_required
@require_POST
def job_resume(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk)
    batch_resume.delay(job.pk)
    messages.success(request, _("Jobben fortsetter med det som mangler."))
    return redirect("invoicing:job_detail", pk=job.pk)


@ks_staff_required
def job_zip(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk)
    response = HttpResponse(batch.job_zip(job=job), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="digifin-jobb-{job.pk}.zip"'
    return response


@ks_staff_required
@require_POST
def payment_register(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    form = PaymentForm(request.POST)
    here = reverse("invoicing:invoice_detail", args=[invoice.pk])
    if form.is_valid():
        try:
            with consume_once(request, "invoicing.payment_register") as once:
                services.register_payment(
                    invoice=invoice,
                    amount=form.cleaned_data["amount"],
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                    actor=request.user,
                )
                once.result_url = here
        except services.InvoicingError as exc:
            messages.error(request, str(exc))
        except OnceRefused as exc:
            return once_refused_response(request, exc, fallback_url=here)
        else:
            messages.success(request, _("Innbetalingen er registrert."))
    else:
        messages.error(request, _("Innbetalingen ble ikke registrert: sjekk beløp og dato."))
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@ks_staff_required
@require_POST
def invoice_credit(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    form = CreditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Oppgi årsak til krediteringen."))
        return redirect("invoicing:invoice_detail", pk=invoice.pk)
    try:
        with consume_once(request, "invoicing.invoice_credit") as once:
            credit = services.invoice_credit(
                invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"]
            )
            once.result_url = reverse("invoicing:invoice_detail", args=[credit.pk])
    except services.InvoicingError as exc:
        messages.error(request, str(exc))
        return redirect("invoicing:invoice_detail", pk=invoice.pk)
    except OnceRefused as exc:
        return once_refused_response(
            request, exc, fallback_url=reverse("invoicing:invoice_detail", args=[invoice.pk])
        )
    messages.success(request, _("Kreditnota %(number)s er laget.") % {"number": credit.number})
    return redirect("invoicing:invoice_detail", pk=credit.pk)


@ks_staff_required
@require_POST
def bank_import(request):
    form = BankFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Velg en camt.054-fil."))
        return redirect("invoicing:staff_overview")
    upload = form.cleaned_data["file"]
    try:
        result, created = import_camt054(
            content=upload.read(), filename=upload.name, actor=request.user
        )
    except services.InvoicingError as exc:
        messages.error(request, _("Filen ble ikke importert: %(error)s") % {"error": exc})
        return redirect("invoicing:staff_overview")
    if created:
        messages.success(
            request,
            _("Importert: %(n)s innbetalinger.") % {"n": result.payments.count()},
        )
    else:
        messages.info(request, _("Filen er importert før; ingenting er bokført på nytt."))
    return redirect("invoicing:staff_overview")


@ks_staff_required
@require_POST
def payment_resolve(request, pk: int):
    payment = get_object_or_404(Payment, pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        services.payment_resolve(
            payment=payment, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("Innbetalingen er merket som behandlet."))
    else:
        messages.error(request, _("Skriv hva som er gjort med innbetalingen."))
    return redirect("invoicing:staff_overview")


@ks_staff_required
def letter_preview(request):
    """The letter as HTML in the browser, exactly what the PDF will show."""
    form = LetterPreviewForm(request.GET)
    if not form.is_valid():
        raise Http404
    # Any member, by the document's foreign key (invoicing does not import members).
    member_model = Document._meta.get_field("member").related_model
    member = get_object_or_404(member_model, pk=form.cleaned_data["member"])
    html = services.letter_preview_html(member=member, kind=form.cleaned_data["kind"])
    return HttpResponse(html)


@ks_staff_required
def letters(request):
    members = handlers.buyers().letter_recipients()
    query = request.GET.get("q", "").strip()
    if query:
        members = members.filter(name__icontains=query)
    page = Paginator(members.order_by("number"), 25).get_page(request.GET.get("side"))
    return render(
        request,
        "invoicing/letters.html",
        {"page": page, "search": query, "kinds": LetterPreviewForm.LETTER_KINDS},
    )
