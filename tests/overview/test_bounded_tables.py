"""The overview and the public page show a bounded number of projects and solutions (the
largest or latest, with the count); the exports have them all; the ledger's sums are cached
only until the ledger changes; the queries do not grow with the projects and solutions."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from overview import selectors

pytest.importorskip("repayments.models")
pytest.importorskip("projects.models")

from repayments.models import PriceModel  # noqa: E402
from tests.repayments.factories import SolutionFactory  # noqa: E402
from tests.repayments.factories import project as make_project  # noqa: E402

pytestmark = pytest.mark.django_db


def _disburse(actor, project_ref, amount):
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D(amount),
        occurred_on=datetime.date(2021, 6, 1),
        description=f"Prosjekt {project_ref}",
        actor=actor,
        project_ref=project_ref,
    )


def _published_solution(name, available_on):
    solution = SolutionFactory(
        name=name,
        is_published=True,
        published_on=available_on,
        available_on=available_on,
    )
    PriceModel.objects.create(solution=solution, kind="flat", parameters={"amount": "40000"})
    return solution


def _csv_lines(response):
    return response.content.decode("utf-8-sig").splitlines()


def test_overview_shows_the_largest_disbursements_and_exports_every_project(
    fund, ks_client, ks_user, monkeypatch
):
    for ref, amount in ((10, "100"), (11, "2000"), (12, "5000000")):
        _disburse(ks_user, ref, amount)
    monkeypatch.setattr(selectors, "TABLE_LIMIT", 2)
    response = ks_client.get(reverse("overview:fund_overview"))
    ov = response.context["ov"]
    assert [r["project_ref"] for r in ov.recovery] == [12, 1]  # 5 000 000, then 3 000 000
    assert ov.recovery_count == 5
    assert len(response.context["chart_data"]["recovery"]["labels"]) == 2
    assert 'data-testid="recovery-count"' in response.content.decode()
    export = ks_client.get(reverse("overview:overview_export", args=["prosjekter", "csv"]))
    assert len(_csv_lines(export)) == 1 + 5


def test_the_largest_disbursements_follow_a_new_ledger_entry(fund, ks_client, ks_user, monkeypatch):
    """The choice of the largest disbursements is kept with the ledger's state: a new entry
    that makes another project the largest shows on the next view."""
    monkeypatch.setattr(selectors, "TABLE_LIMIT", 2)
    _disburse(ks_user, 12, "5000000")
    first = ks_client.get(reverse("overview:fund_overview")).context["ov"].recovery
    assert first[0]["project_ref"] == 12
    _disburse(ks_user, 13, "9000000")
    after = ks_client.get(reverse("overview:fund_overview")).context["ov"].recovery
    assert [r["project_ref"] for r in after] == [13, 12]
    assert after[0]["disbursed"] == D("9000000")


def test_overview_figures_follow_a_new_ledger_entry(fund, ks_client, ks_user):
    before = ks_client.get(reverse("overview:fund_overview")).context["ov"]
    _disburse(ks_user, 99, "1000")
    after = ks_client.get(reverse("overview:fund_overview")).context["ov"]
    assert after.balance == before.balance - D("1000")
    assert after.recovery_count == before.recovery_count + 1
    assert after.timeline["years"][-1]["out"] == D("1000")


def test_public_page_shows_the_latest_projects_and_solutions_and_the_csv_all(
    client, ks_user, monkeypatch
):
    for title in ("Første", "Andre", "Tredje"):
        make_project(actor=ks_user, title=title)
    for year, name in ((2024, "Eldst"), (2025, "Midt"), (2026, "Nyest")):
        _published_solution(name, datetime.date(year, 1, 1))
    monkeypatch.setattr(selectors, "TABLE_LIMIT", 2)
    response = client.get(reverse("public:transparency"))
    assert [p["name"] for p in response.context["projects"]] == ["Tredje", "Andre"]
    assert [s["name"] for s in response.context["solutions"]] == ["Nyest", "Midt"]
    html = response.content.decode()
    assert 'data-testid="public-projects-count"' in html
    assert 'data-testid="public-solutions-count"' in html
    assert "Første" not in html and "Eldst" not in html
    assert len(_csv_lines(client.get(reverse("public:csv", args=["prosjekter"])))) == 1 + 3
    assert len(_csv_lines(client.get(reverse("public:csv", args=["losninger"])))) == 1 + 3


def test_public_page_queries_do_not_grow_with_projects_and_solutions(client, ks_user):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("public:transparency")).status_code == 200
        return len(captured)

    # Each count is taken with the participant list kept (the second request of the same data),
    # so both measure the same path.
    make_project(actor=ks_user, title="Prosjekt 0")
    _published_solution("Løsning 0", datetime.date(2026, 1, 1))
    queries()
    one = queries()
    for i in range(1, 6):
        make_project(actor=ks_user, title=f"Prosjekt {i}")
        _published_solution(f"Løsning {i}", datetime.date(2026, 1, 1))
    queries()
    assert queries() == one <= 15
