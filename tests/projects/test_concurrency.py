"""Two KS staff decide the same proposal at the same moment: one wins, the other is refused.

Needs real row locks (PostgreSQL); SQLite serialises whole-database writes instead."""

import threading

import pytest
from django.db import connection

from projects.models import ProposalStatus
from projects.selectors import active_criteria
from projects.services.qualification import qualification_record_answers
from projects.services.workflow import TransitionError, perform_transition
from tests.accounts.factories import KsStaffFactory

from .factories import complete_proposal, ensure_criteria, participant_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_decisions_one_wins_the_other_gets_a_clear_error():
    ensure_criteria()
    applicant = participant_user()
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    first, second = KsStaffFactory(), KsStaffFactory()
    qualification_record_answers(
        proposal=proposal, answers=[(c, "met", "") for c in active_criteria()], actor=first
    )
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def decide(name, actor, comment):
        barrier.wait()
        try:
            perform_transition(proposal=proposal, name=name, actor=actor, comment=comment)
            results[name] = "ok"
        except TransitionError as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("qualify", first, "")),
        threading.Thread(target=decide, args=("reject", second, "Nei")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(str(type(v).__name__) for v in results.values())
    assert outcomes == ["TransitionError", "str"]
    proposal.refresh_from_db()
    assert proposal.status in (ProposalStatus.QUALIFIED, ProposalStatus.REJECTED)
    assert proposal.transitions.exclude(name="submit").count() == 1
    loser = next(v for v in results.values() if isinstance(v, TransitionError))
    assert "ikke mulig" in str(loser)
