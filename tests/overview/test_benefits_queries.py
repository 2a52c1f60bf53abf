"""Gevinster og utbredelse reads every table once: the same number of queries for one project
as for three (docs/bench.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Project
from projects.services.portfolio import project_close
from tests.hardening.builders import active_project

pytestmark = pytest.mark.django_db


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("overview:benefits")).status_code == 200
    return len(ctx.captured_queries)


def test_benefits_page_has_a_constant_number_of_queries(client, council_user, ks_user):
    client.force_login(council_user)
    project, _owner = active_project(ks_user, request=False)
    one = _queries(client)
    for _ in range(2):
        other, _owner = active_project(ks_user, request=False)
        project_close(project=other, status=Project.Status.COMPLETED, note="x", actor=ks_user)
    assert _queries(client) == one
