"""The fund overview, the forecast and the public page in Chromium: plots drawn, axe clean."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from overview import services
from tests.e2e.conftest import describe_violations
from tests.overview.builders import build_fund

pytestmark = pytest.mark.django_db(transaction=True)


def _charts_drawn(page, ids):
    for chart_id in ids:
        expect(page.locator(f"#{chart_id}")).to_have_attribute("data-rendered", "true")


def test_ks_staff_sees_the_overview_with_plots_and_no_axe_violations(
    page, live_server, login, axe, ks_user
):
    build_fund(ks_user)
    login(ks_user)
    page.goto(f"{live_server.url}/fondet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Slik går det med fondet")
    _charts_drawn(page, ["chart-sources", "chart-flows", "chart-recovery", "chart-fylker"])
    expect(page.get_by_test_id("balance")).to_contain_text("kr")
    violations = axe()
    assert violations == [], describe_violations(violations)
    # Printed: charts and tables stay, download links and the language/logout tools go.
    page.emulate_media(media="print")
    expect(page.locator(".df-export").first).to_be_hidden()
    expect(page.get_by_role("button", name="Logg ut")).to_be_hidden()
    expect(page.locator("#chart-flows")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_be_visible()


def test_council_member_reads_the_overview(page, live_server, login, council_user, ks_user):
    build_fund(ks_user)
    login(council_user)
    page.goto(f"{live_server.url}/fondet/")
    _charts_drawn(page, ["chart-flows"])
    expect(page.get_by_role("link", name="Prognose for selvfinansiering")).to_have_count(0)


def test_forecast_scenario_renders_with_plot_and_compares(page, live_server, login, axe, ks_user):
    build_fund(ks_user)
    kwargs = {
        "years": 3,
        "grant_quarters": 4,
        "other_inflow_per_quarter": Decimal("0"),
        "solutions": [
            {
                "label": "Digiorden",
                "fee_per_adopter": "40000",
                "potential_adopters": 300,
                "adopted_so_far": 0,
                "saturation": "0.6",
                "launch_offset": 0,
                "ramp_quarters": 12,
            }
        ],
        "actor": ks_user,
    }
    a = services.scenario_save(
        name="Basis",
        pipeline=[
            {"label": "Stort", "development_cost": "50000000", "start_offset": 0, "quarters": 2}
        ],
        **kwargs,
    )
    b = services.scenario_save(name="Uten portefølje", pipeline=[], **kwargs)
    login(ks_user)
    page.goto(f"{live_server.url}/fondet/prognose/{a.pk}/")
    _charts_drawn(page, ["chart-forecast"])
    expect(page.get_by_test_id("verdict")).to_contain_text("går tomt")
    violations = axe()
    assert violations == [], describe_violations(violations)

    page.goto(f"{live_server.url}/fondet/prognose/")
    page.get_by_label("Sammenlign Basis").check()
    page.get_by_label("Sammenlign Uten portefølje").check()
    page.get_by_role("button", name="Sammenlign valgte").click()
    _charts_drawn(page, ["chart-forecast"])
    expect(page.get_by_test_id("compare")).to_contain_text(b.name)
    violations = axe()
    assert violations == [], describe_violations(violations)


def test_new_scenario_form_has_no_axe_violations(page, live_server, login, axe, ks_user):
    login(ks_user)
    page.goto(f"{live_server.url}/fondet/prognose/ny/")
    expect(page.get_by_label("Navn")).to_be_visible()
    violations = axe()
    assert violations == [], describe_violations(violations)


def test_public_page_opens_without_login_and_passes_axe(page, live_server, axe, ks_user):
    build_fund(ks_user)
    page.goto(f"{live_server.url}/apenhet/")
    expect(page.get_by_test_id("public-participants")).to_contain_text("Lillehammer")
    violations = axe()
    assert violations == [], describe_violations(violations)


def test_reports_page_has_no_axe_violations(page, live_server, login, axe, ks_user):
    build_fund(ks_user)
    login(ks_user)
    page.goto(f"{live_server.url}/fondet/rapporter/")
    expect(page.get_by_test_id("kmd")).to_contain_text("Prosjekt 1")
    violations = axe()
    assert violations == [], describe_violations(violations)
