"""Delivering invoices: the PDF and the EHF files, the document on the member, one e-mail."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import translation
from django.utils.translation import gettext

from core.money import format_nok

from .. import mail
from ..ehf import invoice_xml
from ..models import Document, Invoice
from ..pdf import invoice_pdf


def enqueue_delivery(invoice: Invoice) -> None:
    """Deliver the invoice (files, document, e-mail) in a task after the commit."""
    # Imported here: the tasks module imports the services (a real cycle).
    from ..tasks import invoice_deliver

    invoice_deliver.delay_on_commit(invoice.pk)


def invoice_render_files(*, invoice: Invoice, force: bool = False) -> Invoice:
    """Generate and store the PDF and the EHF XML if missing (idempotent; the invoice row is
    locked so two workers never write the files twice)."""
    with transaction.atomic():
        invoice = _locked_with_lines(invoice)
        _render_files(invoice, force=force)
    return invoice


def _locked_with_lines(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("credits", "buyer", "created_by")
        .prefetch_related("lines")  # read by both the PDF and the EHF
        .get(pk=invoice.pk)
    )


def _render_files(invoice: Invoice, *, force: bool, save: bool = True) -> dict[str, bytes]:
    """Render what is missing (or everything, with `force`) and store the files. Returns the
    contents rendered now, by field name. The row is updated with a plain UPDATE of the file
    fields (allowed on an issued invoice, see Invoice.MUTABLE_FIELDS), or by the caller
    (`save=False`): generated files are not a change to the invoice, so they add no history
    row (docs/invoicing.md)."""
    rendered = {}
    if force or not invoice.ehf_xml:
        rendered["ehf_xml"] = invoice_xml(invoice)
        invoice.ehf_xml.save(f"{invoice.number}.xml", ContentFile(rendered["ehf_xml"]), save=False)
    if force or not invoice.pdf:
        rendered["pdf"] = invoice_pdf(invoice)
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(rendered["pdf"]), save=False)
    if rendered and save:
        Invoice.objects.filter(pk=invoice.pk).update(**{f: getattr(invoice, f) for f in rendered})
    return rendered


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def invoice_deliver(*, invoice: Invoice) -> Invoice:
    """Files, the document on the member and one e-mail, each once (invoices_deliver); the
    error of a failed e-mail is raised."""
    failed = invoices_deliver(invoices=[invoice])
    if failed:
        raise failed[invoice.pk]
    return invoice


def invoices_deliver(*, invoices: list[Invoice]) -> dict[int, Exception]:
    """Deliver invoices: their PDF and EHF files and their documents on the members, committed
    together with the claims of their e-mails, then the e-mails. Each step is idempotent under
    the invoices' row locks, so a rerun or a concurrent duplicate makes nothing twice. The same
    dozen queries deliver one invoice or ten (a batch task delivers a few at a time). The
    invoices as the caller loaded them, best with buyer and creator. Returns invoice id → error
    for the e-mails the mail server refused (recorded on their OutgoingEmail rows)."""
    by_pk = {invoice.pk: invoice for invoice in invoices}
    with transaction.atomic():
        # Lock the rows and read their committed state: a duplicate waits here, then finds the
        # files, documents and claims made.
        locked = Invoice.objects.select_for_update().filter(pk__in=by_pk).order_by("pk")
        for pk, pdf, ehf_xml, emailed_at in locked.values_list(
            "pk", "pdf", "ehf_xml", "emailed_at"
        ):
            invoice = by_pk[pk]
            invoice.pdf, invoice.ehf_xml, invoice.emailed_at = pdf, ehf_xml, emailed_at
        missing = [i for i in invoices if not (i.pdf and i.ehf_xml)]
        prefetch_related_objects(missing, "lines")  # read by both the PDF and the EHF
        rendered = {i.pk: _render_files(i, force=False, save=False) for i in missing}
        if missing:
            Invoice.objects.bulk_update(missing, ["pdf", "ehf_xml"])
        documents = _invoice_documents(invoices)
        claimed = mail.claim_many(
            [
                _invoice_message(i, documents[i.pk], rendered.get(i.pk, {}))
                for i in invoices
                if i.emailed_at is None and i.buyer_email
            ]
        )
    sent, failed = [], {}
    for record, message in claimed:
        try:
            mail.send_claimed(record, message)
        except Exception as exc:  # recorded on the row; the caller reports it
            failed[message.invoice.pk] = exc
        else:
            sent.append(record)
    if sent:
        # Recorded by the e-mail rows themselves; a plain UPDATE like the files (no history).
        emailed_at = mail.mark_sent(sent)
        Invoice.objects.filter(pk__in=[r.invoice_id for r in sent]).update(emailed_at=emailed_at)
        for record in sent:
            by_pk[record.invoice_id].emailed_at = emailed_at
    return failed


def _invoice_documents(invoices: list[Invoice]) -> dict[int, Document]:
    """Invoice id → its document on the member (the PDF), created where missing."""
    keys = {f"invoice:{i.pk}": i for i in invoices}
    documents = {d.invoice_id: d for d in Document.objects.filter(source_key__in=keys)}
    new = [
        Document(
            member=i.buyer,
            kind=Document.Kind.INVOICE,
            title=_document_title(i),
            source_key=key,
            invoice=i,
            file=i.pdf.name,
            created_by=i.created_by,
        )
        for key, i in keys.items()
        if i.pk not in documents
    ]
    documents.update({d.invoice_id: d for d in Document.objects.bulk_create(new)})
    return documents


def _document_title(invoice: Invoice) -> str:
    """The document's title in the invoice's language (not the UI language of whoever
    delivers it)."""
    with translation.override(invoice.buyer_language or "nb"):
        return f"{invoice.get_document_type_display()} {invoice.number}"[:200]


def _invoice_message(invoice: Invoice, document: Document, rendered: dict):
    """The e-mail with the PDF and the EHF, in the language of the invoice (the buyer's
    målform on the day of issue); amounts and dates in the Norwegian format in both."""
    with translation.override(invoice.buyer_language or "nb"):
        values = {
            "number": invoice.number,
            "amount": format_nok(invoice.total, decimals=True),
            "reference": invoice.fakturareferanse,
        }
        if invoice.is_credit_note:
            subject = gettext("Kreditnota %(number)s fra KS (DigiFin)") % values
            body = (
                gettext(
                    "Vedlagt er kreditnota %(number)s på %(amount)s"
                    " (deres referanse %(reference)s)."
                )
                % values
            )
        else:
            subject = gettext("Faktura %(number)s fra KS (DigiFin)") % values
            body = gettext(
                "Vedlagt er faktura %(number)s på %(amount)s (deres referanse %(reference)s)."
                " KID: %(kid)s, forfall %(due_on)s."
            ) % {**values, "kid": invoice.kid, "due_on": f"{invoice.due_on:%d.%m.%Y}"}
        body += "\n\n" + gettext(
            "EHF-fakturaen sendes også via PEPPOL.\n\nVennlig hilsen\nKS, DigiFin"
        )
    return mail.Message(
        key=f"invoice:{invoice.pk}",
        to=invoice.buyer_email,
        subject=subject,
        body=body,
        attachments=[
            (f"{invoice.number}.pdf", rendered.get("pdf") or _read(invoice.pdf), "application/pdf"),
            (
                f"{invoice.number}.xml",
                rendered.get("ehf_xml") or _read(invoice.ehf_xml),
                "application/xml",
            ),
        ],
        document=document,
        invoice=invoice,
    )
