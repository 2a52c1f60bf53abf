import datetime
import io
from decimal import Decimal

import pytest

from digifin.demo import ensure_demo_users
from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from invoicing.models import Document
from projects import demo
from projects.models import AgendaItem, Grant, Project, Proposal, ProposalTransition

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_covers_the_demo_organisations():
    ensure_demo_users()
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("25000000"),
        occurred_on=datetime.date(2017, 12, 1),
        description="KMD",
    )
    demo.load(stdout=io.StringIO())
    counts = [m.objects.count() for m in (Proposal, ProposalTransition, AgendaItem, LedgerEntry)]
    grants = Grant.objects.count()
    demo.load(stdout=io.StringIO())
    assert [
        m.objects.count() for m in (Proposal, ProposalTransition, AgendaItem, LedgerEntry)
    ] == counts
    numbers = set(Proposal.objects.values_list("lead_member__number", flat=True))
    assert {"3405", "3440", "4601"} <= numbers
    assert Proposal.objects.filter(co_applicants__isnull=False).exists()
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "qualified", "rejected", "approved"} <= statuses
    assert Proposal.objects.filter(status="prioritised").exists()
    # Issue 18: Lillehammer's project has its first rate paid on a payment request and a second
    # one waiting for KS; Bergen's startlån project is completed with a final report, its
    # solution handed over, and (from 1 November of its launch year) benefits reported.
    barnevern = Project.objects.get(title="Digital barnevernsmelding")
    assert barnevern.status == "active"
    assert list(barnevern.payment_requests.values_list("status", flat=True)) == [
        "approved",
        "submitted",
    ]
    startlan = Project.objects.get(title="Digital søknad om startlån")
    assert startlan.status == "completed" and startlan.final_report.status == "approved"
    assert startlan.solutions.filter(name="Digital startlånsøknad").exists()
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 3
    assert LedgerEntry.objects.filter(payment_request__isnull=False).count() == 3
    # Issue 18: a grant in each state, one for each demo municipality to accept, and the
    # tilsagnsbrev of every grant rendered to a PDF on each of its members.
    assert barnevern.grant.status == Grant.Status.ACCEPTED
    offered = Grant.objects.filter(status=Grant.Status.OFFERED)
    assert {"3405", "3440", "4601"} <= set(
        offered.values_list("project__proposal__lead_member__number", flat=True)
    )
    assert Grant.objects.filter(status=Grant.Status.LAPSED).exists()
    letters = Document.objects.filter(kind=Document.Kind.GRANT)
    assert letters.count() >= Grant.objects.count()
    assert all(d.file.name.endswith(".pdf") for d in letters)
    assert Grant.objects.count() == grants
    assert AgendaItem.objects.filter(meeting__closed_at__isnull=True).exists()
