"""Notifications (invoicing/notify.py and the events that call it): exactly once per event and
user, in the user's language, with an absolute link; a non-essential one the user turned off
is not sent, an essential one always is (accounts/notifications.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.services import notification_settings_save
from invoicing.models import OutgoingEmail
from invoicing.services import reminder_create
from overview import reconciliation
from projects.models import CoApplicant, ProposalStatus
from projects.services.council import agenda_add, meeting_create
from projects.services.proposals import proposal_save_draft
from projects.tasks import remind_meetings
from tests import test_translations
from tests.accounts.factories import CouncilMemberFactory, KsStaffFactory, MunicipalUserFactory
from tests.invoicing.factories import issue_manual
from tests.projects.factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_catalogue(tmp_path):
    """The committed English catalogue compiled (not activated: each e-mail picks its own)."""
    directory = tmp_path / "locale" / "en" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    entries = test_translations.parse_po(test_translations.PO_FILE)
    test_translations.write_mo([e for e in entries if not e["obsolete"]], directory / "django.mo")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


def _save(proposal, lead, partners, capture):
    with capture(execute=True):
        proposal_save_draft(
            proposal=proposal,
            fields={"title": proposal.title},
            co_applicant_members=partners,
            cost_rows=[{"year": 2027, "development": Decimal("1000000")}],
            benefit_rows=[],
            contact_rows=[],
            actor=lead,
        )


def test_saving_the_proposal_twice_sends_each_co_applicant_user_one_email(
    django_capture_on_commit_callbacks,
):
    lead = participant_user()
    partner = participant_user(email="ingrid@oyer.kommune.no")
    colleague = MunicipalUserFactory(organisation=partner.organisation, email="ola@oyer.no")
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead)
    _save(proposal, lead, [partner.organisation], django_capture_on_commit_callbacks)
    _save(proposal, lead, [partner.organisation], django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner.email, colleague.email])
    message = mail.outbox[0]
    assert message.subject == f"DigiFin: Bekreft medsøknad: {proposal.title}"
    assert lead.organisation.name in message.body
    link = f"http://testserver.ks.no{reverse('projects:proposal_detail', args=[proposal.pk])}"
    assert link in message.body
    keys = set(OutgoingEmail.objects.values_list("key", flat=True))
    assert keys == {
        f"coapplicant:{proposal.pk}:{partner.organisation_id}:u{partner.pk}",
        f"coapplicant:{proposal.pk}:{partner.organisation_id}:u{colleague.pk}",
    }
    assert lead.email not in [m.to[0] for m in mail.outbox]  # the lead is not asked


def test_a_confirmed_co_applicant_is_not_asked(django_capture_on_commit_callbacks):
    lead, partner = participant_user(), participant_user()
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead)
    CoApplicant.objects.create(
        proposal=proposal, member=partner.organisation, confirmed_at=timezone.now()
    )
    _save(proposal, lead, [partner.organisation], django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.fixture(autouse=True)
def _site(settings):
    settings.DIGIFIN_SITE_URL = "http://testserver.ks.no"


def test_the_email_is_in_the_recipients_language(
    english_catalogue, django_capture_on_commit_callbacks
):
    lead = participant_user()
    partner = participant_user(email="nb@example.no")
    english = MunicipalUserFactory(
        organisation=partner.organisation, email="en@example.no", language="en"
    )
    proposal = complete_proposal(lead_member=lead.organisation, created_by=lead)
    _save(proposal, lead, [partner.organisation], django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[english.email].subject == f"DigiFin: Confirm co-application: {proposal.title}"
    assert "My tasks" in by_address[english.email].body
    assert by_address["nb@example.no"].subject.startswith("DigiFin: Bekreft medsøknad")
    assert "Mine oppgaver" in by_address["nb@example.no"].body


@pytest.fixture
def meeting(ks_user):
    return meeting_create(held_on=timezone.localdate(), title="KommIT-rådet", actor=ks_user)


def test_a_case_to_score_is_not_sent_to_members_who_turned_it_off(
    meeting, ks_user, django_capture_on_commit_callbacks
):
    keen, muted = CouncilMemberFactory(), CouncilMemberFactory()
    notification_settings_save(user=muted, language="nb", muted=["case_to_score"], actor=muted)
    recused = CouncilMemberFactory()
    proposal = complete_proposal(lead_member=recused.organisation, status=ProposalStatus.QUALIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        item = agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)
    assert [m.to[0] for m in mail.outbox] == [keen.email]  # not the muted, not the recused
    assert item.case_label in mail.outbox[0].subject
    assert reverse("projects:council_item", args=[item.pk]) in mail.outbox[0].body


def test_meeting_reminder_once_per_member_and_opt_out(meeting):
    keen, muted = CouncilMemberFactory(), CouncilMemberFactory()
    muted.muted_notifications = ["meeting_coming"]
    muted.save()
    assert remind_meetings() == 1
    assert remind_meetings() == 0  # the beat task runs daily: still one e-mail
    assert [m.to[0] for m in mail.outbox] == [keen.email]


def test_an_essential_notification_cannot_be_turned_off(django_capture_on_commit_callbacks):
    officer = MunicipalUserFactory(email="kari@lillehammer.kommune.no")
    # The settings service keeps only non-essential codes; even a stored one is ignored.
    notification_settings_save(
        user=officer, language="nb", muted=["invoice_overdue", "coapplicant_confirm"], actor=officer
    )
    officer.refresh_from_db()
    assert officer.muted_notifications == []
    officer.muted_notifications = ["invoice_overdue"]
    officer.save()
    invoice = issue_manual(buyer=officer.organisation, amount="5000")  # due 02.12.2026
    mail.outbox.clear()  # the invoice itself went to the invoice address
    with django_capture_on_commit_callbacks(execute=True):
        reminder_create(invoice=invoice, on=datetime.date(2026, 12, 10), actor=None)
    [message] = [m for m in mail.outbox if m.to == [officer.email]]
    assert message.subject == f"DigiFin: Faktura {invoice.number} er forfalt"
    assert "02.12.2026" in message.body and "Purring nr. 1" in message.body


def test_a_failed_reconciliation_emails_ks_staff_once_per_run(monkeypatch):
    staff = KsStaffFactory()
    KsStaffFactory(is_active=False)
    MunicipalUserFactory()
    outcome = reconciliation.CheckOutcome(name="fund_balance", title="Fondets saldo", rows=["x"])
    monkeypatch.setattr(reconciliation, "run_checks", lambda: [outcome])
    run = reconciliation.reconcile(trigger="command")
    assert run.ok is False
    assert [m.to[0] for m in mail.outbox] == [staff.email]
    assert "Fondets saldo" in mail.outbox[0].body
    reconciliation.failure_notify(run=run)  # again: nothing new
    assert len(mail.outbox) == 1
