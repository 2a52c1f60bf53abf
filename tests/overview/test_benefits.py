"""Gevinster og utbredelse (issue 18 §5): per project the plan against the realised benefits
and the adoption of its solution by year against the target, as a plot and a table of the same
numbers, with CSV export; KS and the council read it, municipal users do not."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from overview.benefits import benefits_and_adoption
from projects.models import BenefitReport, BenefitReportLine, Project
from projects.services.portfolio import project_close
from repayments.models import AccessAgreement
from tests.hardening.builders import active_project
from tests.repayments.factories import SolutionFactory, kommune

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(ks_user):
    project, owner = active_project(ks_user, request=False)
    project_close(project=project, status=Project.Status.COMPLETED, note="Ferdig", actor=ks_user)
    report = BenefitReport.objects.create(project=project, year=2028, reported_by=owner)
    BenefitReportLine.objects.create(report=report, kind="time", realised=Decimal("1500000"))
    solution = SolutionFactory(project=project, expected_adoption=Decimal("50"))
    for number, (start, left) in enumerate(
        [
            (datetime.date(2027, 3, 1), None),
            (datetime.date(2028, 5, 1), None),
            (datetime.date(2027, 6, 1), datetime.date(2027, 12, 31)),
        ]
    ):
        AccessAgreement.objects.create(
            solution=solution,
            member=kommune(1000 + number, number=f"89{number:02d}"),  # outside the factory range
            status="active",
            requested_by=owner,
            fdvu_accepted_at=timezone.now(),
            fdvu_terms_accepted="Likt",
            activated_on=start,
            left_on=left,
        )
    return project


def test_plan_realised_and_adoption_per_year(launched):
    entry = next(
        e for e in benefits_and_adoption(today=datetime.date(2028, 12, 1)) if e.project == launched
    )
    rows = {r["year"]: r for r in entry.rows}
    assert rows[2028]["planned"] == Decimal("2000000.00")
    assert rows[2028]["realised"] == Decimal("1500000.00")
    assert rows[2027]["realised"] is None
    assert (rows[2027]["adoption"], rows[2028]["adoption"]) == (2, 2)  # one left end of 2027
    assert entry.adoption_target is not None
    assert entry.promised_adoption == launched.proposal.expected_adoption


def test_page_has_a_plot_and_a_table_and_exports(
    client, ks_user, council_user, municipal_user, launched
):
    url = reverse("overview:benefits")
    client.force_login(council_user)
    page = client.get(url).content.decode()
    assert f'id="chart-benefits-{launched.pk}"' in page
    assert f'data-testid="benefits-table-{launched.pk}"' in page
    assert "1\xa0500\xa0000\xa0kr" in page and "2\xa0000\xa0000\xa0kr" in page
    client.force_login(ks_user)
    export = client.get(reverse("overview:benefits_export", args=["csv"]))
    text = export.content.decode("utf-8-sig")
    assert f"{launched.title};2028;2000000.00;1500000.00;" in text
    assert client.get(reverse("overview:benefits_export", args=["xlsx"])).status_code == 200
    client.force_login(municipal_user)
    assert client.get(url).status_code == 403
