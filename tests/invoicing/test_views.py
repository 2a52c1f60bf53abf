import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from invoicing.models import BankImport, BatchJob, Invoice, Payment
from invoicing.services import letter_create
from tests.invoicing.factories import issue_manual, member_with_address
from tests.once_support import with_once

pytestmark = pytest.mark.django_db
CAMT = Path(__file__).parent / "data" / "camt054-dnb-2026-12-01.xml"


@pytest.fixture
def own_invoice(municipal_user):
    return issue_manual(buyer=municipal_user.organisation, amount="1000", source_key="own")


@pytest.fixture
def other_invoice(other_municipal_user):
    return issue_manual(buyer=other_municipal_user.organisation, amount="2000", source_key="oth")


OBJECT_VIEWS = ["invoicing:invoice_detail", "invoicing:invoice_pdf", "invoicing:invoice_ehf"]
STAFF_VIEWS = ["invoicing:staff_overview", "invoicing:letters"]


@pytest.mark.parametrize("name", ["invoicing:my_invoices", *STAFF_VIEWS])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/konto/logg-inn/" in response["Location"]


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_anonymous_cannot_fetch_an_invoice(client, own_invoice, name):
    response = client.get(reverse(name, args=[own_invoice.pk]))
    assert response.status_code == 302


def test_municipal_user_sees_only_its_own_invoices(municipal_client, own_invoice, other_invoice):
    response = municipal_client.get(reverse("invoicing:my_invoices"))
    assert response.status_code == 200
    assert own_invoice.number.encode() in response.content
    assert other_invoice.number.encode() not in response.content


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_municipal_user_can_open_its_own_invoice(municipal_client, own_invoice, name):
    assert municipal_client.get(reverse(name, args=[own_invoice.pk])).status_code == 200


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_other_organisations_invoice_is_404(municipal_client, other_invoice, name):
    assert municipal_client.get(reverse(name, args=[other_invoice.pk])).status_code == 404


def test_guessed_invoice_id_is_404(municipal_client):
    assert municipal_client.get(reverse("invoicing:invoice_pdf", args=[99999])).status_code == 404


