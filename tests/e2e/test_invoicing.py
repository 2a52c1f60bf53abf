"""Invoicing in the browser: a municipal user finds its invoice; KS staff run a batch and watch
its progress; every page passes axe (WCAG 2.1 AA, no serious/critical violations)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import describe_violations
from tests.invoicing.factories import confirmed_participation, issue_manual

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_municipal_user_finds_and_opens_its_invoice(page, login, live_server, municipal_user, axe):
    invoice = issue_manual(buyer=municipal_user.organisation, amount="555700", deliver=False)
    login(municipal_user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fakturaer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fakturaer og brev")
    assert axe() == [], describe_violations(axe())
    page.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_text("555 700,00 kr").first).to_be_visible()
    expect(page.get_by_text(invoice.kid)).to_be_visible()
    violations = axe()
    assert violations == [], describe_violations(violations)
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned EHF (XML)").click()
    assert download.value.suggested_filename == f"{invoice.number}.xml"


def test_staff_runs_the_invoicing_batch_and_sees_it_finish(
    page, login, live_server, ks_user, axe, monkeypatch
):
    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("20000.00")
    )
    for _ in range(2):
        confirmed_participation(actor=ks_user)
    login(ks_user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fakturering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fakturering")
    violations = axe()
    assert violations == [], describe_violations(violations)
    page.get_by_label("Massejobb").select_option("invoice_shares")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fakturer alle bekreftede medlemmer")
    expect(page.get_by_role("status").filter(has_text="2 av 2 ferdig")).to_be_visible(
        timeout=30_000
    )
    violations = axe()
    assert violations == [], describe_violations(violations)
