"""Double clicks as they really arrive: two requests at the same moment, each in its own thread
with its own database connection and transaction (PostgreSQL, scripts/test.sh). Exactly one
effect; the other answer is a page with "allerede registrert" (or the natural key's message),
never a 500."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from fund.models import LedgerEntry
from invoicing.models import BankImport, Payment
from projects.models import Proposal, StatusReport
from tests.once_support import with_once

from .builders import active_project, disbursement_data, open_invoice, payment_data, report_data
from .test_camt054_defensive import GOOD, _camt

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ALREADY = "Dette er allerede registrert."


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL (scripts/test.sh)")


def _race(user, url, payloads) -> list:
    """POST each payload from its own client and thread at the same moment; the pages answered
    (redirects followed)."""
    clients = []
    for _ in payloads:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(len(payloads))
    pages, errors = [], []

    def post(client, payload):
        try:
            barrier.wait()
            pages.append(client.post(url, payload(), follow=True))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(c, p)) for c, p in zip(clients, payloads, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(p.status_code for p in pages) == [200] * len(payloads)
    return [p.content.decode() for p in pages]


def test_parallel_double_click_on_disburse_books_one_outflow(ks_user):
    project, _ = active_project(ks_user)
    data = with_once(ks_user, disbursement_data())
    url = reverse("projects:project_detail", args=[project.pk])
    pages = _race(ks_user, url, [lambda: data, lambda: data])
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSEMENT, subject_id=project.pk)
    assert entries.count() == 1
    assert sum(ALREADY in page for page in pages) == 1
    assert sum("Anmodningen er godkjent og utbetalingen er bokført." in page for page in pages) == 1


def test_parallel_double_click_on_manual_payment_records_one_payment(ks_user):
    invoice = open_invoice()
    data = with_once(ks_user, payment_data())
    url = reverse("invoicing:payment_register", args=[invoice.pk])
    pages = _race(ks_user, url, [lambda: data, lambda: data])
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert sum(ALREADY in page for page in pages) == 1


def test_parallel_double_click_on_new_proposal_makes_one_draft(municipal_user):
    data = with_once(municipal_user, {"title": "Digital byggesak"})
    pages = _race(municipal_user, reverse("projects:proposal_create"), [lambda: data] * 2)
    assert Proposal.objects.filter(created_by=municipal_user).count() == 1
    assert sum(ALREADY in page for page in pages) == 1


def test_parallel_status_reports_for_one_period_give_one_report_and_a_message(ks_user):
    """Two forms (two tokens) for the same period: the period is the natural key."""
    project, responsible = active_project(ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    first = with_once(responsible, report_data())
    second = with_once(responsible, report_data(light="red"))
    pages = _race(responsible, url, [lambda: first, lambda: second])
    assert StatusReport.objects.filter(project=project).count() == 1
    assert sum("Det finnes allerede en rapport for perioden." in page for page in pages) == 1


def test_the_same_bank_file_uploaded_twice_at_once_books_once(ks_user):
    issue = open_invoice()
    assert issue.kid == GOOD["kid"]
    content = _camt({"kid": "", "amount": "5"})

    def upload():
        return {"file": SimpleUploadedFile("bank.xml", content, "application/xml")}

    pages = _race(ks_user, reverse("invoicing:bank_import"), [upload, upload])
    assert BankImport.objects.count() == 1
    assert Payment.objects.count() == 2  # the file's two transactions, once
    assert sum("Filen er importert før" in page for page in pages) == 1
