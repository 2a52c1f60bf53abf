"""KommIT-rådet and KS' decision in Chromium: scoring, recusal, the chair's outcome, approval
within available capital and refusal above it; axe on the council and portfolio pages."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from projects.models import Project, ProposalStatus
from projects.services.council import agenda_add, meeting_create
from tests.accounts.factories import CouncilMemberFactory
from tests.e2e.conftest import describe_violations
from tests.projects.factories import (
    accept_grant,
    complete_proposal,
    ensure_criteria,
    participant_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _criteria(transactional_db):
    ensure_criteria()


def _switch(page, login, user):
    page.context.clear_cookies()
    login(user)


def _assert_axe(axe):
    violations = axe()
    assert violations == [], describe_violations(violations)


def test_council_scores_recusal_outcome_and_ks_decision_within_capital(
    page, login, live_server, ks_user, axe
):
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("2000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD prosjektskjønnsmidler",
    )
    lead = participant_user()
    proposal = complete_proposal(
        lead_member=lead.organisation,
        created_by=lead,
        title="Digital barnevernsmelding",
        status=ProposalStatus.QUALIFIED,
    )
    # Asked for more than the fund has (3 000 000 + 500 000 kr), so that a grant within the
    # amount applied for can still be above the available capital.
    proposal.cost_years.filter(year=2027).update(development=Decimal("3000000"))
    meeting = meeting_create(
        held_on=datetime.date(2027, 3, 14), title="KommIT-rådet", actor=ks_user
    )
    item = agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)
    member = CouncilMemberFactory(first_name="Per")
    insider = CouncilMemberFactory(organisation=lead.organisation)
    chair = CouncilMemberFactory(is_council_chair=True)

    login(member)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Rådets kø").click()
    expect(page.get_by_test_id("council-queue")).to_contain_text("sak 27-01")
    expect(page.get_by_test_id("council-queue")).to_contain_text("Skjult til du har gitt poeng")
    _assert_axe(axe)
    page.get_by_role("link", name="Digital barnevernsmelding").click()
    expect(page.get_by_test_id("scores-hidden")).to_be_visible()
    for select in page.get_by_label("(vekt", exact=False).all():
        select.select_option("4")
    page.get_by_role("button", name="Lagre poeng").click()
    expect(page.get_by_role("status").first).to_contain_text("Poengene er lagret")
    expect(page.get_by_test_id("ranking")).to_contain_text("Vektet snitt 4,00, spredning 0,00")
    _assert_axe(axe)

    _switch(page, login, insider)
    page.goto(f"{live_server.url}/prosjekter/radet/sak/{item.pk}/")
    expect(page.get_by_test_id("recused")).to_be_visible()
    expect(page.get_by_role("button", name="Lagre poeng")).to_have_count(0)
    # A forged POST is refused by the service as well.
    page.goto(f"{live_server.url}/prosjekter/radet/")
    expect(page.get_by_test_id("council-queue")).to_contain_text("Inhabil")

    _switch(page, login, chair)
    page.goto(f"{live_server.url}/prosjekter/radet/sak/{item.pk}/")
    page.get_by_role("combobox", name="Rådets konklusjon").select_option(label="Prioritert")
    page.get_by_label("Protokolltekst").fill("Rådet prioriterer saken høyt.")
    page.get_by_role("button", name="Før konklusjon").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Prioritert")
    expect(page.get_by_test_id("proposal-status")).to_have_text("Prioritert av KommIT-rådet")

    _switch(page, login, ks_user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Portefølje").click()
    _assert_axe(axe)
    page.get_by_role("link", name="Digital barnevernsmelding").click()
    expect(page.get_by_test_id("available-capital")).to_contain_text("2 000 000")
    _assert_axe(axe)
    page.get_by_label("Innvilget 2027 (kr)").fill("1900000")
    page.get_by_label("Innvilget 2028 (kr)").fill("500000")
    page.get_by_role("button", name="Innvilg").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "overstiger fondets tilgjengelige kapital"
    )
    page.get_by_label("Innvilget 2027 (kr)").fill("1000000")
    page.get_by_label("Innvilget 2028 (kr)").fill("500000")
    page.get_by_role("button", name="Innvilg").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Pågår")
    # The applicant accepts the grant before anything is paid out (issue 18).
    accept_grant(Project.objects.get(proposal__title="Digital barnevernsmelding"))
    page.reload()
    page.get_by_label("Beløp (kr)").fill("400000")
    # Booked money is never dated after today (core.bounds): the disbursement is paid today.
    page.get_by_label("Utbetalt dato").fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="Bokfør utbetaling").click()
    expect(page.get_by_test_id("disbursed")).to_contain_text("400 000")
    _assert_axe(axe)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Portefølje").click()
    expect(page.get_by_test_id("available-capital")).to_contain_text("500 000")


def test_deputy_chair_decides_where_the_chair_is_recused_and_close_names_undecided_cases(
    page, login, live_server, ks_user, axe
):
    """Issue 19 §2 in the browser: Trondheim's chair on Trondheim's proposal is recused, the
    deputy chair records the outcome; closing the meeting with an undecided case is refused
    with the case named."""
    lead = participant_user()
    own = complete_proposal(
        lead_member=lead.organisation,
        created_by=lead,
        title="Felles løsning for digital byggesøknad",
        status=ProposalStatus.QUALIFIED,
    )
    other = complete_proposal(
        lead_member=participant_user().organisation,
        title="Digitalt tilsyn",
        status=ProposalStatus.QUALIFIED,
    )
    CouncilMemberFactory(is_council_chair=True, organisation=lead.organisation)
    deputy = CouncilMemberFactory(first_name="Per", last_name="Aas")
    meeting = meeting_create(
        held_on=datetime.date(2027, 3, 14), title="KommIT-rådet", actor=ks_user, deputy_chair=deputy
    )
    item = agenda_add(meeting=meeting, proposal=own, actor=ks_user)
    agenda_add(meeting=meeting, proposal=other, actor=ks_user)

    login(deputy)
    page.goto(f"{live_server.url}/prosjekter/radet/sak/{item.pk}/")
    for select in page.get_by_label("(vekt", exact=False).all():
        select.select_option("4")
    page.get_by_role("button", name="Lagre poeng").click()
    expect(page.get_by_role("status").first).to_contain_text("Poengene er lagret")
    expect(
        page.get_by_role("heading", name="Rådets konklusjon (nestleder, lederen er inhabil)")
    ).to_be_visible()
    page.get_by_role("combobox", name="Rådets konklusjon").select_option(label="Prioritert")
    page.get_by_label("Protokolltekst").fill("Nestleder fører konklusjonen; lederen er inhabil.")
    page.get_by_role("button", name="Før konklusjon").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Prioritert")
    _assert_axe(axe)

    _switch(page, login, ks_user)
    page.goto(f"{live_server.url}/prosjekter/radet/?mote={meeting.pk}")
    page.get_by_role("button", name="Lukk møtet").click()
    expect(page.get_by_role("alert").first).to_contain_text("Mangler: sak 27-02")
