"""KS drafts and submits a proposal as its formal applicant (issue 16 §4;
docs/decisions/members-ks-as-applicant.md)."""

import pytest
from django.urls import reverse

from members.models import Member
from projects.models import Proposal, ProposalStatus
from projects.services.proposals import ProposalError, can_edit, proposal_create
from projects.services.workflow import TransitionError, perform_transition
from tests.members.factories import MemberFactory
from tests.once_support import with_once
from tests.projects.factories import complete_proposal, participant_member, participant_user
from tests.projects.test_attachments import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def ks():
    return MemberFactory(kind=Member.Kind.KS, number="", name="KS", orgnr="971032146")


def test_ks_staff_create_a_draft_with_ks_as_formal_applicant(ks_client, ks_user, ks):
    page = ks_client.get(reverse("projects:proposal_create")).content.decode()
    assert "KS er formell søker" in page
    response = ks_client.post(
        reverse("projects:proposal_create"), with_once(ks_user, {"title": "Felles KI-plattform"})
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("projects:proposal_edit", args=[proposal.pk])
    assert proposal.lead_member == ks and proposal.created_by == ks_user
    assert proposal.formal_applicant_name == "KS"
    assert ks_client.get(reverse("projects:proposal_edit", args=[proposal.pk])).status_code == 200


def test_without_the_ks_member_row_ks_staff_are_told_why(ks_user):
    with pytest.raises(ProposalError, match="referansedataene"):
        proposal_create(title="X", actor=ks_user)


def test_ks_edits_uploads_and_submits_its_own_proposal(ks_client, ks_user, ks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    co = participant_member(name="Lillehammer kommune")
    proposal = complete_proposal(lead_member=ks, created_by=ks_user)
    proposal.co_applicants.create(member=co)
    assert can_edit(proposal=proposal, user=ks_user) == (True, "")
    upload = ks_client.post(
        reverse("projects:attachment_upload", args=[proposal.pk]),
        with_once(ks_user, {"file": pdf_upload()}),
    )
    assert upload.status_code == 302 and proposal.attachments.count() == 1
    # the co-applicant has not confirmed yet: no submit
    with pytest.raises(TransitionError):
        perform_transition(proposal=proposal, name="submit", actor=ks_user)
    proposal.co_applicants.update(confirmed_at="2026-11-20T10:00:00Z")
    response = ks_client.post(reverse("projects:proposal_transition", args=[proposal.pk, "submit"]))
    assert response["Location"] == reverse("projects:proposal_detail", args=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.reference.startswith("DF-")
    assert proposal.transitions.get().actor == ks_user


def test_ks_needs_no_participation_of_its_own(ks_user, ks):
    proposal = complete_proposal(lead_member=ks, created_by=ks_user)
    submitted = perform_transition(proposal=proposal, name="submit", actor=ks_user)
    assert submitted.status == ProposalStatus.SUBMITTED


def test_ks_staff_cannot_write_a_municipal_proposal(ks_client, ks_user):
    user = participant_user()
    proposal = complete_proposal(lead_member=user.organisation, created_by=user)
    assert can_edit(proposal=proposal, user=ks_user)[0] is False
    assert ks_client.get(reverse("projects:proposal_edit", args=[proposal.pk])).status_code == 403
    with pytest.raises(TransitionError):
        perform_transition(proposal=proposal, name="submit", actor=ks_user)


def test_municipal_users_cannot_write_the_ks_proposal(client, ks_user, ks):
    user = participant_user()
    proposal = complete_proposal(lead_member=ks, created_by=ks_user)
    client.force_login(user)
    assert client.get(reverse("projects:proposal_edit", args=[proposal.pk])).status_code == 404
    assert can_edit(proposal=proposal, user=user)[0] is False


def test_a_municipal_user_still_creates_for_its_own_organisation(municipal_user, ks):
    proposal = proposal_create(title="Digital byggesak", actor=municipal_user)
    assert proposal.lead_member == municipal_user.organisation


def test_the_staff_list_links_to_a_new_ks_proposal(ks_client):
    html = ks_client.get(reverse("projects:staff_list")).content.decode()
    assert reverse("projects:proposal_create") in html
