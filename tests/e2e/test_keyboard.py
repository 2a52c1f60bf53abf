"""Keyboard only (issue 20 §4): the proposal form (with the co-applicant picker) and the
council's scoring, walked with Tab, Shift+Tab, Enter, Space and typing; no mouse click."""

import datetime

import pytest
from playwright.sync_api import expect

from projects.models import Proposal, ProposalStatus, Score
from projects.services.council import agenda_add, meeting_create
from tests.accounts.factories import CouncilMemberFactory
from tests.projects.factories import complete_proposal, ensure_criteria, participant_user

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "",
          label: label, text: (el.textContent || "").trim(), type: el.type || ""};
}"""


@pytest.fixture(autouse=True)
def _criteria(transactional_db):
    ensure_criteria()


def tab_to(page, matches, *, back=False, limit=400):
    """Press Tab (or Shift+Tab) until the focused element matches; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused
    raise AssertionError("never reached by the keyboard")


def keyboard_login(page, live_server, user, password="passord-123"):
    page.goto(f"{live_server.url}/konto/logg-inn/")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(user.username)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_proposal_form_by_keyboard_chooses_a_co_applicant_and_saves(page, live_server):
    lead = participant_user()
    partner = participant_user()
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead)
    keyboard_login(page, live_server, lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/rediger/")

    tab_to(page, lambda f: f["name"] == "title")
    page.keyboard.press("Control+A")
    page.keyboard.type("Digital søknad om skoleskyss")
    # The picker: the search field, then Tab into the filtered list and Space to choose.
    tab_to(page, lambda f: f["type"] == "search")
    page.keyboard.type(partner.organisation.name)
    expect(page.get_by_text("1 av", exact=False)).to_be_visible()
    tab_to(page, lambda f: f["label"] == str(partner.organisation))
    page.keyboard.press("Space")
    expect(page.get_by_label(str(partner.organisation), exact=True)).to_be_checked()
    # Back up one field and forward again: Shift+Tab returns to the search field.
    assert tab_to(page, lambda f: f["type"] == "search", back=True)["type"] == "search"
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Lagre utkast")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Utkastet er lagret")

    proposal.refresh_from_db()
    assert proposal.title == "Digital søknad om skoleskyss"
    assert [c.member for c in proposal.co_applicants.all()] == [partner.organisation]


def test_proposal_is_submitted_by_keyboard(page, live_server):
    lead = participant_user()
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead)
    keyboard_login(page, live_server, lead)
    page.goto(f"{live_server.url}/prosjekter/forslag/{proposal.pk}/")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Send inn")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("proposal-status")).to_have_text("Sendt inn")
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED


def test_council_scoring_by_keyboard(page, live_server, ks_user):
    lead = participant_user()
    proposal = complete_proposal(
        lead_member=lead.organisation, created_by=lead, status=ProposalStatus.QUALIFIED
    )
    meeting = meeting_create(
        held_on=datetime.date(2027, 3, 14), title="KommIT-rådet", actor=ks_user
    )
    item = agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)
    member = CouncilMemberFactory()
    keyboard_login(page, live_server, member)
    page.goto(f"{live_server.url}/prosjekter/radet/sak/{item.pk}/")

    selects = page.get_by_label("(vekt", exact=False)
    count = selects.count()
    assert count > 0
    for _ in range(count):
        tab_to(page, lambda f: f["tag"] == "select" and "(vekt" in f["label"])
        page.keyboard.type("4")  # a focused select picks the option that starts with 4
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Lagre poeng")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Poengene er lagret")
    scores = Score.objects.filter(item=item, member=member)
    assert scores.count() == count and {s.value for s in scores} == {4}
