"""PDF invoices and letters with WeasyPrint: Norwegian, on KS letterhead, amounts `555 700,00 kr`.

`render_html` and `html_to_pdf` are separate so that bench/ can time the bare WeasyPrint render
against the whole document (database reads and template included)."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import conf, handlers
from .vat import vat_breakdown

# The languages documents are written in: bokmål and nynorsk (the member's målform,
# docs/decisions/i18n-documents-maalform.md). Not the reader's UI language: a letter is the same
# letter whoever downloads it.
DOCUMENT_LANGUAGES = ("nb", "nn")


def document_language(code: str | None) -> str:
    return code if code in DOCUMENT_LANGUAGES else "nb"


def render_html(template: str, context: dict, *, language: str = "nb") -> str:
    """Every PDF document's HTML goes through here, rendered in `language` ("nb"/"nn");
    amounts and dates keep the Norwegian format in both (the digifin filters)."""
    language = document_language(language)
    with translation.override(language):
        return render_to_string(
            template, {"seller": conf.seller(), "document_language": language, **context}
        )


_FONTS = None
_CACHE: dict = {}


def html_to_pdf(html: str) -> bytes:
    """Render with a font configuration and image cache shared by the process (a Celery worker
    renders hundreds of documents; reloading the fonts each time costs ~20 %)."""
    global _FONTS
    # Imported here: WeasyPrint is heavy to load, and only the workers and downloads render.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONTS is None:
        _FONTS = FontConfiguration()
    return HTML(string=html).write_pdf(font_config=_FONTS, cache=_CACHE)


def warm_up() -> None:
    """Load WeasyPrint, the font configuration and the letters' font once (a Celery worker
    process calls it when it starts, so that the first document of a batch is not the one that
    pays ~1 s for them)."""
    html_to_pdf(
        "<html><body style=\"font-family: 'DejaVu Sans', sans-serif\">DigiFin <b>1 234 kr</b>"
        "</body></html>"
    )


def invoice_html(invoice) -> str:
    lines = list(invoice.lines.all())
    return render_html(
        "invoicing/pdf/invoice.html",
        {"invoice": invoice, "lines": lines, "vat_groups": vat_breakdown(lines)},
        language=invoice.buyer_language,
    )


def invoice_pdf(invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice))


def recipient(member) -> dict:
    """The addressee block every letter prints (invoicing/pdf/_letter.html): the member's
    name, its postal address from Enhetsregisteret (Member.address) and its orgnr."""
    return {
        "name": member.name,
        "address_lines": [line.strip() for line in (member.address or "").splitlines() if line],
        "orgnr": member.orgnr,
    }


def letter_html(*, template: str, member, context: dict) -> str:
    return render_html(
        f"invoicing/pdf/letter_{template}.html",
        {
            "member": member,
            "recipient": recipient(member),
            "today": timezone.localdate(),
            **context,
        },
        language=member_language(member),
    )


def member_language(member) -> str:
    """The language of the letters to `member`, as the app that owns members says."""
    return document_language(handlers.buyers().language(member=member))
