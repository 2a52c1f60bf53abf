"""Documents kept on a member and the letters (invitation, confirmation, reminder...)."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy

from .. import handlers
from ..mail import send_once
from ..models import Document, Invoice
from ..pdf import html_to_pdf, letter_html, member_language, render_html

# Rendered in the member's language (the title is the letter's, and the e-mail's subject).
LETTER_TITLES = {
    Document.Kind.INVITATION: pgettext_lazy("brev", "Invitasjon til å delta i DigiFin"),
    Document.Kind.CONFIRMATION: pgettext_lazy("brev", "Bekreftelse på deltakelse i DigiFin"),
    Document.Kind.DECISION: pgettext_lazy("brev", "Vedtak"),
    Document.Kind.ACCESS_CONFIRMATION: pgettext_lazy("brev", "Bekreftelse på tilgang til løsning"),
    Document.Kind.REMINDER: pgettext_lazy("brev", "Purring"),
    Document.Kind.GRANT: pgettext_lazy("brev", "Tilsagnsbrev"),
}


@transaction.atomic
def document_store(
    *,
    member,
    kind: str,
    title: str,
    source_key: str,
    file_name: str,
    content: bytes | None,
    actor,
    invoice: Invoice | None = None,
) -> Document:
    """Keep a file on the member, once per source_key. For an invoice the file is its PDF."""
    existing = Document.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    document = Document(
        member=member,
        kind=kind,
        title=title[:200],
        source_key=source_key,
        invoice=invoice,
        created_by=actor,
    )
    if content is None and invoice is not None:
        document.file.name = invoice.pdf.name
    else:
        document.file.save(file_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        return Document.objects.get(source_key=source_key)
    return document


def letter_context(*, member, kind: str, extra: dict | None = None) -> dict:
    """What a letter template needs; the invitation shows the member's computed share."""
    context = dict(extra or {})
    if kind == Document.Kind.INVITATION and "share" not in context:
        context.update(handlers.buyers().letter_context(member=member, kind=kind))
    participation = getattr(member, "participation", None)
    context.setdefault("participation", participation)
    return context


def letter_preview_html(*, member, kind: str, extra: dict | None = None) -> str:
    return letter_html(
        template=kind, member=member, context=letter_context(member=member, kind=kind, extra=extra)
    )


def letter_create(
    *, member, kind: str, actor, source_key: str, extra: dict | None = None, email: bool = True
) -> Document:
    """Render a letter to PDF, keep it on the member and e-mail it once (idempotent on
    source_key, e.g. "invitation:<member id>")."""
    document = Document.objects.filter(source_key=source_key).first()
    if document is None:
        pdf = html_to_pdf(letter_preview_html(member=member, kind=kind, extra=extra))
        with translation.override(member_language(member)):
            title = f"{LETTER_TITLES[kind]} – {member.name}"
        document = document_store(
            member=member,
            kind=kind,
            title=title,
            source_key=source_key,
            file_name=f"{kind}-{member.number or member.pk}.pdf",
            content=pdf,
            actor=actor,
            invoice=(extra or {}).get("invoice"),
        )
    if email:
        document_email(document=document, file_name=f"{kind}.pdf")
    return document


def document_email(*, document: Document, file_name: str) -> None:
    """E-mail a kept document to its member with the PDF attached, exactly once."""
    member = document.member
    if not member.email:
        return
    document.file.open("rb")
    content = document.file.read()
    document.file.close()
    title = f"{document.title[:1].lower()}{document.title[1:]}"
    with translation.override(member_language(member)):
        body = gettext("Vedlagt er %(title)s.\n\nVennlig hilsen\nKS, DigiFin") % {"title": title}
    send_once(
        key=f"document:{document.pk}",
        to=member.email,
        subject=f"{document.title} (KS, DigiFin)",
        body=body,
        attachments=[(file_name, content, "application/pdf")],
        document=document,
    )


def document_pdf(*, template: str, context: dict) -> bytes:
    """Render one of the letter module's other documents (invoicing/pdf/<template>.html, on the
    letterhead with page numbers) to PDF: the council's agenda and minutes."""
    html = render_html(f"invoicing/pdf/{template}.html", {"today": timezone.localdate(), **context})
    return html_to_pdf(html)


def document_send(
    *,
    member,
    kind: str,
    title: str,
    source_key: str,
    file_name: str,
    content: bytes,
    actor,
    email: bool = True,
) -> Document:
    """Keep a finished PDF (e.g. a meeting's minutes) on the member as a letter and e-mail it
    once; idempotent on source_key."""
    document = document_store(
        member=member,
        kind=kind,
        title=title,
        source_key=source_key,
        file_name=file_name,
        content=content,
        actor=actor,
    )
    if email:
        document_email(document=document, file_name=file_name)
    return document