def test_pdf_download_is_a_pdf(municipal_client, own_invoice):
    response = municipal_client.get(reverse("invoicing:invoice_pdf", args=[own_invoice.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_documents_are_downloadable_only_by_own_users_and_staff(
    municipal_client, municipal_user, other_municipal_user, ks_user, client
):
    own = letter_create(
        member=municipal_user.organisation,
        kind="confirmation",
        actor=None,
        source_key="c1",
        email=False,
    )
    other = letter_create(
        member=other_municipal_user.organisation,
        kind="confirmation",
        actor=None,
        source_key="c2",
        email=False,
    )
    url = lambda d: reverse("invoicing:document_download", args=[d.pk])  # noqa: E731
    assert municipal_client.get(url(own)).status_code == 200
    assert municipal_client.get(url(other)).status_code == 404
    client.force_login(ks_user)
    assert client.get(url(other)).status_code == 200


@pytest.mark.parametrize("name", ["invoicing:my_invoices", *STAFF_VIEWS])
def test_council_member_is_refused(council_client, name):
    assert council_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", STAFF_VIEWS)
def test_municipal_user_cannot_open_staff_pages(municipal_client, name):
    assert municipal_client.get(reverse(name)).status_code == 403


def test_municipal_user_cannot_register_payments_or_credit(municipal_client, own_invoice):
    for name in ["invoicing:payment_register", "invoicing:invoice_credit"]:
        response = municipal_client.post(reverse(name, args=[own_invoice.pk]), {"reason": "x"})
        assert response.status_code == 403
    assert not Payment.objects.exists()
    assert own_invoice.credit_notes.count() == 0


def test_staff_overview_lists_every_invoice(ks_client, own_invoice, other_invoice):
    response = ks_client.get(reverse("invoicing:staff_overview"))
    assert response.status_code == 200
    assert own_invoice.number.encode() in response.content
    assert other_invoice.number.encode() in response.content


def test_staff_registers_a_payment(ks_client, ks_user, own_invoice):
    response = ks_client.post(
        reverse("invoicing:payment_register", args=[own_invoice.pk]),
        with_once(ks_user, {"amount": "1000", "paid_on": "20.11.2026", "reference": "manuell"}),
    )
    assert response.status_code == 302
    own_invoice.refresh_from_db()
    assert own_invoice.status == Invoice.Status.PAID
    assert own_invoice.paid_on == datetime.date(2026, 11, 20)


def test_bad_payment_input_changes_nothing(ks_client, own_invoice):
    ks_client.post(
        reverse("invoicing:payment_register", args=[own_invoice.pk]),
        {"amount": "-5", "paid_on": "i går"},
    )
    assert not Payment.objects.exists()


def test_staff_credits_an_invoice(ks_client, ks_user, own_invoice):
    response = ks_client.post(
        reverse("invoicing:invoice_credit", args=[own_invoice.pk]),
        with_once(ks_user, {"reason": "Feil beløp"}),
    )
    credit = own_invoice.credit_notes.get()
    assert response["Location"] == reverse("invoicing:invoice_detail", args=[credit.pk])
    assert credit.total == Decimal("1000.00")


def test_staff_imports_a_bank_file_once(ks_client):
    for _ in range(2):
        with CAMT.open("rb") as fh:
            ks_client.post(reverse("invoicing:bank_import"), {"file": fh})
    assert BankImport.objects.count() == 1
    assert Payment.objects.count() == 4
    response = ks_client.get(reverse("invoicing:staff_overview"))
    assert b"99900000011" in response.content  # the unknown KID is listed


def test_staff_starts_an_invoicing_batch_and_sees_progress(ks_client, ks_user, monkeypatch):
    from tests.invoicing.factories import confirmed_participation

    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("2000.00")
    )
    for _ in range(3):
        confirmed_participation(actor=ks_user)
    response = ks_client.post(
        reverse("invoicing:batch_start"),
        with_once(ks_user, {"kind": BatchJob.Kind.INVOICE_SHARES}),
    )
    job = BatchJob.objects.get()
    assert response["Location"] == reverse("invoicing:job_detail", args=[job.pk])
    progress = ks_client.get(reverse("invoicing:job_progress", args=[job.pk])).json()
    assert progress["total"] == 3
    page = ks_client.get(reverse("invoicing:job_detail", args=[job.pk]))
    assert page.status_code == 200


def test_letter_preview_shows_the_computed_share(ks_client, monkeypatch):
    member = member_with_address(name="Øyer")
    monkeypatch.setattr("members.selectors.member_share", lambda *, member: Decimal("101680.00"))
    response = ks_client.get(
        reverse("invoicing:letter_preview"), {"member": member.pk, "kind": "invitation"}
    )
    assert response.status_code == 200
    assert "101\xa0680\xa0kr" in response.content.decode()


def test_letter_preview_with_bad_input_is_404(ks_client):
    assert ks_client.get(reverse("invoicing:letter_preview"), {"kind": "x"}).status_code == 404


def test_a_merged_kommune_sees_its_predecessors_invoices(municipal_client, municipal_user):
    from tests.members.factories import succession

    predecessor = member_with_address(name="Gamle Testkommune")
    succession(predecessor, municipal_user.organisation)
    old = issue_manual(buyer=predecessor, source_key="old")
    response = municipal_client.get(reverse("invoicing:invoice_detail", args=[old.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["invoicing:job_detail", "invoicing:job_progress", "invoicing:job_zip"]
)
def test_job_pages_are_for_ks_staff_only(client, municipal_client, ks_user, name):
    job = BatchJob.objects.create(kind=BatchJob.Kind.INVITATIONS, started_by=ks_user)
    url = reverse(name, args=[job.pk])
    assert municipal_client.get(url).status_code == 403
    municipal_client.logout()
    assert municipal_client.get(url).status_code == 302
    client.force_login(ks_user)
    assert client.get(url).status_code == 200
    assert client.get(reverse(name, args=[job.pk + 1000])).status_code == 404
