"""The proposal state machine: who may, what must hold, the log, snapshots and e-mail."""

import pytest
from django.core import mail

from projects.models import CoApplicant, ProposalStatus, QualificationAnswer
from projects.selectors import active_criteria
from projects.services.proposals import coapplicant_confirm, submit_problems
from projects.services.qualification import qualification_record_answers
from projects.services.workflow import (
    TRANSITIONS,
    TransitionError,
    can_transition,
    perform_transition,
)
from tests.accounts.factories import MunicipalUserFactory
from tests.members.factories import MemberFactory

from .factories import complete_proposal, participant_member, participant_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return participant_user(email="saksbehandler@kommune.no")


@pytest.fixture
def proposal(applicant):
    return complete_proposal(lead_member=applicant.organisation, created_by=applicant)


def _answer_all(proposal, ks_user, answer="met"):
    qualification_record_answers(
        proposal=proposal,
        answers=[(c, answer, "ok") for c in active_criteria()],
        actor=ks_user,
    )


def test_transition_table_has_one_row_per_action_with_valid_states():
    assert set(TRANSITIONS) == {
        "submit",
        "qualify",
        "return",
        "reject",
        "prioritise",
        "not_prioritise",
        "approve",
        "decline",
    }
    for t in TRANSITIONS.values():
        assert t.target in ProposalStatus.values
        assert all(s in ProposalStatus.values for s in t.sources)


