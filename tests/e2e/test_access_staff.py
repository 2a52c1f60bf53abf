"""KS staff: register a solution's prices, preview them, publish; pages pass axe."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import describe_violations
from tests.repayments.factories import SolutionFactory, kommune, make_participant

pytestmark = pytest.mark.django_db(transaction=True)


def test_ks_sets_digiorden_prices_previews_and_publishes(page, login, ks_user, axe):
    # The preview charges participants only (a member that declined pays nothing).
    make_participant(kommune(4_000, name="Liten kommune"), paid=True)
    make_participant(kommune(27_785, name="Stor kommune"), paid=True)
    SolutionFactory(name="Digiorden")
    login(ks_user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Løsninger").click()
    assert (violations := axe()) == [], describe_violations(violations)
    page.get_by_role("link", name="Digiorden").click()
    page.get_by_role("link", name="Prismodell").click()
    page.get_by_label("Prismodell").select_option("size_class")
    expect(page.get_by_label("Fast beløp (kr)")).to_be_hidden()  # the script hides unused fields
    page.get_by_label("Beløp per størrelsesklasse").fill("0: 25000\n5000: 40000\n10001: 60000")
    assert (violations := axe()) == [], describe_violations(violations)
    page.get_by_role("button", name="Lagre og forhåndsvis").click()
    totals = page.get_by_test_id("preview-totals")
    expect(totals).to_contain_text("85\xa0000\xa0kr")  # 100 %: 25 000 + 60 000
    assert (violations := axe()) == [], describe_violations(violations)
    page.get_by_role("button", name="Publiser løsningen med disse prisene").click()
    expect(page.get_by_role("status").first).to_contain_text("publisert")
    expect(page.get_by_test_id("recovery")).to_be_visible()
    assert (violations := axe()) == [], describe_violations(violations)
