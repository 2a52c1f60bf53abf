"""The "Avstemming" page: KS only, runs listed with their checks and rows, "Kjør avstemming nå"
runs once against double clicks, and the red banner KS staff see while the latest run failed."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.money import format_nok
from fund.selectors import fund_balance
from overview import reconciliation
from overview.models import ReconciliationRun

pytestmark = pytest.mark.django_db

URL = reverse("overview:reconciliation")


@pytest.fixture(autouse=True)
def _no_banner_cache():
    cache.delete(reconciliation.BANNER_CACHE_KEY)
    yield
    cache.delete(reconciliation.BANNER_CACHE_KEY)


def _failed_run(**kwargs):
    return ReconciliationRun.objects.create(
        started_at=kwargs.pop("started_at", timezone.now() - datetime.timedelta(hours=3)),
        finished_at=timezone.now(),
        ok=False,
        trigger="nightly",
        results=[
            {
                "name": "kids",
                "title": "KID unik og gyldig",
                "ok": False,
                "count": 1,
                "rows": ["Faktura F2018-00007: KID 12345678901 har feil kontrollsiffer"],
            }
        ],
    )


def test_ks_sees_the_runs_with_each_check_and_its_rows(ks_client):
    _failed_run()
    page = ks_client.get(URL).content.decode()
    assert "Faktura F2018-00007: KID 12345678901 har feil kontrollsiffer" in page
    assert "FEIL" in page and "Kjør avstemming nå" in page


def test_run_now_stores_a_manual_run_by_the_user(ks_client, ks_user):
    response = ks_client.post(URL)
    assert response.status_code == 302
    run = ReconciliationRun.objects.get()
    assert run.trigger == "manual" and run.run_by == ks_user and run.ok is True
    assert len(run.results) == len(reconciliation.CHECKS)


def test_a_double_click_runs_once_and_says_why(ks_client):
    ks_client.post(URL)
    response = ks_client.post(URL, follow=True)
    assert ReconciliationRun.objects.count() == 1
    assert "under ett minutt siden" in response.content.decode()


def test_a_run_more_than_a_minute_later_is_allowed(ks_client):
    ReconciliationRun.objects.create(
        started_at=timezone.now() - datetime.timedelta(minutes=2),
        finished_at=timezone.now(),
        ok=True,
        trigger="manual",
    )
    ks_client.post(URL)
    assert ReconciliationRun.objects.count() == 2


@pytest.mark.parametrize("who", ["municipal_client", "council_client"])
def test_only_ks_may_run_it(request, who):
    client = request.getfixturevalue(who)
    assert client.post(URL).status_code in (403, 404)
    assert client.get(URL).status_code in (403, 404)
    assert not ReconciliationRun.objects.exists()


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_failed_latest_run_shows_ks_a_red_banner_on_every_page(ks_user, municipal_user):
    _failed_run()
    for page in (reverse("home"), reverse("overview:fund_overview")):
        html = _as(ks_user).get(page).content.decode()
        assert 'data-testid="reconciliation-banner"' in html and URL in html
    html = _as(municipal_user).get(reverse("home")).content.decode()
    assert 'data-testid="reconciliation-banner"' not in html


def test_the_banner_goes_once_a_later_run_passes(ks_client):
    _failed_run()
    assert 'data-testid="reconciliation-banner"' in ks_client.get(reverse("home")).content.decode()
    ks_client.post(URL)  # passes on this empty fund, and clears the cached banner
    assert "reconciliation-banner" not in ks_client.get(reverse("home")).content.decode()


def test_ks_navigation_leads_to_the_page(ks_user, council_user):
    assert f'href="{URL}"' in _as(ks_user).get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in _as(council_user).get(reverse("home")).content.decode()


def test_the_overview_page_shows_the_balance_the_ledger_gives(ks_client, fund):
    """Rendered, the overview's balance is the fund's balance (check_figures_shown compares the
    same selectors without rendering)."""
    page = ks_client.get(reverse("overview:fund_overview")).content.decode()
    assert f'data-testid="balance">{format_nok(fund_balance())}<' in page
    assert reconciliation.check_figures_shown() == []


def test_the_bulk_kid_check_agrees_with_the_single_one():
    """invalid_kids (the reconciliation's fast path) says what is_valid says, for MOD10 and
    MOD11, valid and broken KIDs alike."""
    from invoicing import kid

    for method in ("mod10", "mod11"):
        kids = [
            kid.make_kid(series_digit=1, year=2018, sequence=n, method=method) for n in range(300)
        ]
        kids += [k[:-1] + str((int(k[-1]) + 3) % 10) for k in kids[:50]] + ["12a", "²1", "1"]
        expected = [k for k in kids if not kid.is_valid(k, method)]
        assert kid.invalid_kids(kids, method) == expected
        assert len(expected) >= 50


def test_a_page_figure_that_leaves_its_selector_is_named(fund, monkeypatch):
    """A bug that changes what the public page shows (here its capital figures) is caught by
    the figures check, naming the page and the figure."""
    from overview import selectors

    real = selectors.capital_by_source

    def off_by_one_krone(**kwargs):
        rows = real(**kwargs)
        rows[0].paid += 1
        return rows

    monkeypatch.setattr(selectors, "capital_by_source", off_by_one_krone)
    rows = reconciliation.check_figures_shown()
    assert any(r.startswith("Åpenhetssiden, innbetalt") for r in rows), rows
