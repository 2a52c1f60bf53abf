"""The demo has a nynorsk kommune (målform from the Enhetsregisteret fixtures) whose share
invoice and letters are in nynorsk, while Lillehammer (bokmål) and Bergen (KS: nøytral) get
bokmål (issue #20 §1, docs/decisions/i18n-documents-maalform.md)."""

import io

import pytest
from django.core.management import call_command

from digifin.demo import ensure_demo_users
from invoicing.models import Document, Invoice
from invoicing.pdf import invoice_pdf
from members import demo
from members.invoicing import organisation_lineage
from tests.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def _flat(content: bytes) -> str:
    return " ".join(pdf_text(content).replace("\xa0", " ").split())


def _letter(member, kind) -> str:
    document = Document.objects.get(source_key=f"demo:{kind}:{member.pk}")
    with document.file.open("rb") as fh:
        return _flat(fh.read())


def test_the_demo_letters_and_invoices_a_nynorsk_kommune_in_nynorsk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_reference_data", stdout=io.StringIO())
    ensure_demo_users()
    demo.load(stdout=io.StringIO())
    demo.load_invoices(stdout=io.StringIO())
    documents = Document.objects.count()
    demo.load_invoices(stdout=io.StringIO())  # idempotent
    assert Document.objects.count() == documents

    nynorsk = demo.nynorsk_demo_member()
    assert nynorsk is not None and nynorsk.effective_maalform == "nynorsk"
    share = Invoice.objects.filter(
        kind=Invoice.Kind.MEMBER_SHARE,
        buyer_id__in=organisation_lineage(member_id=nynorsk.pk),
        buyer_language="nn",
    ).first()
    assert share.pdf  # rendered by the demo
    with share.pdf.open("rb") as fh:
        text = _flat(fh.read())
    assert "Referansen dykkar" in text and "Deres referanse" not in text
    assert "Andel i ordninga" in text or "Skildring" in text

    confirmation = _letter(nynorsk, Document.Kind.CONFIRMATION)
    assert "KS stadfestar at" in confirmation and "Med venleg helsing" in confirmation
    assert "KS bekrefter" not in confirmation
    invitation = _letter(nynorsk, Document.Kind.INVITATION)
    assert "Invitasjon til å delta i finansieringsordninga DigiFin" in invitation
    assert "Andelen dykkar" in invitation and " kr" in invitation

    lillehammer = demo.current_member("kommune", "3405")
    bergen = demo.current_member("kommune", "4601")
    assert bergen.effective_maalform == "noytral"
    for member in (lillehammer, bergen):
        text = _letter(member, Document.Kind.CONFIRMATION)
        assert "KS bekrefter at" in text and "Med vennlig hilsen" in text, member
    bokmal_share = Invoice.objects.filter(
        kind=Invoice.Kind.MEMBER_SHARE, buyer__number="0501"
    ).get()  # Lillehammer's 2017 share invoice
    assert bokmal_share.buyer_language == "nb"
    assert "Deres referanse" in _flat(invoice_pdf(bokmal_share))
