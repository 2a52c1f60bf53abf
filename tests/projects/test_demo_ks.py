"""The projects demo has one proposal with KS as formal applicant, submitted by KS."""

import io

import pytest
from django.core.management import call_command

from digifin.demo import ensure_demo_users
from members.models import Member
from projects import demo
from projects.models import Proposal

pytestmark = pytest.mark.django_db


def test_demo_has_a_submitted_proposal_with_ks_as_applicant():
    call_command("load_reference_data", stdout=io.StringIO())
    ensure_demo_users()
    demo.load(stdout=io.StringIO())
    proposal = Proposal.objects.get(lead_member__kind=Member.Kind.KS)
    assert proposal.formal_applicant_name == "KS"
    assert proposal.status == "submitted" and proposal.reference.startswith("DF-")
    assert proposal.transitions.get(name="submit").actor.username == "ks"
    assert [c.member.number for c in proposal.co_applicants.all()] == ["3405"]
