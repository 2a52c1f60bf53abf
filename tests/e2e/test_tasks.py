"""«Mine oppgaver» in Chromium (issue 19 §5–6): the co-applicant's officer is e-mailed once
when the lead saves the draft twice, sees "Bekreft medsøknad" in the task list on the start
page, confirms, and the task is gone."""

import pytest
from playwright.sync_api import expect

from invoicing.models import OutgoingEmail
from tests.e2e.conftest import describe_violations
from tests.projects.factories import complete_proposal, ensure_criteria, participant_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _criteria(transactional_db):
    ensure_criteria()


def test_co_applicant_gets_one_email_and_a_task_that_goes_when_confirmed(
    page, login, live_server, axe
):
    lead = participant_user(first_name="Lars")
    partner = participant_user(first_name="Ingrid", email="ingrid@oyer.kommune.no")
    partner.organisation.name = "Øyer testkommune"
    partner.organisation.save()
    proposal = complete_proposal(
        lead_member=lead.organisation, created_by=lead, title="Felles digital byggesak"
    )

    login(lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/rediger/")
    picker = page.get_by_role("group", name="Medsøkere (kommuner og fylkeskommuner)")
    picker.get_by_label("Søk etter navn eller nummer").fill(partner.organisation.name)
    picker.get_by_label(str(partner.organisation), exact=True).check()
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("status").first).to_contain_text("Utkastet er lagret")
    page.get_by_role("button", name="Lagre utkast").click()  # saved twice
    expect(page.get_by_role("status").first).to_contain_text("Utkastet er lagret")
    sent = OutgoingEmail.objects.filter(to=partner.email)
    assert sent.count() == 1
    assert sent.get().subject == "DigiFin: Bekreft medsøknad: Felles digital byggesak"
    assert OutgoingEmail.objects.filter(to=lead.email).count() == 0

    page.context.clear_cookies()
    login(partner)
    page.goto(f"{live_server.url}/")
    tasks = page.get_by_test_id("task-list")
    expect(tasks).to_contain_text("Bekreft medsøknad: «Felles digital byggesak»")
    violations = axe()
    assert violations == [], describe_violations(violations)
    tasks.get_by_role("link", name="Bekreft medsøknad").click()
    page.get_by_role("button", name="Bekreft som medsøker").click()
    expect(page.get_by_role("status").first).to_contain_text("bekreftet som medsøker")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Mine oppgaver"
    ).click()
    expect(page.get_by_test_id("no-tasks")).to_be_visible()
    violations = axe()
    assert violations == [], describe_violations(violations)
    assert OutgoingEmail.objects.filter(to=partner.email).count() == 1
