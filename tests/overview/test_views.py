"""Every overview view for every role, exports, scenarios and reports."""

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fund.models import ForecastScenario, FundReport

pytestmark = pytest.mark.django_db

STAFF_OR_COUNCIL = [
    reverse("overview:fund_overview"),
    reverse("overview:overview_export", args=["kapital", "csv"]),
    reverse("overview:overview_export", args=["fylker", "xlsx"]),
]
STAFF_ONLY = [
    reverse("overview:scenario_list"),
    reverse("overview:scenario_create"),
    reverse("overview:scenario_compare"),
    reverse("overview:reports"),
    reverse("overview:kmd_report", args=["csv"]),
]


@pytest.mark.parametrize("url", STAFF_OR_COUNCIL + STAFF_ONLY)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url", STAFF_OR_COUNCIL + STAFF_ONLY)
def test_municipal_user_is_refused(municipal_client, url):
    assert municipal_client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_OR_COUNCIL)
def test_council_reads_the_overview(council_client, url):
    assert council_client.get(url).status_code == 200


@pytest.mark.parametrize("url", STAFF_ONLY)
def test_council_cannot_use_forecast_or_reports(council_client, url):
    assert council_client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_OR_COUNCIL + STAFF_ONLY)
def test_ks_staff_sees_everything(ks_client, url):
    assert ks_client.get(url).status_code == 200


def test_scenario_urls_refuse_other_roles(client, council_client, municipal_user, ks_user):
    s = ForecastScenario.objects.create(name="Basis", created_by=ks_user)
    urls = [
        reverse("overview:scenario_detail", args=[s.pk]),
        reverse("overview:scenario_edit", args=[s.pk]),
        reverse("overview:scenario_export", args=[s.pk, "csv"]),
    ]
    for url in urls:
        assert council_client.get(url).status_code == 403
    council_client.logout()
    for url in urls:
        assert client.get(url).status_code == 302
    assert client.post(reverse("overview:scenario_delete", args=[s.pk])).status_code == 302
    assert ForecastScenario.objects.filter(pk=s.pk).exists()


def test_unknown_export_table_or_format_is_404(ks_client):
    for args in (["brukere", "csv"], ["kapital", "pdf"]):
        assert ks_client.get(reverse("overview:overview_export", args=args)).status_code == 404
    assert ks_client.get(reverse("overview:scenario_detail", args=[999])).status_code == 404


def test_overview_page_shows_ledger_figures_and_chart_data(fund, ks_client):
    response = ks_client.get(reverse("overview:fund_overview"))
    html = response.content.decode()
    assert "41\xa0305\xa0700\xa0kr" in html  # paid in
    assert "4\xa0200\xa0001\xa0kr" in html  # disbursed, rounded to whole kroner on screen
    assert 'id="overview-data"' in html
    assert "<script>" not in html  # no inline script: data only through json_script
    data = response.context["chart_data"]
    assert data["years"] == [2017, 2018, 2019, 2020, 2021]