def test_complete_proposal_by_participant_is_submitted_logged_snapshotted_and_mailed(
    proposal, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(proposal=proposal, name="submit", actor=applicant)
    # One message to each: the officer and the proposal's contact person.
    assert sorted(len(m.to) for m in mail.outbox) == [1, 1]
    assert {m.to[0] for m in mail.outbox} == {
        applicant.email,
        *proposal.contacts.values_list("email", flat=True),
    }
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.reference.startswith("DF-")
    log = proposal.transitions.get()
    assert (log.from_status, log.to_status, log.actor) == ("draft", "submitted", applicant)
    assert proposal.snapshots.get().data["title"] == proposal.title
    assert len(mail.outbox) == 2  # nothing more was sent
    assert "saksbehandler@kommune.no" in mail.outbox[0].to


def test_submit_names_every_missing_field():
    user = participant_user()
    from tests.projects.factories import ProposalFactory

    empty = ProposalFactory(lead_member=user.organisation, created_by=user)
    problems = submit_problems(proposal=empty)
    assert "1. Bakgrunn og formål" in problems
    assert "Forslag til tilbakebetaling gjennom tilknytningskostnad" in problems
    assert any("Kostnader per år" in p for p in problems)
    assert any("Kontaktperson" in p for p in problems)
    with pytest.raises(TransitionError, match="Bakgrunn og formål"):
        perform_transition(proposal=empty, name="submit", actor=user)
    empty.refresh_from_db()
    assert empty.status == ProposalStatus.DRAFT
    assert not empty.transitions.exists()


def test_non_participant_can_draft_but_not_submit():
    user = MunicipalUserFactory()  # its organisation has no participation
    proposal = complete_proposal(lead_member=user.organisation, created_by=user)
    allowed, reason = can_transition(proposal=proposal, name="submit", user=user)
    assert not allowed
    assert "ikke deltaker" in reason


def test_co_applicant_must_confirm_before_submit(proposal, applicant):
    partner = participant_member(name="Gausdal")
    CoApplicant.objects.create(proposal=proposal, member=partner)
    allowed, reason = can_transition(proposal=proposal, name="submit", user=applicant)
    assert not allowed and "Gausdal har ikke bekreftet" in reason
    partner_user = MunicipalUserFactory(organisation=partner)
    coapplicant_confirm(proposal=proposal, actor=partner_user)
    assert can_transition(proposal=proposal, name="submit", user=applicant) == (True, "")


def test_non_participant_co_applicant_blocks_submit(proposal, applicant):
    outsider = MemberFactory(name="Utenforstående")
    CoApplicant.objects.create(proposal=proposal, member=outsider)
    coapplicant_confirm(proposal=proposal, actor=MunicipalUserFactory(organisation=outsider))
    allowed, reason = can_transition(proposal=proposal, name="submit", user=applicant)
    assert not allowed and "Utenforstående er ikke deltaker" in reason


def test_another_municipality_cannot_submit(proposal, other_municipal_user):
    with pytest.raises(TransitionError, match="Bare søkerens"):
        perform_transition(proposal=proposal, name="submit", actor=other_municipal_user)


def test_municipal_user_cannot_qualify_own_proposal(proposal, applicant):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    with pytest.raises(TransitionError, match="Bare KS"):
        perform_transition(proposal=proposal, name="qualify", actor=applicant)


def test_qualify_requires_complete_checklist(proposal, applicant, ks_user):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    with pytest.raises(TransitionError, match="Sjekklisten er ikke fullført"):
        perform_transition(proposal=proposal, name="qualify", actor=ks_user)
    _answer_all(proposal, ks_user)
    perform_transition(proposal=proposal, name="qualify", actor=ks_user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.QUALIFIED
    assert (
        QualificationAnswer.objects.filter(proposal=proposal).count() == active_criteria().count()
    )


@pytest.mark.parametrize("name", ["return", "reject"])
def test_return_and_reject_require_a_reason(proposal, applicant, ks_user, name):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    with pytest.raises(TransitionError, match="Begrunnelse"):
        perform_transition(proposal=proposal, name=name, actor=ks_user, comment="  ")


def test_returned_proposal_is_resubmitted_as_new_version_and_old_version_kept(
    proposal, applicant, ks_user
):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    perform_transition(proposal=proposal, name="return", actor=ks_user, comment="Mangler FDVU-plan")
    proposal.refresh_from_db()
    proposal.title = "Ny tittel"
    proposal.save()
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    proposal.refresh_from_db()
    assert proposal.version == 2
    titles = [s.data["title"] for s in proposal.snapshots.order_by("version")]
    assert titles[1] == "Ny tittel"
    assert titles[0].startswith("Felles digitalt prosjekt")
    assert [t.to_status for t in proposal.transitions.all()] == [
        "submitted",
        "returned",
        "submitted",
    ]


@pytest.mark.parametrize(
    "status,name",
    [
        ("draft", "qualify"),
        ("draft", "reject"),
        ("qualified", "reject"),
        ("rejected", "qualify"),
        ("rejected", "submit"),
        ("qualified", "submit"),
        ("submitted", "submit"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    proposal, applicant, ks_user, status, name
):
    proposal.status = status
    proposal.save()
    if status == "submitted":
        _answer_all(proposal, ks_user)
    actor = applicant if name == "submit" else ks_user
    with pytest.raises(TransitionError, match="ikke mulig"):
        perform_transition(proposal=proposal, name=name, actor=actor, comment="x")
    proposal.refresh_from_db()
    assert proposal.status == status
    assert not proposal.transitions.exists()


def test_unknown_transition_is_refused(proposal, ks_user):
    with pytest.raises(TransitionError, match="Ukjent"):
        perform_transition(proposal=proposal, name="publish", actor=ks_user)


def test_stale_decision_is_refused_after_another_decided(proposal, applicant, ks_user):
    """Two staff open the same submitted proposal; the first rejects, the second (holding a
    stale object) tries to qualify: the locked row's state wins."""
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    _answer_all(proposal, ks_user)
    stale = type(proposal).objects.get(pk=proposal.pk)
    perform_transition(proposal=proposal, name="reject", actor=ks_user, comment="Ikke relevant")
    with pytest.raises(TransitionError, match="Avvist"):
        perform_transition(proposal=stale, name="qualify", actor=ks_user)


def test_notification_task_sends_once(proposal, applicant, django_capture_on_commit_callbacks):
    from projects.tasks import notify_proposal_transition

    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()
    sent = len(mail.outbox)
    assert sent == 2  # the officer and the contact person, after commit
    assert notify_proposal_transition(log.pk) == 0
    assert len(mail.outbox) == sent


def test_qualify_is_refused_when_no_criteria_are_set_up(proposal, applicant, ks_user):
    from projects.models import QualificationCriterion

    perform_transition(proposal=proposal, name="submit", actor=applicant)
    QualificationCriterion.objects.update(active=False)
    with pytest.raises(TransitionError, match="Ingen kvalifiseringskriterier"):
        perform_transition(proposal=proposal, name="qualify", actor=ks_user)
