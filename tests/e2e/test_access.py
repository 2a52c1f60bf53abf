"""A municipal user asks for access to a shared solution: the three cases of figure 4."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import describe_violations
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    make_participant,
    population,
    published,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def digiorden(ks_user, municipal_user):
    population(municipal_user.organisation, 5_084)
    return published(
        SolutionFactory(name="Digiorden", fdvu_terms="Kommunen betaler 500 kr i måneden."),
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=ks_user,
    )


def _open_solution(page, login, user):
    login(user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Fellesløsninger"
    ).click()
    page.get_by_role("link", name="Digiorden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digiorden")


def test_paid_up_participant_gets_access_and_sees_its_fee(
    page, login, municipal_user, digiorden, axe
):
    make_participant(municipal_user.organisation, paid=True)
    _open_solution(page, login, municipal_user)
    expect(page.get_by_test_id("fee")).to_have_text("40\xa0000\xa0kr")
    assert (violations := axe()) == [], describe_violations(violations)
    page.get_by_label("Vi godtar vilkårene").check()
    page.get_by_role("button", name="Be om tilgang").click()
    expect(page.get_by_role("status").first).to_contain_text("Dere har fått tilgang")
    expect(page.get_by_test_id("agreement-status")).to_contain_text("Tilgang gitt")
    expect(page.get_by_test_id("agreement-status")).to_contain_text("fakturert")
    assert (violations := axe()) == [], describe_violations(violations)


def test_participant_with_unpaid_share_is_told_to_pay_first(page, login, municipal_user, digiorden):
    make_participant(municipal_user.organisation, paid=False, share_population=5_084)
    _open_solution(page, login, municipal_user)
    expect(page.get_by_text("Andelen til DigiFin er ikke betalt")).to_be_visible()
    page.get_by_label("Vi godtar vilkårene").check()
    page.get_by_role("button", name="Be om tilgang").click()
    expect(page.get_by_test_id("agreement-status")).to_contain_text("Venter på betalt andel")
    expect(page.get_by_test_id("agreement-status")).to_contain_text("101\xa0680\xa0kr")
    expect(page.get_by_test_id("share-invoice")).to_be_visible()


def test_non_participant_is_refused_with_how_to_join(page, login, municipal_user, digiorden, axe):
    _open_solution(page, login, municipal_user)
    how = page.get_by_test_id("how-to-join")
    expect(how).to_contain_text("Dere deltar ikke i DigiFin")
    expect(how).to_contain_text("fakturareferanse")
    expect(page.get_by_role("button", name="Be om tilgang")).to_have_count(0)
    assert (violations := axe()) == [], describe_violations(violations)
