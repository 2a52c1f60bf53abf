"""The ledger's admin change list: year filter, the sum in the title, and queries that do not
grow with the number of entries (docs/bench.md)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record

pytestmark = pytest.mark.django_db
URL = reverse("admin:fund_ledgerentry_changelist")


def _grant(amount, year, n=0):
    return ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal(amount),
        occurred_on=datetime.date(year, 3, 1 + n % 28),
        description=f"KMD {year} nr {n}",
    )


def test_year_filter_lists_the_years_shows_that_year_and_sums_it(admin_client):
    _grant("100.50", 2018)
    _grant("200.25", 2020)
    _grant("300.00", 2020, n=1)

    page = admin_client.get(URL).content.decode()
    assert "?aar=2020" in page and "?aar=2019" in page and "?aar=2018" in page
    assert "sum 600,75 kr" in page

    response = admin_client.get(URL, {"aar": "2020"})
    html = response.content.decode()
    assert response.context["cl"].result_count == 2
    assert "sum 500,25 kr" in html
    assert "KMD 2018" not in html


def test_a_junk_year_shows_nothing_rather_than_failing(admin_client):
    _grant("100", 2018)
    response = admin_client.get(URL, {"aar": "tjue"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert "sum 0,00 kr" in response.content.decode()


def test_the_change_list_pages_by_fifty(admin_client):
    for n in range(51):
        _grant("1", 2019, n=n)
    response = admin_client.get(URL)
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].result_count == 51
    assert "sum 51,00 kr" in response.content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_entries(admin_client):
    _grant("1", 2018)
    few = _queries(admin_client)
    for n in range(30):
        _grant("1", 2018 + n % 9, n=n)
    assert _queries(admin_client) == few <= 10


def test_the_whole_ledgers_count_and_sum_are_cached_until_the_next_entry(admin_client):
    _grant("100", 2018)
    assert "sum 100,00 kr" in admin_client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        assert "sum 100,00 kr" in admin_client.get(URL).content.decode()
    assert not any("SUM(" in q["sql"].upper() for q in ctx.captured_queries)
    _grant("5", 2019)
    response = admin_client.get(URL)
    assert "sum 105,00 kr" in response.content.decode()
    assert response.context["cl"].result_count == 2
