"""Benefits realisation (issue 18 §5): the benefits plan is the proposal's benefit table; after
launch the owner reports realised benefits once a year (a task and a reminder); a value that is
not a number, a report for another organisation's project, a second report for a year: each
refused with the field and the reason, nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import BenefitReport, BenefitYear, Project
from projects.selectors import benefit_reports_due, benefits_plan, benefits_realised
from projects.services.benefits import benefit_report_submit
from projects.services.followup_workflow import FollowupError
from projects.services.portfolio import project_close
from projects.tasks import benefit_report_reminders
from tests.hardening.builders import active_project
from tests.once_support import with_once
from tests.projects.factories import participant_user

THIS_YEAR = datetime.date.today().year
DECEMBER = datetime.date(THIS_YEAR, 12, 3)


@pytest.fixture
def launched(ks_user):
    """A completed project (launched this year) and the responsible member's user."""
    project, owner = active_project(ks_user, request=False)
    project_close(project=project, status=Project.Status.COMPLETED, note="Ferdig", actor=ks_user)
    project.refresh_from_db()
    return project, owner


def test_the_benefits_plan_is_the_proposals_benefit_table(launched):
    project, _owner = launched
    BenefitYear.objects.create(
        proposal=project.proposal,
        year=2028,
        kind=BenefitYear.Kind.TIME,
        beneficiary="Skolene",
        amount=Decimal("500000"),
        measurement="Timer",
    )
    assert benefits_plan(project=project) == {2028: {"time": Decimal("2500000.00")}}


def test_the_owner_reports_once_a_year_and_the_task_goes_away(launched):
    project, owner = launched
    assert [(d.project, d.year) for d in benefit_reports_due(today=DECEMBER)] == [
        (project, THIS_YEAR)
    ]
    assert benefit_reports_due(member=participant_user().organisation, today=DECEMBER) == []
    benefit_report_submit(
        project=project,
        year=THIS_YEAR,
        realised={"time": "350 000", "economic": Decimal("120000")},
        actor=owner,
        today=DECEMBER,
    )
    assert benefits_realised(project=project) == {
        THIS_YEAR: {"time": Decimal("350000.00"), "economic": Decimal("120000.00")}
    }
    assert benefit_reports_due(today=DECEMBER) == []
    with pytest.raises(FollowupError, match=f"År: gevinstene for {THIS_YEAR} er allerede"):
        benefit_report_submit(
            project=project, year=THIS_YEAR, realised={}, actor=owner, today=DECEMBER
        )
    assert BenefitReport.objects.count() == 1
    assert project.events.filter(process="benefit_report", actor=owner).count() == 1


def test_a_benefit_value_that_is_not_a_number_is_refused_naming_the_benefit(launched):
    project, owner = launched
    with pytest.raises(FollowupError, match="Spart tid: «mye» er ikke et tall") as e:
        benefit_report_submit(
            project=project, year=THIS_YEAR, realised={"time": "mye"}, actor=owner, today=DECEMBER
        )
    assert e.value.field == "time"
    with pytest.raises(FollowupError, match="Spart tid: beløpet må være mellom"):
        benefit_report_submit(
            project=project, year=THIS_YEAR, realised={"time": "-5"}, actor=owner, today=DECEMBER
        )
    assert not BenefitReport.objects.exists()


def test_a_report_for_another_organisations_project_is_refused(launched):
    project, _owner = launched
    stranger = participant_user()
    with pytest.raises(FollowupError, match="ansvarlige medlemmets"):
        benefit_report_submit(
            project=project, year=THIS_YEAR, realised={}, actor=stranger, today=DECEMBER
        )
    assert not BenefitReport.objects.exists()


def test_no_benefit_report_before_launch_or_for_a_year_not_open(ks_user, launched):
    project, owner = launched
    with pytest.raises(FollowupError, match="År: gevinstrapport kan sendes for"):
        benefit_report_submit(
            project=project, year=THIS_YEAR + 1, realised={}, actor=owner, today=DECEMBER
        )
    running, running_owner = active_project(ks_user, request=False)
    with pytest.raises(FollowupError, match="etter at prosjektet er fullført"):
        benefit_report_submit(
            project=running, year=THIS_YEAR, realised={}, actor=running_owner, today=DECEMBER
        )
    assert not BenefitReport.objects.exists()


def test_the_page_refuses_a_non_number_naming_the_field(client, launched):
    project, owner = launched
    client.force_login(owner)
    url = reverse("projects:project_detail", args=[project.pk])
    data = {"action": "benefit_report", "year": str(THIS_YEAR), "realised_time": "mye"}
    page = client.post(url, with_once(owner, data), follow=True).content.decode()
    assert "Realisert: Spart tid (kr): Oppgi et tall." in page
    assert not BenefitReport.objects.exists()


def test_the_yearly_reminder_is_sent_once(launched, settings):
    project, owner = launched
    users = {u.email for u in owner.organisation.users.filter(is_active=True) if u.email}
    assert owner.email in users
    assert benefit_report_reminders(today=DECEMBER.isoformat()) == len(users)
    assert benefit_report_reminders(today=DECEMBER.isoformat()) == 0
    assert {m.to[0] for m in mail.outbox} == users
    assert all(f"gevinstrapport for {THIS_YEAR}" in m.subject for m in mail.outbox)
