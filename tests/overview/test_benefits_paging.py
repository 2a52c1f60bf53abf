"""Gevinster og utbredelse shows a page of projects at a time and reads only their rows, so the
page costs the same with 60 or 6 000 projects in the portfolio (issue 22); the export has every
project (docs/decisions/overview-benefits-paging.md)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from overview import benefits
from projects.models import Project
from tests.hardening.builders import active_project

pytestmark = pytest.mark.django_db


def _shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="benefits-(\d+)"', html)]


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), ctx.captured_queries


def test_page_shows_a_page_of_projects_by_title_and_the_export_has_all(
    client, council_user, ks_user, monkeypatch
):
    monkeypatch.setattr(benefits, "PAGE_SIZE", 2)
    projects = [active_project(ks_user, request=False)[0] for _ in range(3)]
    by_title = list(Project.objects.order_by("title", "pk").values_list("pk", flat=True))
    assert sorted(by_title) == sorted(p.pk for p in projects)
    client.force_login(council_user)
    url = reverse("overview:benefits")
    first, _ = _get(client, url)
    second, _ = _get(client, f"{url}?side=2")
    assert _shown(first) == by_title[:2]
    assert _shown(second) == by_title[2:]
    assert "side=2" in first  # the pager links to the next page
    export = client.get(reverse("overview:benefits_export", args=["csv"]))
    text = export.content.decode("utf-8-sig")
    for project in projects:  # every project's plan years, whatever page it is on
        assert f"{project.title};" in text


def test_a_page_reads_only_its_own_projects_rows(client, council_user, ks_user, monkeypatch):
    """The queries after the page's ids name only the page's projects: with one project per
    page, the benefit plan, solution and access rows are read for that project alone, and the
    number of queries is the same with one project as with three."""
    monkeypatch.setattr(benefits, "PAGE_SIZE", 1)
    client.force_login(council_user)
    url = reverse("overview:benefits")
    active_project(ks_user, request=False)
    _html, few = _get(client, url)
    for _ in range(2):
        active_project(ks_user, request=False)
    html, many = _get(client, url)
    assert len(many) == len(few)
    assert len(_shown(html)) == 1
    shown = Project.objects.get(pk=_shown(html)[0])
    plan = next(q["sql"] for q in many if 'FROM "projects_benefityear"' in q["sql"])
    assert re.search(r'"proposal_id" IN \((\d+)\)', plan).group(1) == str(shown.proposal_id)
    entries = benefits.benefits_and_adoption(
        projects=[_shown(html)[0]], today=datetime.date(2028, 1, 1)
    )
    assert [e.project.pk for e in entries] == _shown(html)


def test_selector_without_projects_gives_every_running_or_completed_project(ks_user):
    projects = [active_project(ks_user, request=False)[0] for _ in range(2)]
    Project.objects.filter(pk=projects[0].pk).update(status=Project.Status.STOPPED)
    assert [e.project.pk for e in benefits.benefits_and_adoption()] == [projects[1].pk]