def test_overview_view_stays_within_the_query_budget(
    fund, ks_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        ks_client.get(reverse("overview:fund_overview"))


def test_overview_export_csv_and_xlsx_hold_the_table(fund, ks_client):
    csv = ks_client.get(reverse("overview:overview_export", args=["kapital", "csv"]))
    text = b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode("utf-8-sig")
    assert text.splitlines()[0] == "kilde;tilsagn;innbetalt"
    assert "25000000.00" in text
    xlsx = ks_client.get(reverse("overview:overview_export", args=["prosjekter", "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A1"].value == "prosjekt"
    assert ws["C2"].value == 3000000


def _scenario_post(name="Forsiktig", years="2", **extra):
    data = {
        "name": name,
        "description": "",
        "years": years,
        "grant_quarters": "4",
        "other_inflow_per_quarter": "0",
        "pipeline-TOTAL_FORMS": "1",
        "pipeline-INITIAL_FORMS": "0",
        "pipeline-0-label": "Stort prosjekt",
        "pipeline-0-development_cost": "999000000",
        "pipeline-0-start_offset": "0",
        "pipeline-0-quarters": "1",
        "solutions-TOTAL_FORMS": "1",
        "solutions-INITIAL_FORMS": "0",
        "solutions-0-label": "Løsning A",
        "solutions-0-fee_per_adopter": "10000",
        "solutions-0-potential_adopters": "100",
        "solutions-0-adopted_so_far": "0",
        "solutions-0-saturation": "50",
        "solutions-0-launch_offset": "0",
        "solutions-0-ramp_quarters": "4",
    }
    data.update(extra)
    return data


def test_staff_saves_a_scenario_and_sees_the_dry_quarter(fund, ks_client, ks_user):
    response = ks_client.post(reverse("overview:scenario_create"), _scenario_post())
    scenario = ForecastScenario.objects.get(name="Forsiktig")
    assert response.status_code == 302
    assert scenario.created_by == ks_user
    assert scenario.assumptions["solutions"][0]["saturation"] == "0.500"
    assert D(scenario.assumptions["solutions"][0]["fee_per_adopter"]) == D("10000")
    page = ks_client.get(reverse("overview:scenario_detail", args=[scenario.pk]))
    result = page.context["result"]
    assert result.dry_quarter == result.rows[0].quarter  # 999 M in the first quarter
    assert result.unaffordable == ["Stort prosjekt"]
    # 50 adopters over 4 quarters: 12, 13, 12, 13 -> fees 120 000, 130 000, ...
    fees = [r.access_fees for r in result.rows[:4]]
    assert fees == [D("120000"), D("130000"), D("120000"), D("130000")]
    assert 'id="forecast-data"' in page.content.decode()


def test_invalid_scenario_input_changes_nothing(ks_client):
    bad = _scenario_post(years="0", **{"solutions-0-adopted_so_far": "500"})
    response = ks_client.post(reverse("overview:scenario_create"), bad)
    assert response.status_code == 200
    assert response.context["form"].errors["years"]
    assert response.context["solutions"].forms[0].errors["adopted_so_far"]
    assert not ForecastScenario.objects.exists()


def test_scenario_name_must_be_unique(ks_client, ks_user):
    ForecastScenario.objects.create(name="Forsiktig", created_by=ks_user)
    response = ks_client.post(reverse("overview:scenario_create"), _scenario_post())
    assert response.status_code == 200
    assert ForecastScenario.objects.count() == 1


def test_scenarios_compare_side_by_side_and_export(fund, ks_client):
    ks_client.post(reverse("overview:scenario_create"), _scenario_post(name="A"))
    ks_client.post(
        reverse("overview:scenario_create"),
        _scenario_post(name="B", years="1", **{"pipeline-0-development_cost": "1000"}),
    )
    a, b = ForecastScenario.objects.order_by("name")
    url = reverse("overview:scenario_compare") + f"?s={a.pk}&s={b.pk}"
    response = ks_client.get(url)
    assert len(response.context["quarters"]) == 4  # the shorter horizon
    assert [s.name for s, _r in response.context["compared"]] == ["A", "B"]
    export = ks_client.get(
        reverse("overview:scenario_compare_export", args=["csv"]) + f"?s={a.pk}&s={b.pk}"
    )
    header = export.content.decode("utf-8-sig").splitlines()[0]
    assert header == "kvartal;A: kapital;A: disponibelt;B: kapital;B: disponibelt"


def test_scenario_export_xlsx_has_one_row_per_quarter(fund, ks_client):
    ks_client.post(reverse("overview:scenario_create"), _scenario_post(years="3"))
    s = ForecastScenario.objects.get()
    response = ks_client.get(reverse("overview:scenario_export", args=[s.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 1 + 12


def test_staff_deletes_a_scenario(ks_client, ks_user):
    s = ForecastScenario.objects.create(name="Gammel", created_by=ks_user)
    ks_client.post(reverse("overview:scenario_delete", args=[s.pk]))
    assert not ForecastScenario.objects.exists()


def test_kmd_report_csv_lists_development_costs_per_project_with_kmd_part(fund, ks_client):
    response = ks_client.get(reverse("overview:kmd_report", args=["csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("prosjekt;utviklingskostnad_utbetalt;kmd_andel")
    # KMD's share of paid-in capital: 25 000 000 / 41 305 700.
    share = D("25000000") / D("41305700")
    assert f"Prosjekt 1;3000000.00;{(D('3000000') * share).quantize(D('0.01'))}" in lines[1]
    assert "1200000.50" in lines[2]


def test_kmd_report_pdf_renders(fund, ks_client):
    response = ks_client.get(reverse("overview:kmd_report", args=["pdf"]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")


def test_annual_report_is_rendered_by_the_task_and_downloadable(
    fund, ks_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = ks_client.post(reverse("overview:reports"), {"year": "2019"})
    assert response.status_code == 302
    report = FundReport.objects.get(year=2019)
    assert report.pdf and report.rendered_at
    download = ks_client.get(reverse("overview:annual_report_pdf", args=[2019]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Ordering again replaces the file, one report per year.
    with django_capture_on_commit_callbacks(execute=True):
        ks_client.post(reverse("overview:reports"), {"year": "2019"})
    assert FundReport.objects.filter(year=2019).count() == 1


def test_annual_report_for_a_future_year_is_refused(ks_client):
    year = datetime.date.today().year + 1
    response = ks_client.post(reverse("overview:reports"), {"year": str(year)}, follow=True)
    assert not FundReport.objects.exists()
    assert "Velg et år" in response.content.decode()


def test_annual_report_task_is_idempotent_and_ignores_missing_ids(fund, settings, tmp_path):
    from overview.tasks import render_annual_report

    settings.MEDIA_ROOT = tmp_path
    report = FundReport.objects.create(year=2018)
    render_annual_report(report.pk)
    render_annual_report(report.pk)
    assert len(list((tmp_path / "reports").iterdir())) == 1
    render_annual_report(987654)  # nothing happens


def test_annual_report_pdf_text_has_the_year_flows(fund, settings, tmp_path):
    import subprocess

    from overview.annual import annual_report_render

    settings.MEDIA_ROOT = tmp_path
    report = annual_report_render(report=FundReport.objects.create(year=2017))
    text = subprocess.run(
        ["pdftotext", report.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "årsrapport 2017" in text
    assert "25 000 000 kr" in text.replace("\xa0", " ")


def test_json_export_parses(client, fund):
    payload = json.loads(client.get(reverse("public:json")).content)
    assert {"participants", "projects", "solutions"} <= payload.keys()
