"""Proposals in Chromium: draft, attach, submit; co-applicant confirms; KS qualifies, returns,
rejects; the applicant sees the outcome. Plus access by guessed URL and axe on the main pages."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import SECTIONS, CoApplicant, Proposal
from projects.services.workflow import perform_transition
from tests.e2e.conftest import describe_violations
from tests.projects.factories import complete_proposal, ensure_criteria, participant_user
from tests.projects.test_attachments import MINIMAL_PDF

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _criteria(transactional_db):
    ensure_criteria()


def _switch(page, login, user):
    page.context.clear_cookies()
    login(user)


def _fill_row(page, prefix_label, row, values):
    for label, value in values.items():
        page.get_by_label(f"{label} (rad {row})", exact=True).first.fill(value)


def test_municipal_user_drafts_attaches_and_submits_joint_proposal_after_co_applicant_confirms(
    page, login, live_server, ks_user, axe
):
    lead = participant_user(first_name="Lars")
    partner = participant_user(first_name="Ingrid")
    partner.organisation.name = "Øyer testkommune"
    partner.organisation.save()

    login(lead)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Mine prosjektforslag"
    ).click()
    page.get_by_role("link", name="Nytt prosjektforslag").click()
    page.get_by_label("Prosjektnavn").fill("Digital søknad om barnehageplass")
    page.get_by_role("button", name="Opprett utkast").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rediger")

    page.get_by_label("Første prosjektår").fill("2027")
    picker = page.get_by_role("group", name="Medsøkere (kommuner og fylkeskommuner)")
    picker.get_by_label("Søk etter navn eller nummer").fill(partner.organisation.name)
    picker.get_by_label(str(partner.organisation), exact=True).check()
    for _name, label, _help, _part in SECTIONS:
        page.get_by_label(str(label), exact=True).fill(f"Tekst for {label}")
    _fill_row(page, "cost", 1, {"År": "2027", "Utviklingskostnader": "2000000"})
    _fill_row(
        page, "cost", 2, {"År": "2028", "Utviklingskostnader": "500000", "Drift/FDVU": "150000"}
    )
    page.get_by_label("År (rad 1)").nth(1).fill("2028")
    page.get_by_label("Type gevinst (rad 1)").select_option(label="Spart tid")
    _fill_row(
        page,
        "benefit",
        1,
        {
            "Hvem får gevinsten": "Foreldre og kommunen",
            "Beløp (kr)": "1500000",
            "Hvordan måles den": "Saksbehandlingstid",
        },
    )
    _fill_row(page, "contact", 1, {"Navn": "Lars Haugen", "E-post": "lars@example.no"})
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("status").first).to_contain_text("Utkastet er lagret")
    expect(page.get_by_test_id("npv-value").first).not_to_have_text("0 kr")
    violations = axe()
    assert violations == [], describe_violations(violations)

    page.get_by_label("Fil som skal lastes opp").set_input_files(
        files=[{"name": "prosjektplan.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    page.get_by_role("button", name="Last opp vedlegg").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("prosjektplan.pdf")
    page.get_by_label("Fil som skal lastes opp").set_input_files(
        files=[{"name": "falsk.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}]
    )
    page.get_by_role("button", name="Last opp vedlegg").click()
    expect(page.get_by_role("alert").first).to_contain_text("Filtypen er ikke tillatt")

    page.get_by_role("link", name="Se forslaget og send inn").click()
    expect(page.get_by_test_id("submit-problems")).to_contain_text("har ikke bekreftet")
    violations = axe()
    assert violations == [], describe_violations(violations)

    _switch(page, login, partner)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Mine prosjektforslag"
    ).click()
    page.get_by_role("link", name="Digital søknad om barnehageplass").click()
    page.get_by_role("button", name="Bekreft som medsøker").click()
    expect(page.get_by_role("status").first).to_contain_text("bekreftet som medsøker")

    _switch(page, login, lead)
    proposal = Proposal.objects.get(title="Digital søknad om barnehageplass")
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Sendt inn")
    expect(page.get_by_role("link", name="Rediger utkast")).to_have_count(0)
    expect(page.get_by_test_id("history")).to_contain_text("Utkast")

    _switch(page, login, ks_user)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Forslag").click()
    violations = axe()
    assert violations == [], describe_violations(violations)
    page.get_by_test_id("queue").get_by_role(
        "link", name="Digital søknad om barnehageplass"
    ).click()
    expect(page.get_by_test_id("fdvu-flag")).to_contain_text("150 000")
    violations = axe()
    assert violations == [], describe_violations(violations)
    page.get_by_role("button", name="Kvalifiser").click()
    expect(page.get_by_role("alert").first).to_contain_text("Sjekklisten er ikke fullført")
    for select in page.get_by_label("Vurdering").all():
        select.select_option(label="Oppfylt")
    page.get_by_role("button", name="Lagre sjekkliste").click()
    expect(page.get_by_role("status").first).to_contain_text("Sjekklisten er lagret")
    page.get_by_role("button", name="Kvalifiser").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Kvalifisert")

    _switch(page, login, lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    expect(page.get_by_test_id("outcome")).to_contain_text("kvalifisert")


def test_ks_returns_applicant_revises_and_resubmits_then_ks_rejects(
    page, login, live_server, ks_user
):
    lead = participant_user()
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead, title="Digiorden")
    perform_transition(proposal=proposal, name="submit", actor=lead)

    login(ks_user)
    page.goto(f"{live_server.url}/prosjekter/kvalifisering/{proposal.pk}/")
    page.get_by_label("Begrunnelse (Returner for revisjon)").fill("Utbredelsesplanen mangler.")
    page.get_by_role("button", name="Returner for revisjon").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Returnert for revisjon")

    _switch(page, login, lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    expect(page.get_by_test_id("outcome")).to_contain_text("Utbredelsesplanen mangler.")
    page.get_by_role("link", name="Rediger utkast").click()
    page.get_by_label("Forventet utbredelse", exact=True).fill("200 kommuner innen 2029.")
    page.get_by_role("button", name="Lagre og se oversikt").click()
    page.get_by_role("button", name="Send inn på nytt").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Sendt inn")
    expect(page.get_by_role("link", name=re.compile("Versjon 2"))).to_be_visible()

    _switch(page, login, ks_user)
    page.goto(f"{live_server.url}/prosjekter/kvalifisering/{proposal.pk}/")
    page.get_by_role("button", name="Avvis").click()
    expect(page.get_by_role("alert").first).to_contain_text("Begrunnelse må fylles ut")
    page.get_by_label("Begrunnelse (Avvis)").fill("Dekkes allerede av en nasjonal løsning.")
    page.get_by_role("button", name="Avvis").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("Avvist")
    # Invalid now: the decision buttons are gone and a forged POST is refused.
    expect(page.get_by_role("button", name="Kvalifiser")).to_have_count(0)

    _switch(page, login, lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    expect(page.get_by_test_id("outcome")).to_contain_text(
        "Dekkes allerede av en nasjonal løsning."
    )
    expect(page.get_by_test_id("proposal-status")).to_have_text("Avvist")


def test_other_municipality_gets_not_found_on_guessed_urls(
    page, login, live_server, other_municipal_user
):
    lead = participant_user()
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead, title="Hemmelig")
    login(other_municipal_user)
    for path in (
        f"/prosjekter/forslag/{proposal.pk}/",
        f"/prosjekter/forslag/{proposal.pk}/rediger/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 404
    page.goto(live_server.url + "/prosjekter/forslag/")
    expect(page.get_by_text("Hemmelig")).to_have_count(0)


def test_non_participant_is_told_how_to_join(page, login, live_server, municipal_user, axe):
    proposal = complete_proposal(lead_member=municipal_user.organisation, created_by=municipal_user)
    login(municipal_user)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    expect(page.get_by_test_id("submit-problems")).to_contain_text("ikke deltaker")
    expect(page.get_by_role("link", name="Slik blir dere deltaker")).to_be_visible()
    page.goto(f"{live_server.url}/prosjekter/forslag/")
    violations = axe()
    assert violations == [], describe_violations(violations)
    assert CoApplicant.objects.count() == 0
