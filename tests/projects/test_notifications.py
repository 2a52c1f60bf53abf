"""Proposal e-mails go through invoicing's mail module: the key is claimed (an OutgoingEmail
row) together with notified_at before the message is sent, one message to all recipients,
exactly once."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from invoicing.models import OutgoingEmail
from invoicing.selectors import emails_needing_attention
from projects.models import ProposalTransition
from projects.notifications import transition_email_key
from projects.services.workflow import perform_transition
from projects.tasks import notify_proposal_transition

from .factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return participant_user(email="saksbehandler@kommune.no")


@pytest.fixture
def proposal(applicant):
    return complete_proposal(lead_member=applicant.organisation, created_by=applicant)


def test_notification_is_one_claimed_message_to_every_recipient(
    proposal, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()
    record = OutgoingEmail.objects.get()
    assert record.key == transition_email_key(log) == f"proposal-transition:{log.pk}"
    assert record.status == OutgoingEmail.Status.SENT and record.sent_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["kari@example.no", "saksbehandler@kommune.no"]
    assert record.to == mail.outbox[0].to[0]
    assert record.subject == mail.outbox[0].subject


def test_a_redelivered_task_sends_nothing_even_if_notified_at_was_lost(proposal, applicant):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()
    assert notify_proposal_transition(log.pk) == 2
    assert notify_proposal_transition(log.pk) == 0
    ProposalTransition.objects.filter(pk=log.pk).update(notified_at=None)
    notify_proposal_transition(log.pk)  # the e-mail's key is still claimed
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.count() == 1


def test_a_refused_message_is_recorded_for_a_human_and_not_sent_again(
    proposal, applicant, monkeypatch
):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        notify_proposal_transition(log.pk)
    record = OutgoingEmail.objects.get()
    assert record.status == OutgoingEmail.Status.FAILED and "mail server down" in record.error
    assert list(emails_needing_attention()) == [record]
    monkeypatch.undo()
    assert notify_proposal_transition(log.pk) == 0
    assert mail.outbox == []


def test_no_recipients_claims_nothing(proposal, applicant):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    proposal.contacts.all().delete()
    applicant.email = ""
    applicant.save()
    log = proposal.transitions.get()
    assert notify_proposal_transition(log.pk) == 0
    log.refresh_from_db()
    assert log.notified_at is not None
    assert not OutgoingEmail.objects.exists() and mail.outbox == []
