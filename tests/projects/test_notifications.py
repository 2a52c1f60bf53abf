"""Proposal e-mails go through invoicing's mail module: one message per recipient, each claimed
by its key (an OutgoingEmail row) before it is sent, exactly once; users get it in their own
language, the contact persons in the applicant's målform; then the transition is marked
notified."""

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


def test_notification_is_one_claimed_message_to_each_recipient(
    proposal, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()
    records = {r.to: r for r in OutgoingEmail.objects.all()}
    assert set(records) == {"kari@example.no", "saksbehandler@kommune.no"}
    base = transition_email_key(log)
    assert base == f"proposal-transition:{log.pk}"
    assert records["saksbehandler@kommune.no"].key == f"{base}:u{applicant.pk}"
    assert records["kari@example.no"].key == f"{base}:ckari@example.no"
    assert all(r.status == OutgoingEmail.Status.SENT and r.sent_at for r in records.values())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(records)
    assert all(len(m.to) == 1 for m in mail.outbox)
    log.refresh_from_db()
    assert log.notified_at is not None


def test_each_recipient_reads_it_in_their_language(proposal, applicant):
    """The case officer chose English; the contact person has no account and gets the
    applicant's målform (nynorsk)."""
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    member = proposal.lead_member
    member.maalform = "nynorsk"
    member.save(update_fields=["maalform"])
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    notify_proposal_transition(proposal.transitions.get().pk)
    by_to = {m.to[0]: m for m in mail.outbox}
    officer, contact = by_to["saksbehandler@kommune.no"], by_to["kari@example.no"]
    assert "has been given the status" in officer.body, officer.body
    assert "Prosjektframlegget" in contact.body or "framlegg" in contact.body, contact.body
    assert "Prosjektforslaget" not in contact.body
    assert "/prosjekter/" in contact.body and contact.body.count("http") >= 1


def test_a_redelivered_task_sends_nothing_even_if_notified_at_was_lost(proposal, applicant):
    perform_transition(proposal=proposal, name="submit", actor=applicant)
    log = proposal.transitions.get()
    assert notify_proposal_transition(log.pk) == 2
    assert notify_proposal_transition(log.pk) == 0
    ProposalTransition.objects.filter(pk=log.pk).update(notified_at=None)
    assert notify_proposal_transition(log.pk) == 0  # each recipient's key is still claimed
    assert len(mail.outbox) == 2
    assert OutgoingEmail.objects.count() == 2


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
    log.refresh_from_db()
    assert log.notified_at is None  # not done: the task is retried
    monkeypatch.undo()
    # The retry reaches the recipient not yet tried and leaves the failed one to a human.
    assert notify_proposal_transition(log.pk) == 1
    assert [m.to[0] for m in mail.outbox] != [record.to]
    assert OutgoingEmail.objects.filter(to=record.to).count() == 1
    assert notify_proposal_transition(log.pk) == 0


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
