"""Issue 18 §1–3 in Chromium: KS approves → the applicant receives the tilsagnsbrev (PDF text:
amount, per-year budget, DF number, sak YY-NN, conditions, deadline) → the applicant accepts."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from projects.models import Grant, ProposalStatus, ScoringCriterion
from projects.services.council import agenda_add, meeting_create, outcome_record, score_record
from tests.accounts.factories import CouncilMemberFactory
from tests.e2e.conftest import describe_violations
from tests.pdf_support import pdf_text
from tests.projects.factories import complete_proposal, ensure_criteria, participant_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _criteria(transactional_db):
    ensure_criteria()  # also the standard grant conditions (flushed between browser tests)


@pytest.fixture
def applicant(transactional_db):
    return participant_user(first_name="Kari", last_name="Søker")


@pytest.fixture
def prioritised(applicant, ks_user):
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("5000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD prosjektskjønnsmidler",
    )
    # 1 000 000 kr (2027) + 500 000 kr (2028) applied for from the fund
    proposal = complete_proposal(
        lead_member=applicant.organisation,
        created_by=applicant,
        title="Digital barnevernsmelding",
        reference="DF-2026-0007",
        status=ProposalStatus.QUALIFIED,
    )
    chair = CouncilMemberFactory(is_council_chair=True)
    meeting = meeting_create(held_on=datetime.date(2026, 9, 10), title="Møte 1/2026", actor=ks_user)
    item = agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)
    criteria = ScoringCriterion.objects.filter(active=True)
    score_record(item=item, values=dict.fromkeys(criteria, (4, "")), actor=chair)
    outcome_record(item=item, outcome="prioritised", minutes="Prioritert.", actor=chair)
    return proposal


def test_ks_approves_the_applicant_reads_the_tilsagnsbrev_and_accepts(
    page, login, live_server, ks_user, applicant, prioritised, axe
):
    login(ks_user)
    page.goto(f"{live_server.url}/prosjekter/beslutning/{prioritised.pk}/")
    page.get_by_label("Innvilget 2027 (kr)").fill("1000000")
    page.get_by_label("Innvilget 2028 (kr)").fill("500000")
    page.get_by_role("button", name="Innvilg").click()
    expect(page.get_by_test_id("project-grant")).to_contain_text("Tilbudt / venter på aksept")
    grant = Grant.objects.get(project__proposal=prioritised)
    deadline = f"{grant.accept_by:%d.%m.%Y}"

    page.context.clear_cookies()
    login(applicant)
    page.goto(f"{live_server.url}/prosjekter/portefolje/{grant.project_id}/tilsagn/")
    expect(page.get_by_test_id("grant-status")).to_have_text("Tilbudt / venter på aksept")
    expect(page.get_by_test_id("grant-deadline")).to_have_text(deadline)
    violations = axe()
    assert not violations, describe_violations(violations)
    letter = page.get_by_test_id("grant-letters").get_by_role("link").first
    expect(letter).to_contain_text("Tilsagnsbrev")
    response = page.request.get(f"{live_server.url}{letter.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(response.body()).replace("\xa0", " ").split())
    for expected in [
        "1 500 000 kr",  # the amount
        "2027 1 000 000 kr",  # the per-year budget
        "2028 500 000 kr",
        "DF-2026-0007",
        "sak 26-01",
        "Bare utviklingskostnader",  # the conditions
        "FDVU utenfor fondet",
        "Rapporteringsplikt",
        f"Aksept innen {deadline}",  # the deadline
    ]:
        assert expected in text, expected

    page.get_by_label("Navn og stilling på den som signerer for søker").fill(
        "Ola Nordmann, kommunedirektør"
    )
    page.get_by_label("Vi aksepterer tilsagnet og vilkårene").check()
    page.get_by_role("button", name="Aksepter tilsagnet").click()
    expect(page.get_by_test_id("grant-status")).to_have_text("Akseptert")
    expect(page.get_by_test_id("grant-accepted")).to_contain_text("Ola Nordmann, kommunedirektør")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACCEPTED and grant.accepted_by == applicant
