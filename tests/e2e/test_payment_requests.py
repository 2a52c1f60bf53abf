"""Issue 18 §4 in the browser: the applicant requests a partial payment with a report (and the
accounts attached); KS approves and the ledger shows it once; the final request is refused
without a final report and accepted with one; the project closes and the unspent grant
returns to available capital."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from projects.models import Project, ProposalStatus
from projects.services.portfolio import project_approve
from tests.e2e.conftest import describe_violations
from tests.projects.factories import accept_grant, complete_proposal, participant_user
from tests.projects.test_attachments import MINIMAL_PDF

pytestmark = pytest.mark.django_db(transaction=True)


def _switch(page, login, user):
    page.context.clear_cookies()
    login(user)


def _nok(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d-]", "", text))


@pytest.fixture
def accepted(transactional_db, ks_user):
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("5000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD",
    )
    lead = participant_user()
    proposal = complete_proposal(
        lead_member=lead.organisation,
        created_by=lead,
        title="Digital søknad om startlån",
        status=ProposalStatus.PRIORITISED,
    )
    project = project_approve(proposal=proposal, budget={2027: Decimal("1000000")}, actor=ks_user)
    accept_grant(project)
    return project, lead


def test_payment_requests_final_report_and_closing(
    page, login, live_server, ks_user, accepted, axe
):
    project, lead = accepted
    url = f"{live_server.url}/prosjekter/portefolje/{project.pk}/"

    login(lead)
    page.goto(url)
    form = page.get_by_test_id("payment-request-form")
    form.get_by_label("Type").select_option(label="Delutbetaling")
    form.get_by_label("Beløp (kr)").fill("400000")
    form.get_by_label("Framdrift").fill("Første leveranse er ferdig og i pilot.")
    form.get_by_label("Påløpt: Innleide tjenester og konsulenter (kr)").fill("350000")
    form.get_by_label("Vedlegg (f.eks. regnskap)").set_input_files(
        files=[{"name": "regnskap.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    form.get_by_role("button", name="Send utbetalingsanmodning").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Utbetalingsanmodningen er sendt til KS."
    )
    expect(page.get_by_test_id("payment-requests")).to_contain_text("Til behandling hos KS")
    expect(page.get_by_test_id("payment-requests")).to_contain_text("regnskap.pdf")
    violations = axe()
    assert not violations, describe_violations(violations)

    _switch(page, login, ks_user)
    page.goto(url)
    page.get_by_role("button", name="Godkjenn og utbetal").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Anmodningen er godkjent og utbetalingen er bokført."
    )
    expect(page.get_by_test_id("disbursed")).to_contain_text("400 000")
    expect(page.get_by_test_id("payment-requests")).to_contain_text("Godkjent og utbetalt")
    # The ledger shows it once.
    assert LedgerEntry.objects.filter(kind="disbursement", project_ref=project.pk).count() == 1
    page.goto(f"{live_server.url}/prosjekter/portefolje/")
    available_before = _nok(page.get_by_test_id("available-capital").inner_text())

    _switch(page, login, lead)
    page.goto(url)
    form = page.get_by_test_id("payment-request-form")
    form.get_by_label("Type").select_option(label="Sluttutbetaling")
    form.get_by_label("Beløp (kr)").fill("500000")
    form.get_by_label("Framdrift").fill("Prosjektet er ferdig.")
    form.get_by_role("button", name="Send utbetalingsanmodning").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Type: sluttutbetaling krever at sluttrapporten er sendt inn."
    )
    page.get_by_text("Skriv sluttrapport").click()
    report = page.get_by_test_id("final-report-form")
    report.get_by_label("Resultater").fill("Løsningen er i drift i to kommuner.")
    report.get_by_label("Leveranser").fill("Søknadsskjema og saksbehandlingsmodul.")
    report.get_by_label("Gevinster hittil").fill("Kortere saksbehandlingstid.")
    report.get_by_label("Løsningens navn").fill("Digital startlånsøknad")
    report.get_by_label("Beskrivelse av løsningen").fill("Felles søknad om startlån.")
    report.get_by_label("Hvem overtar forvaltning, drift og videreutvikling (FDVU)").fill("KS")
    report.get_by_label("Vilkår for FDVU").fill("Brukerne deler kostnaden likt.")
    report.get_by_label("Årlig FDVU-kostnad, anslag (kr)").fill("120000")
    report.get_by_label("Overlevert til FDVU").fill(datetime.date.today().isoformat())
    report.get_by_role("button", name="Send sluttrapport").click()
    expect(page.get_by_role("status").first).to_contain_text("Sluttrapporten er sendt til KS.")
    form = page.get_by_test_id("payment-request-form")
    form.get_by_label("Type").select_option(label="Sluttutbetaling")
    form.get_by_label("Beløp (kr)").fill("500000")
    form.get_by_label("Framdrift").fill("Prosjektet er ferdig.")
    form.get_by_role("button", name="Send utbetalingsanmodning").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Utbetalingsanmodningen er sendt til KS."
    )

    _switch(page, login, ks_user)
    page.goto(url)
    page.get_by_role("button", name="Godkjenn og utbetal").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Fullført")
    expect(page.get_by_test_id("disbursed")).to_contain_text("900 000")
    expect(page.get_by_test_id("timeline")).to_contain_text("ubrukt tilsagn er frigjort")
    assert LedgerEntry.objects.filter(kind="disbursement", project_ref=project.pk).count() == 2
    assert Project.objects.get(pk=project.pk).solutions.filter(name="Digital startlånsøknad")
    # 500 000 kr paid of the 600 000 kr still committed: 100 000 kr returns to available capital.
    page.goto(f"{live_server.url}/prosjekter/portefolje/")
    available_after = _nok(page.get_by_test_id("available-capital").inner_text())
    assert available_after == available_before + Decimal("100000")
