"""Exactly-once on a double click, one request after the other (SQLite and PostgreSQL): the
second submission of the same form does nothing and says so, with a link to what the first did.
A form without a valid token is refused with a message (400) and changes nothing."""

import dataclasses
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.urls import reverse

from accounts.models import OnceToken
from accounts.once import FIELD, issue_token
from fund.models import LedgerEntry
from invoicing.models import BatchJob, Payment
from projects import views_council
from projects.models import CouncilMeeting, Proposal, StatusReport
from tests.accounts.factories import KsStaffFactory
from tests.invoicing.factories import confirmed_participation
from tests.once_support import with_once
from tests.projects.factories import complete_proposal, participant_user
from tests.projects.test_attachments import pdf_upload

from .builders import active_project, disbursement_data, open_invoice, payment_data, report_data

pytestmark = pytest.mark.django_db

ALREADY = "Dette er allerede registrert."


def _disbursements(project):
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSEMENT, subject_id=project.pk)


def test_double_clicked_disbursement_books_one_outflow(ks_client, ks_user):
    project, _ = active_project(ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    data = with_once(ks_user, disbursement_data())
    first = ks_client.post(url, data)
    second = ks_client.post(url, data, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert ALREADY in second.content.decode()
    assert _disbursements(project).count() == 1
    assert OnceToken.objects.get().result_url == url


def test_double_clicked_manual_payment_records_one_payment(ks_client, ks_user):
    invoice = open_invoice()
    url = reverse("invoicing:payment_register", args=[invoice.pk])
    data = with_once(ks_user, payment_data())
    assert ks_client.post(url, data).status_code == 302
    second = ks_client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    page = ks_client.get(second["Location"]).content.decode()
    assert ALREADY in page
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_double_clicked_new_proposal_makes_one_draft_and_links_to_it(client, municipal_user):
    client.force_login(municipal_user)
    data = with_once(municipal_user, {"title": "Digital byggesak"})
    url = reverse("projects:proposal_create")
    first = client.post(url, data)
    second = client.post(url, data)
    proposal = Proposal.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("projects:proposal_edit", args=[proposal.pk])
    assert ALREADY in client.get(second["Location"]).content.decode()


def test_double_clicked_status_report_is_one_report(client, ks_user):
    project, responsible = active_project(ks_user)
    client.force_login(responsible)
    url = reverse("projects:project_detail", args=[project.pk])
    data = with_once(responsible, report_data())
    client.post(url, data)
    second = client.post(url, data, follow=True)
    assert second.status_code == 200
    assert ALREADY in second.content.decode()
    assert StatusReport.objects.filter(project=project).count() == 1


def test_a_second_form_for_the_same_period_gets_a_message_not_a_500(client, ks_user):
    """Two tabs, two tokens: the period (report_once_per_period) is the natural key."""
    project, responsible = active_project(ks_user)
    client.force_login(responsible)
    url = reverse("projects:project_detail", args=[project.pk])
    client.post(url, with_once(responsible, report_data()))
    second = client.post(url, with_once(responsible, report_data(light="red")), follow=True)
    assert second.status_code == 200
    assert "Det finnes allerede en rapport for perioden." in second.content.decode()
    assert StatusReport.objects.get(project=project).light == "green"


@pytest.mark.parametrize(
    "token",
    [None, "", "x" * 500, "1:forged:signature", "garbage"],
    ids=["missing", "empty", "huge", "forged", "garbage"],
)
def test_a_form_without_a_valid_token_is_refused_and_changes_nothing(ks_client, ks_user, token):
    project, _ = active_project(ks_user)
    invoice = open_invoice()
    extra = {} if token is None else {FIELD: token}
    proposals = Proposal.objects.count()
    for url, data in [
        (reverse("projects:project_detail", args=[project.pk]), disbursement_data(**extra)),
        (reverse("invoicing:payment_register", args=[invoice.pk]), payment_data(**extra)),
        (reverse("projects:proposal_create"), {"title": "X", **extra}),
    ]:
        response = ks_client.post(url, data)
        assert response.status_code == 400, url
        assert "engangsnøkkel" in response.content.decode()
    assert not _disbursements(project).exists()
    assert not Payment.objects.exists()
    assert Proposal.objects.count() == proposals
    assert not OnceToken.objects.exists()


def test_another_users_token_is_refused(ks_client, ks_user):
    project, _ = active_project(ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    stolen = issue_token(KsStaffFactory())
    response = ks_client.post(url, disbursement_data(**{FIELD: stolen}))
    assert response.status_code == 400
    assert not _disbursements(project).exists()


def test_a_refused_write_does_not_use_up_the_token(ks_client, ks_user):
    """The token is consumed in the write's transaction: when the service refuses (here: a
    payment request that is not the project's), it is rolled back with it, and the corrected
    form can be sent."""
    project, _ = active_project(ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    token = issue_token(ks_user)
    wrong = ks_client.post(url, disbursement_data(payment_request="999999", **{FIELD: token}))
    assert wrong.status_code == 302
    assert not _disbursements(project).exists()
    assert not OnceToken.objects.exists()
    ks_client.post(url, disbursement_data(**{FIELD: token}))
    assert _disbursements(project).count() == 1


def test_the_forms_carry_a_token(ks_client, ks_user):
    project, _ = active_project(ks_user)
    invoice = open_invoice()
    for url in [
        reverse("projects:project_detail", args=[project.pk]),
        reverse("invoicing:invoice_detail", args=[invoice.pk]),
        reverse("projects:proposal_create"),
    ]:
        assert f'name="{FIELD}"' in ks_client.get(url).content.decode(), url


def test_a_double_clicked_invoice_batch_starts_one_job(ks_client, ks_user, monkeypatch):
    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("2000.00")
    )
    confirmed_participation(actor=ks_user)
    data = with_once(ks_user, {"kind": BatchJob.Kind.INVOICE_SHARES})
    first = ks_client.post(reverse("invoicing:batch_start"), data)
    second = ks_client.post(reverse("invoicing:batch_start"), data)
    job = BatchJob.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("invoicing:job_detail", args=[job.pk])


def test_a_double_clicked_new_meeting_is_one_meeting(ks_client, ks_user):
    data = with_once(
        ks_user, {"title": "KommIT-rådet mars", "held_on": "2027-03-14", "quorum_percent": "50"}
    )
    first = ks_client.post(reverse("projects:meeting_create"), data)
    second = ks_client.post(reverse("projects:meeting_create"), data)
    meeting = CouncilMeeting.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"].endswith(f"?mote={meeting.pk}")


def test_a_double_clicked_upload_stores_one_attachment(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant = participant_user()
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    client.force_login(applicant)
    url = reverse("projects:attachment_upload", args=[proposal.pk])
    token = issue_token(applicant)
    for _ in range(2):
        client.post(url, {"file": pdf_upload(), FIELD: token})
    assert proposal.attachments.count() == 1


def test_a_write_that_finds_sqlite_locked_gets_a_message_not_a_500(ks_client, ks_user, monkeypatch):
    """Issue 17: on SQLite the loser of a double click got "database is locked" (500). Settings
    now make SQLite wait for the write lock (IMMEDIATE, timeout); if the wait still runs out,
    the answer is a message and nothing is written, not even the form's token."""

    def locked(**kwargs):
        raise OperationalError("database is locked")

    action = views_council.PROJECT_ACTIONS["approve_request"]
    monkeypatch.setitem(
        views_council.PROJECT_ACTIONS,
        "approve_request",
        dataclasses.replace(action, service=locked),
    )
    project, _ = active_project(ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    answer = ks_client.post(url, with_once(ks_user, disbursement_data()), follow=True)
    assert answer.status_code == 200
    assert "Systemet er opptatt" in answer.content.decode()
    assert not _disbursements(project).exists()
    assert not OnceToken.objects.exists()
