"""Views for every role: anonymous -> login, wrong role -> 403, other organisation -> 404."""

import csv
import io

import pytest
from django.urls import reverse

from projects.models import Attachment, CoApplicant, ProposalStatus
from projects.services.proposals import attachment_add
from projects.services.workflow import perform_transition
from tests.accounts.factories import MunicipalUserFactory
from tests.once_support import with_once

from .factories import complete_proposal, participant_user
from .test_attachments import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return participant_user()


@pytest.fixture
def proposal(applicant):
    return complete_proposal(lead_member=applicant.organisation, created_by=applicant)


@pytest.fixture
def attachment(proposal, applicant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return attachment_add(proposal=proposal, upload=pdf_upload(), actor=applicant)


def _object_urls(proposal, attachment):
    return {
        "get": [
            reverse("projects:proposal_detail", args=[proposal.pk]),
            reverse("projects:proposal_edit", args=[proposal.pk]),
            reverse("projects:attachment_download", args=[attachment.pk]),
        ],
        "post": [
            reverse("projects:attachment_upload", args=[proposal.pk]),
            reverse("projects:attachment_delete", args=[attachment.pk]),
            reverse("projects:coapplicant_confirm", args=[proposal.pk]),
            reverse("projects:proposal_transition", args=[proposal.pk, "submit"]),
            reverse("projects:proposal_edit", args=[proposal.pk]),
        ],
    }


def test_anonymous_is_sent_to_login_everywhere(client, proposal, attachment):
    urls = _object_urls(proposal, attachment)
    for url in urls["get"] + [
        reverse("projects:my_proposals"),
        reverse("projects:staff_list"),
        reverse("projects:qualification", args=[proposal.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logg-inn/" in response.url, url


def test_other_municipality_gets_404_on_every_object_url(
    client, proposal, attachment, other_municipal_user
):
    client.force_login(other_municipal_user)
    urls = _object_urls(proposal, attachment)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"title": "Kapret", "comment": "x"}).status_code == 404, url
    proposal.refresh_from_db()
    assert proposal.title != "Kapret" and proposal.status == ProposalStatus.DRAFT
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert client.get(reverse("projects:my_proposals")).content.decode().count(proposal.title) == 0


def test_guessed_ids_that_do_not_exist_are_404(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("projects:proposal_detail", args=[999999])).status_code == 404
    assert client.get(reverse("projects:attachment_download", args=[999999])).status_code == 404


def test_council_and_plain_users_are_forbidden(client, proposal, council_user, plain_user):
    for user in (council_user, plain_user):
        client.force_login(user)
        assert client.get(reverse("projects:my_proposals")).status_code == 403
        assert (
            client.get(reverse("projects:proposal_detail", args=[proposal.pk])).status_code == 403
        )
        assert client.get(reverse("projects:staff_list")).status_code == 403


def test_municipal_user_cannot_reach_staff_pages(client, applicant, proposal):
    client.force_login(applicant)
    assert client.get(reverse("projects:staff_list")).status_code == 403
    assert client.get(reverse("projects:staff_export")).status_code == 403
    assert client.get(reverse("projects:qualification", args=[proposal.pk])).status_code == 403


def test_co_applicant_sees_and_downloads_but_cannot_edit(client, proposal, attachment):
    partner = participant_user()
    CoApplicant.objects.create(proposal=proposal, member=partner.organisation)
    client.force_login(partner)
    assert proposal.title in client.get(reverse("projects:my_proposals")).content.decode()
    assert client.get(reverse("projects:proposal_detail", args=[proposal.pk])).status_code == 200
    assert (
        client.get(reverse("projects:attachment_download", args=[attachment.pk])).status_code == 200
    )
    response = client.get(reverse("projects:proposal_edit", args=[proposal.pk]))
    assert response.status_code == 302  # back to the read-only view with a message
    client.post(reverse("projects:coapplicant_confirm", args=[proposal.pk]))
    assert CoApplicant.objects.get(proposal=proposal).confirmed_by == partner


def test_download_is_always_an_attachment_with_safe_name(client, applicant, attachment):
    client.force_login(applicant)
    response = client.get(reverse("projects:attachment_download", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_applicant_creates_edits_and_sees_npv(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("projects:proposal_create"), with_once(applicant, {"title": "Digital byggesak"})
    )
    proposal = applicant.organisation.proposals.get()
    assert response.url == reverse("projects:proposal_edit", args=[proposal.pk])
    data = {
        "title": "Digital byggesak",
        "start_year": "2027",
        "company_kind": "",
        "company_name": "",
        "company_orgnr": "",
        "background": "Bakgrunn",
        "cost-TOTAL_FORMS": "1",
        "cost-INITIAL_FORMS": "0",
        "cost-0-year": "2027",
        "cost-0-development": "1000",
        "cost-0-operating": "0",
        "cost-0-own_contribution": "0",
        "cost-0-other_funding": "0",
        "benefit-TOTAL_FORMS": "1",
        "benefit-INITIAL_FORMS": "0",
        "benefit-0-year": "2028",
        "benefit-0-kind": "economic",
        "benefit-0-beneficiary": "Kommunen",
        "benefit-0-amount": "2080",
        "benefit-0-measurement": "Regnskap",
        "contact-TOTAL_FORMS": "0",
        "contact-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("projects:proposal_edit", args=[proposal.pk]), data, follow=True)
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.background == "Bakgrunn"
    assert proposal.cost_years.get().development == 1000
    # 2080 / 1.04 = 2000; NPV = 2000 - 1000 = 1000 kr; per krone 1.00
    npv = response.context["npv"]
    assert str(npv.npv) == "1000.00" and str(npv.npv_per_krone) == "1.00"


def test_negative_cost_is_refused_and_nothing_saved(client, applicant, proposal):
    client.force_login(applicant)
    before = list(proposal.cost_years.values_list("development", flat=True))
    data = {
        "title": proposal.title,
        "start_year": "2027",
        "cost-TOTAL_FORMS": "1",
        "cost-INITIAL_FORMS": "0",
        "cost-0-year": "2030",
        "cost-0-development": "-5",
        "cost-0-operating": "0",
        "cost-0-own_contribution": "0",
        "cost-0-other_funding": "0",
        "benefit-TOTAL_FORMS": "0",
        "benefit-INITIAL_FORMS": "0",
        "contact-TOTAL_FORMS": "0",
        "contact-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("projects:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 200
    assert "Beløpet kan ikke være negativt" in response.content.decode()
    assert list(proposal.cost_years.values_list("development", flat=True)) == before


def test_submitted_proposal_is_read_only_for_applicant(client, applicant, proposal):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.pk]), {"title": "Endret"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title != "Endret"
    page = client.get(reverse("projects:proposal_detail", args=[proposal.pk])).content.decode()
    assert "kan ikke endres" in page and "Sendt inn" in page


def test_staff_list_filters_searches_and_exports_csv(client, ks_user, applicant, proposal):
    other = complete_proposal(lead_member=MunicipalUserFactory().organisation, title="=HYPERLINK()")
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    client.force_login(ks_user)
    page = client.get(reverse("projects:staff_list"), {"status": "submitted"}).content.decode()
    assert proposal.title in page and other.title not in page
    page = client.get(reverse("projects:staff_list"), {"q": "HYPERLINK"}).content.decode()
    assert other.title in page and proposal.title not in page.split("Alle forslag")[1]
    response = client.get(reverse("projects:staff_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "saksnummer"
    titles = {r[1] for r in rows[1:]}
    assert proposal.title in titles and "'=HYPERLINK()" in titles


def test_staff_decides_through_the_view_and_applicant_sees_reason(
    client, ks_user, applicant, proposal
):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    client.force_login(ks_user)
    client.post(
        reverse("projects:proposal_transition", args=[proposal.pk, "return"]),
        {"comment": "Beskriv FDVU-modellen"},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED
    client.force_login(applicant)
    page = client.get(reverse("projects:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Beskriv FDVU-modellen" in page


def test_staff_checklist_is_saved(client, ks_user, applicant, proposal):
    from projects.selectors import active_criteria

    perform_transition(proposal=proposal, name="submit", actor=applicant)
    client.force_login(ks_user)
    data = {}
    for c in active_criteria():
        data[f"c{c.pk}-answer"] = "met"
        data[f"c{c.pk}-comment"] = f"ok {c.code}"
    client.post(reverse("projects:qualification", args=[proposal.pk]), data)
    assert proposal.qualification_answers.count() == active_criteria().count()
    client.post(reverse("projects:proposal_transition", args=[proposal.pk, "qualify"]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.QUALIFIED


def test_saving_unchanged_rows_keeps_them_and_delete_removes_one(client, applicant, proposal):
    client.force_login(applicant)
    url = reverse("projects:proposal_edit", args=[proposal.pk])
    form = client.get(url).context
    costs = list(proposal.cost_years.all())
    data = {"title": proposal.title, "start_year": "2027"}
    data.update({"cost-TOTAL_FORMS": str(len(costs)), "cost-INITIAL_FORMS": str(len(costs))})
    for i, c in enumerate(costs):
        data.update(
            {
                f"cost-{i}-id": c.pk,
                f"cost-{i}-year": c.year,
                f"cost-{i}-development": c.development,
                f"cost-{i}-operating": c.operating,
                f"cost-{i}-own_contribution": c.own_contribution,
                f"cost-{i}-other_funding": c.other_funding,
            }
        )
    data["cost-1-DELETE"] = "on"
    for prefix, qs in (
        ("benefit", proposal.benefit_years.all()),
        ("contact", proposal.contacts.all()),
    ):
        rows = list(qs)
        data.update(
            {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows))}
        )
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            fields = form[f"{prefix}s"].forms[i].fields
            for name in fields:
                if name not in ("id", "DELETE"):
                    data[f"{prefix}-{i}-{name}"] = getattr(row, name)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(proposal.cost_years.values_list("year", flat=True)) == [2027]
    assert proposal.benefit_years.count() == 1 and proposal.contacts.count() == 1
