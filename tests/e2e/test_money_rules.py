"""Issue 16 §3–4 in Chromium: a grant above the amount applied for, a disbursement dated after
today and an invitation to a member that has paid are each refused with a message that names
the rule."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from members.models import Participation
from projects.models import Project, ProposalStatus
from projects.services.payments import payment_request_submit
from projects.services.portfolio import project_approve
from tests.invoicing.factories import member_with_address
from tests.members.factories import ParticipationFactory
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


@pytest.fixture
def prioritised(transactional_db):
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("5000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD prosjektskjønnsmidler",
    )
    lead = participant_user()
    # 1 000 000 kr (2027) + 500 000 kr (2028) applied for from the fund
    return complete_proposal(
        lead_member=lead.organisation,
        created_by=lead,
        title="Digital barnevernsmelding",
        status=ProposalStatus.PRIORITISED,
    )


def test_a_grant_above_the_amount_applied_for_is_refused_naming_the_rule(
    page, login, live_server, ks_user, prioritised
):
    login(ks_user)
    page.goto(f"{live_server.url}/prosjekter/beslutning/{prioritised.pk}/")
    page.get_by_label("Innvilget 2027 (kr)").fill("1000000")
    page.get_by_label("Innvilget 2028 (kr)").fill("600000")  # 100 000 kr more than applied for
    page.get_by_role("button", name="Innvilg").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Regelen om søkt beløp")
    expect(alert).to_contain_text("1 500 000")
    assert not Project.objects.exists()


def test_a_disbursement_dated_after_today_is_refused_naming_the_rule(
    page, login, live_server, ks_user, prioritised
):
    project = project_approve(
        proposal=prioritised, budget={2027: Decimal("1000000")}, actor=ks_user
    )
    accept_grant(project)
    payment_request_submit(
        project=project,
        kind="partial",
        amount=Decimal("400000"),
        progress="Første leveranse.",
        costs={},
        actor=prioritised.created_by,
    )
    login(ks_user)
    page.goto(f"{live_server.url}/prosjekter/portefolje/{project.pk}/")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    page.get_by_label("Utbetalt dato").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Godkjenn og utbetal").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Regelen om bokføringsdato")
    expect(alert).to_contain_text("planlagt utbetaling er en plan")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSEMENT).exists()


def test_an_invitation_to_a_member_that_has_paid_is_refused_naming_the_rule(
    page, login, live_server, ks_user
):
    bergen = member_with_address(name="Bergen kommune", number="4601")
    participation = ParticipationFactory(member=bergen, status=Participation.Status.INVITED)
    login(ks_user)
    page.goto(f"{live_server.url}/medlemmer/oversikt/invitasjoner/")
    expect(page.get_by_test_id("recipients")).to_contain_text("Bergen kommune")
    # Bergen pays while the confirmation page is open: the letter must not go.
    Participation.objects.filter(pk=participation.pk).update(status=Participation.Status.PAID)
    page.get_by_role("button", name="Send 1 invitasjonsbrev").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Regelen om invitasjoner")
    expect(alert).to_contain_text("Bergen kommune")
