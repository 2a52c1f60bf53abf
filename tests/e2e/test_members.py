"""Browser: the municipal confirm-participation flow and the staff member list, with axe."""

import pytest
from playwright.sync_api import expect

from members.models import Participation
from tests.e2e.conftest import describe_violations
from tests.members.factories import Member2017Factory, basis, succession

pytestmark = pytest.mark.django_db(transaction=True)


def test_municipal_user_confirms_participation_in_the_portal(page, login, axe, municipal_user):
    old = Member2017Factory()
    basis(old, 5084)
    succession(old, municipal_user.organisation)
    login(municipal_user)
    page.goto(page.url.split("/konto")[0] + "/medlemmer/min-organisasjon/")
    expect(page.get_by_test_id("share")).to_contain_text("101")
    expect(page.get_by_test_id("basis")).to_contain_text("5\xa0084 (2. kvartal 2017)")
    violations = axe()
    assert not violations, describe_violations(violations)
    page.get_by_role("button", name="Bekreft deltakelse").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()  # empty form: errors, no change
    assert not Participation.objects.exists()
    violations = axe()
    assert not violations, describe_violations(violations)
    page.get_by_label("Vedtaksdato").fill("2017-11-30")
    page.get_by_label("Vedtaksreferanse").fill("PS 45/17")
    page.get_by_label("Fakturareferanse").fill("4711")
    page.get_by_label("Kontaktperson").fill("Ingrid Bakke")
    page.get_by_label("Kontaktens e-post").fill("ingrid@example.no")
    page.get_by_role("button", name="Bekreft deltakelse").click()
    expect(page.get_by_test_id("participation-status")).to_contain_text("Bekreftet")
    assert Participation.objects.get().member == municipal_user.organisation


def test_staff_member_list_passes_axe(page, login, axe, ks_user):
    import datetime
    from decimal import Decimal

    from fund.services import ledger_record

    member = Member2017Factory(valid_to=None, name="Gausdal")
    basis(member, 6193)
    for kind, source, amount in [
        ("state_grant", "kmd", "125000000"),
        ("member_share", "members", "110000000"),
    ]:
        ledger_record(
            kind=kind,
            source=source,
            amount=Decimal(amount),
            occurred_on=datetime.date(2018, 6, 20),
            description="x",
        )
    login(ks_user)
    page.goto(page.url.split("/konto")[0] + "/medlemmer/oversikt/?struktur=2017")
    expect(page.get_by_role("cell", name="Gausdal")).to_be_visible()
    expect(page.get_by_test_id("matching")).to_contain_text("88")
    violations = axe()
    assert not violations, describe_violations(violations)
    page.get_by_role("link", name="Gausdal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gausdal")
    violations = axe()
    assert not violations, describe_violations(violations)
