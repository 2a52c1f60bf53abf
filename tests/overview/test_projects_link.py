"""The overview reads projects' grants: granted, still committed and available capital."""

import datetime
from decimal import Decimal as D

import pytest

from overview import selectors, views
from projects.models import Project
from projects.selectors import available_capital
from projects.services.portfolio import disbursement_record
from tests.projects.factories import ProposalFactory, accept_grant

pytestmark = pytest.mark.django_db


def test_granted_and_available_follow_the_portfolio(fund, ks_user):
    proposal = ProposalFactory(title="Digital byggesøknad")
    # Created directly: approving through the workflow is projects' concern and tested there.
    project = Project.objects.create(
        pk=500,  # apart from the fund fixture's project_refs 1 and 2
        proposal=proposal,
        title=proposal.title,
        responsible=proposal.lead_member,
        granted=D("5000000"),
        decided_by=ks_user,
    )
    accept_grant(project)
    disbursement_record(
        project=project, amount=D("2000000"), paid_on=datetime.date(2025, 3, 1), actor=ks_user
    )
    ov = selectors.fund_overview()
    assert ov.committed_unspent == D("3000000")
    assert ov.available == available_capital()
    assert ov.granted == ov.disbursed + D("3000000")
    row = next(r for r in ov.recovery if r["project_ref"] == project.pk)
    assert row["name"] == "Digital byggesøknad"
    assert row["development_cost"] == D("5000000")
    assert row["disbursed"] == D("2000000")
    assert views._chart_data(ov)["recovery"]["labels"][-1] == "Digital byggesøknad"


def test_public_page_lists_granted_projects_with_ledger_payments(client, fund, ks_user):
    from django.urls import reverse

    proposal = ProposalFactory(title="Digital byggesøknad")
    project = Project.objects.create(
        pk=501,
        proposal=proposal,
        title=proposal.title,
        responsible=proposal.lead_member,
        granted=D("5000000"),
        decided_by=ks_user,
    )
    accept_grant(project)
    disbursement_record(
        project=project, amount=D("1250000"), paid_on=datetime.date(2025, 3, 1), actor=ks_user
    )
    text = client.get(reverse("public:csv", args=["prosjekter"])).content.decode("utf-8-sig")
    assert text.splitlines()[0] == "prosjekt;status;innvilget;utbetalt;tilbakefort"
    assert "Digital byggesøknad;Pågår;5000000.00;1250000.00;0.00" in text
    html = client.get(reverse("public:transparency")).content.decode()
    assert "Digital byggesøknad" in html
