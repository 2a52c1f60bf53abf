"""Attachments: type decided by content, size limit, stored under MEDIA_ROOT with a random name."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.services.proposals import ProposalError, attachment_add

from .factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name="Prosjektplan.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = participant_user()
    return user, complete_proposal(lead_member=user.organisation, created_by=user), tmp_path


def test_pdf_is_stored_outside_web_root_under_a_random_name(setup):
    user, proposal, root = setup
    attachment = attachment_add(
        proposal=proposal, upload=pdf_upload("../../etc/passwd.pdf"), actor=user
    )
    assert attachment.content_type == "application/pdf"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert (root / attachment.file.name).read_bytes() == MINIMAL_PDF
    assert attachment.original_name == "passwd.pdf"


def test_docx_is_recognised_by_content():
    upload = SimpleUploadedFile("notat.docx", docx_bytes())
    from projects.services.proposals import detect_attachment_type

    assert detect_attachment_type(upload.read()) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


@pytest.mark.parametrize(
    "name,content",
    [
        ("angrep.pdf", b"<html><script>alert(1)</script></html>"),
        ("bilde.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("program.docx", b"MZ\x90\x00" + b"\x00" * 100),
        ("bilde.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ],
)
def test_files_that_are_not_allowed_by_content_are_refused_whatever_their_name(
    setup, name, content
):
    user, proposal, root = setup
    with pytest.raises(ProposalError, match="Filtypen er ikke tillatt"):
        attachment_add(proposal=proposal, upload=SimpleUploadedFile(name, content), actor=user)
    assert not proposal.attachments.exists()


def test_pdf_with_a_wrong_name_gets_the_pdf_extension(setup):
    user, proposal, _root = setup
    attachment = attachment_add(proposal=proposal, upload=pdf_upload("side.html"), actor=user)
    assert attachment.original_name == "side.pdf"


def test_too_large_file_is_refused(setup, settings):
    user, proposal, _root = setup
    settings.DIGIFIN_MAX_ATTACHMENT_BYTES = 50
    with pytest.raises(ProposalError, match="for stor"):
        attachment_add(proposal=proposal, upload=pdf_upload(), actor=user)


def test_only_the_lead_organisation_may_attach(setup, other_municipal_user):
    _user, proposal, _root = setup
    with pytest.raises(ProposalError, match="Bare søkerens"):
        attachment_add(proposal=proposal, upload=pdf_upload(), actor=other_municipal_user)
