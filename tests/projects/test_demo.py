import io

import pytest

from digifin.demo import ensure_demo_users
from projects import demo
from projects.models import Proposal, ProposalTransition

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_covers_the_demo_organisations():
    ensure_demo_users()
    demo.load(stdout=io.StringIO())
    count, transitions = Proposal.objects.count(), ProposalTransition.objects.count()
    demo.load(stdout=io.StringIO())
    assert (Proposal.objects.count(), ProposalTransition.objects.count()) == (count, transitions)
    numbers = set(Proposal.objects.values_list("lead_member__number", flat=True))
    assert {"3405", "3440", "4601"} <= numbers
    assert Proposal.objects.filter(co_applicants__isnull=False).exists()
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "qualified", "rejected"}
