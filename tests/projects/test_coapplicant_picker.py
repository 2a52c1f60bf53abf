"""The co-applicant picker (issue 20 §4): a searchable checkbox list instead of a `<select
multiple>` showing 1½ of 371 options; it works without JavaScript as plain checkboxes."""

import pytest
from django.urls import reverse

from tests.html_support import duplicate_ids

from .factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return participant_user()


@pytest.fixture
def proposal(applicant):
    return complete_proposal(lead_member=applicant.organisation, created_by=applicant)


def test_the_picker_is_a_labelled_checkbox_list_with_a_search_field(client, applicant, proposal):
    others = participant_user().organisation, participant_user().organisation
    client.force_login(applicant)
    html = client.get(reverse("projects:proposal_edit", args=[proposal.pk])).content.decode()
    assert '<select name="co_applicants"' not in html
    assert '<legend class="ds-label">Medsøkere (kommuner og fylkeskommuner)</legend>' in html
    for member in others:
        assert f'type="checkbox" class="ds-input" name="co_applicants" value="{member.pk}"' in html
        assert f">{member}</label>" in html
    # the lead itself is not offered
    assert f'name="co_applicants" value="{applicant.organisation.pk}"' not in html
    # the search field waits for the script (progressive enhancement) and is labelled
    assert "data-picker-search hidden" in html
    assert 'for="id_co_applicants_filter">Søk etter navn eller nummer</label>' in html
    assert "js/projects-coapplicants.js" in html
    assert duplicate_ids(html) == []


def test_checked_members_are_saved_without_javascript(client, applicant, proposal):
    partner = participant_user().organisation
    client.force_login(applicant)
    url = reverse("projects:proposal_edit", args=[proposal.pk])
    data = {
        "title": proposal.title,
        "start_year": "2027",
        "co_applicants": [str(partner.pk)],
        "cost-TOTAL_FORMS": "0",
        "cost-INITIAL_FORMS": "0",
        "benefit-TOTAL_FORMS": "0",
        "benefit-INITIAL_FORMS": "0",
        "contact-TOTAL_FORMS": "0",
        "contact-INITIAL_FORMS": "0",
        "save": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [c.member for c in proposal.co_applicants.all()] == [partner]
    html = client.get(url).content.decode()
    assert f'value="{partner.pk}" id="id_co_applicants_' in html
    assert "checked" in html.split(f'value="{partner.pk}"')[1][:60]
