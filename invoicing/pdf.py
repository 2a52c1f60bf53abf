"""PDF invoices and letters with WeasyPrint: Norwegian, on KS letterhead, amounts `555 700,00 kr`.

`render_html` and `html_to_pdf` are separate so that bench/ can time the bare WeasyPrint render
against the whole document (database reads and template included)."""

from django.template.loader import render_to_string
from django.utils import timezone

from . import conf
from .vat import vat_breakdown


def render_html(template: str, context: dict) -> str:
    return render_to_string(template, {"seller": conf.seller(), **context})


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


def invoice_html(invoice) -> str:
    lines = list(invoice.lines.all())
    return render_html(
        "invoicing/pdf/invoice.html",
        {"invoice": invoice, "lines": lines, "vat_groups": vat_breakdown(lines)},
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
    )
