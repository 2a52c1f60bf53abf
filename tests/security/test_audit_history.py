"""An audit history of changes to members, participation, proposals, decisions, price models and
invoices (django-simple-history): who, when, what changed, visible to KS staff."""

import datetime

import pytest
from django.urls import reverse

from members.models import Participation
from members.services import participation_confirm
from projects.models import Proposal
from tests.members.factories import ParticipationFactory
from tests.projects.factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db

AUDITED = [
    "members.Member",
    "members.Participation",
    "projects.Proposal",
    "projects.AgendaItem",
    "projects.Project",
    "repayments.Solution",
    "repayments.PriceModel",
    "repayments.AccessAgreement",
    "invoicing.Invoice",
    "invoicing.Payment",
]


@pytest.mark.parametrize("label", AUDITED)
def test_model_keeps_a_history(label):
    from django.apps import apps

    model = apps.get_model(label)
    assert hasattr(model, "history"), f"{label} has no audit history"


def test_a_participation_change_records_who_and_what(municipal_user):
    participation = ParticipationFactory(member=municipal_user.organisation)
    participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 11, 30),
        decision_reference="PS 45/17",
        fakturareferanse="4711",
        contact_name="Ingrid",
        contact_email="ingrid@example.no",
        actor=municipal_user,
    )
    latest = participation.history.first()
    previous = latest.prev_record
    delta = latest.diff_against(previous)
    changed = {change.field for change in delta.changes}
    assert {"status", "fakturareferanse", "decided_on"} <= changed
    assert latest.status == Participation.Status.CONFIRMED


def test_history_records_the_user_of_the_request(client):
    applicant = participant_user()
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    client.force_login(applicant)
    client.post(reverse("projects:proposal_transition", args=[proposal.pk, "submit"]))
    latest = Proposal.history.filter(id=proposal.pk).first()
    assert latest.status == "submitted"
    assert latest.history_user == applicant


def test_ks_staff_see_the_history_in_the_admin(client, ks_user, municipal_user):
    proposal = complete_proposal()
    url = reverse("admin:projects_proposal_history", args=[proposal.pk])
    client.force_login(ks_user)
    response = client.get(url)
    assert response.status_code == 200
    assert proposal.title in response.content.decode()
    client.force_login(municipal_user)
    assert client.get(url).status_code == 302  # to the admin login
