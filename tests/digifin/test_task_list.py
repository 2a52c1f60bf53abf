"""«Mine oppgaver» (digifin/task_list.py): each kind appears when its state exists and
disappears when the thing is done, per role; the list asks the database a fixed number of
times however much data there is."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digifin.task_list import LIMIT, tasks_for, tertial_due
from invoicing.models import BatchItem, BatchJob, Invoice, OutgoingEmail, Payment
from members.models import Participation
from overview.models import ReconciliationRun
from projects.models import (
    CoApplicant,
    ConflictDeclaration,
    Project,
    ProposalStatus,
    Score,
    ScoringCriterion,
    StatusReport,
)
from projects.services.council import agenda_add, meeting_close, meeting_create, score_record
from projects.services.proposals import coapplicant_confirm
from repayments import services as repayments_services
from repayments.models import AccessAgreement
from tests.accounts.factories import CouncilMemberFactory, MunicipalUserFactory
from tests.invoicing.factories import issue_manual
from tests.members.factories import ParticipationFactory
from tests.projects.factories import complete_proposal, participant_user
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    published,
)
from tests.repayments.factories import project as make_project

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 5, 10)  # the latest completed tertial is 2027-T1


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the reconciliation banner's cached answer
    yield
    cache.clear()


def kinds(user, today=TODAY):
    return [task.kind for task in tasks_for(user, today=today)]


def texts(user, today=TODAY):
    return " | ".join(task.text for task in tasks_for(user, today=today))


# --- municipal --------------------------------------------------------------------------------
def test_co_application_to_confirm_appears_and_goes_when_confirmed():
    lead, partner = participant_user(), participant_user()
    proposal = complete_proposal(lead_member=lead.organisation)
    CoApplicant.objects.create(proposal=proposal, member=partner.organisation)
    assert f"Bekreft medsøknad: «{proposal.title}»" in texts(partner)
    [task] = [t for t in tasks_for(partner, today=TODAY) if t.kind == "coapplication"]
    assert task.url == reverse("projects:proposal_detail", args=[proposal.pk])
    assert "coapplication" not in kinds(lead)  # the lead has nothing to confirm
    coapplicant_confirm(proposal=proposal, actor=partner)
    assert "coapplication" not in kinds(partner)


def test_participation_to_confirm_appears_while_invited():
    user = MunicipalUserFactory()
    participation = ParticipationFactory(member=user.organisation)
    assert "participation" in kinds(user)
    Participation.objects.filter(pk=participation.pk).update(status=Participation.Status.CONFIRMED)
    assert "participation" not in kinds(user)


def test_status_report_for_the_last_tertial_is_due_until_reported(ks_user):
    user = participant_user()
    proposal = complete_proposal(lead_member=user.organisation, status=ProposalStatus.APPROVED)
    project = Project.objects.create(
        proposal=proposal,
        title="Felles barnevern",
        responsible=user.organisation,
        granted=Decimal("1000000"),
        decided_by=ks_user,
    )
    assert tertial_due(TODAY) == ("2027-T1", datetime.date(2027, 4, 30), datetime.date(2027, 5, 31))
    [task] = [t for t in tasks_for(user, today=TODAY) if t.kind == "status_report"]
    assert task.text == "Statusrapport for 2027-T1: Felles barnevern"
    assert task.due == datetime.date(2027, 5, 31) and task.urgency == ""
    # a month later the deadline has passed: overdue, first in the list
    late = tasks_for(user, today=datetime.date(2027, 6, 2))[0]
    assert late.kind == "status_report" and late.overdue
    StatusReport.objects.create(
        project=project, period="2027-T1", light="green", progress="Etter plan", reported_by=user
    )
    assert "status_report" not in kinds(user)
    # a project granted after the tertial ended owes no report for it
    assert "status_report" not in kinds(user, today=datetime.date(2026, 12, 1))


def test_invoice_due_soon_then_overdue_disappears_when_paid():
    user = MunicipalUserFactory()
    invoice = issue_manual(buyer=user.organisation, amount="5000")  # due 02.12.2026
    before = datetime.date(2026, 11, 25)
    [task] = [t for t in tasks_for(user, today=before) if t.kind == "invoice"]
    assert task.urgency == "soon" and "forfaller 02.12.2026" in task.text
    assert "5\u00a0000\u00a0kr" in task.text
    [task] = [t for t in tasks_for(user, today=datetime.date(2026, 12, 10)) if t.kind == "invoice"]
    assert task.overdue and "forfalt 02.12.2026" in task.text
    # far from the due date: not yet a task
    assert "invoice" not in kinds(user, today=datetime.date(2026, 10, 1))
    assert "invoice" not in kinds(MunicipalUserFactory(), today=before)  # another organisation
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)
    assert "invoice" not in kinds(user, today=before)


# --- the council ------------------------------------------------------------------------------
@pytest.fixture
def open_case(ks_user):
    meeting = meeting_create(
        held_on=datetime.date(2027, 5, 20), title="KommIT-rådet", actor=ks_user
    )
    proposal = complete_proposal(
        lead_member=participant_user().organisation, status=ProposalStatus.QUALIFIED
    )
    return agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)


def test_case_to_score_appears_until_the_member_has_scored(open_case):
    member = CouncilMemberFactory()
    [task] = [t for t in tasks_for(member, today=TODAY) if t.kind == "case_to_score"]
    assert task.text.startswith(f"Gi poeng i {open_case.case_label}")
    assert task.due == datetime.date(2027, 5, 20) and task.urgency == "soon"
    criteria = ScoringCriterion.objects.filter(active=True)
    score_record(item=open_case, values=dict.fromkeys(criteria, (4, "")), actor=member)
    assert "case_to_score" not in kinds(member)


def test_a_recused_member_is_not_asked_to_score(open_case):
    recused = CouncilMemberFactory(organisation=open_case.proposal.lead_member)
    assert "case_to_score" not in kinds(recused)
    assert "meeting" in kinds(recused)  # still told of the meeting


def test_meeting_coming_disappears_when_closed(open_case, ks_user):
    member = CouncilMemberFactory()
    [task] = [t for t in tasks_for(member, today=TODAY) if t.kind == "meeting"]
    assert task.text == "KommIT-rådet 20.05.2027: 1 sak på sakslisten"
    open_case.outcome = "deferred"
    open_case.save()
    meeting_close(meeting=open_case.meeting, actor=ks_user)
    assert kinds(member) == []


# --- KS ---------------------------------------------------------------------------------------
def test_ks_sees_proposals_to_qualify_and_council_outcomes_to_decide(ks_user):
    proposal = complete_proposal(
        lead_member=participant_user().organisation, status=ProposalStatus.SUBMITTED
    )
    complete_proposal(lead_member=participant_user().organisation, status=ProposalStatus.SUBMITTED)
    [task] = [t for t in tasks_for(ks_user, today=TODAY) if t.kind == "qualify"]
    assert task.count == 2 and task.text == "2 innsendte forslag venter på kvalifisering"
    assert task.url == reverse("projects:staff_list") + "?status=submitted"
    proposal.status = ProposalStatus.PRIORITISED
    proposal.save()
    assert "decide" in kinds(ks_user)
    assert [t.count for t in tasks_for(ks_user, today=TODAY) if t.kind == "qualify"] == [1]


def test_ks_sees_unmatched_bank_lines_and_a_failed_reconciliation(ks_user):
    assert kinds(ks_user) == []
    payment = Payment.objects.create(
        amount=Decimal("100"),
        paid_on=datetime.date(2026, 11, 2),
        source=Payment.Source.CAMT054,
        resolved=False,
    )
    now = timezone.now()
    ReconciliationRun.objects.create(started_at=now, finished_at=now, ok=False, trigger="manual")
    cache.clear()  # reconcile() clears the banner's cached answer when a run finishes
    assert kinds(ks_user) == ["reconciliation", "unmatched_payment"]
    Payment.objects.filter(pk=payment.pk).update(resolved=True)
    ReconciliationRun.objects.create(
        started_at=now + datetime.timedelta(minutes=1),
        finished_at=now + datetime.timedelta(minutes=1),
        ok=True,
        trigger="manual",
    )
    cache.clear()
    assert kinds(ks_user) == []


def test_other_roles_tasks_never_leak(open_case):
    partner = participant_user()
    CoApplicant.objects.create(proposal=open_case.proposal, member=partner.organisation)
    council = CouncilMemberFactory()
    assert not {"coapplication", "invoice"} & set(kinds(council))
    assert not {"case_to_score", "meeting"} & set(kinds(partner))


# --- pages and query counts -------------------------------------------------------------------
def _queries(client, url):
    client.get(url)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _municipal_data(user, n, first=0):
    for i in range(first, first + n):
        lead = participant_user()
        proposal = complete_proposal(lead_member=lead.organisation)
        CoApplicant.objects.create(proposal=proposal, member=user.organisation)
        issue_manual(buyer=user.organisation, amount=f"{1000 + i}", issued_on=timezone.localdate())


def test_the_start_page_and_the_list_ask_a_fixed_number_of_queries(client):
    user = MunicipalUserFactory()
    ParticipationFactory(member=user.organisation)
    client.force_login(user)
    _municipal_data(user, 1)
    home_one, _r = _queries(client, reverse("home"))
    list_one, _r = _queries(client, reverse("my_tasks"))
    _municipal_data(user, 8, first=1)
    home_many, response = _queries(client, reverse("home"))
    list_many, full = _queries(client, reverse("my_tasks"))
    assert home_many == home_one <= 15
    assert list_many == list_one <= 15
    assert len(response.context["tasks"]) == 5 and response.context["task_total"] == 1 + 9 + 9
    assert len(full.context["tasks"]) == 19
    assert "Bekreft medsøknad" in full.content.decode()


def test_the_council_list_asks_a_fixed_number_of_queries(client, ks_user, open_case):
    member = CouncilMemberFactory()
    client.force_login(member)
    one, _r = _queries(client, reverse("my_tasks"))
    for _i in range(6):
        proposal = complete_proposal(
            lead_member=participant_user().organisation, status=ProposalStatus.QUALIFIED
        )
        CoApplicant.objects.create(proposal=proposal, member=participant_user().organisation)
        agenda_add(meeting=open_case.meeting, proposal=proposal, actor=ks_user)
    many, response = _queries(client, reverse("my_tasks"))
    assert many == one <= 15
    assert [t.kind for t in response.context["tasks"]].count("case_to_score") == 7


def test_the_ks_list_asks_a_fixed_number_of_queries(client, ks_user):
    client.force_login(ks_user)
    complete_proposal(lead_member=participant_user().organisation, status=ProposalStatus.SUBMITTED)
    one, _r = _queries(client, reverse("my_tasks"))
    for _i in range(5):
        complete_proposal(
            lead_member=participant_user().organisation, status=ProposalStatus.SUBMITTED
        )
    many, response = _queries(client, reverse("my_tasks"))
    assert many == one <= 15
    assert response.context["tasks"][0].count == 6


def test_anonymous_start_page_has_no_task_list(client):
    response = client.get(reverse("home"))
    assert "tasks" not in response.context
    assert 'data-testid="task-list"' not in response.content.decode()


def test_access_waiting_for_the_share_is_the_members_task_until_access(ks_user):
    kommune(2_000, name="Eksisterende kommune")
    solution = published(
        SolutionFactory(name="Digiorden", project=make_project(actor=ks_user)),
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=ks_user,
    )
    member = kommune(5_084)
    make_participant(member, paid=False)
    agreement = repayments_services.access_request(
        solution=solution, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement
    officer = MunicipalUserFactory(organisation=member)
    [task] = [t for t in tasks_for(officer, today=TODAY) if t.kind == "access"]
    assert task.text == "Tilgang til «Digiorden» venter på at andelen i DigiFin er betalt"
    assert task.url == reverse("repayments:solution_detail", args=[solution.pk])
    AccessAgreement.objects.filter(pk=agreement.pk).update(
        status=AccessAgreement.Status.ACTIVE, activated_on=TODAY
    )
    assert "access" not in kinds(officer)


def test_ks_sees_failed_batch_items_and_emails_not_sent(ks_user):
    job = BatchJob.objects.create(kind=BatchJob.Kind.REMINDERS, started_by=ks_user)
    item = BatchItem.objects.create(job=job, object_id=1, status=BatchItem.Status.FAILED)
    BatchItem.objects.create(job=job, object_id=2, status=BatchItem.Status.DONE)
    email = OutgoingEmail.objects.create(
        key="k", to="a@example.no", subject="x", status=OutgoingEmail.Status.FAILED
    )
    tasks = {t.kind: t for t in tasks_for(ks_user, today=TODAY)}
    assert tasks["batch"].text == "Massejobb lag purringer: 1 element feilet"
    assert tasks["batch"].url == reverse("invoicing:job_detail", args=[job.pk])
    assert tasks["email"].count == 1
    BatchItem.objects.filter(pk=item.pk).update(status=BatchItem.Status.DONE)
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT)
    assert kinds(ks_user) == []


# --- the grant and what follows it (issue 18) --------------------------------------------------
def _granted_project(ks_user, *, accepted: bool):
    from fund.models import CapitalSource, LedgerEntry
    from fund.services import ledger_record
    from projects.services.portfolio import project_approve

    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("3000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD",
    )
    applicant = participant_user()
    proposal = complete_proposal(
        lead_member=applicant.organisation, created_by=applicant, status=ProposalStatus.PRIORITISED
    )
    project = project_approve(proposal=proposal, budget={2026: Decimal("100000")}, actor=ks_user)
    if accepted:
        from tests.projects.factories import accept_grant

        accept_grant(project)
    return project, applicant


def test_a_grant_to_accept_is_the_applicants_task_until_accepted(ks_user):
    project, applicant = _granted_project(ks_user, accepted=False)
    today = project.grant.accept_by - datetime.timedelta(days=3)
    [task] = [t for t in tasks_for(applicant, today=today) if t.kind == "grant_to_accept"]
    assert project.title in task.text and task.due == project.grant.accept_by
    assert task.urgency == "soon"
    assert task.url == reverse("projects:grant_detail", args=[project.pk])
    assert "grant_to_accept" not in kinds(participant_user(), today=today)  # not another org's
    from tests.projects.factories import accept_grant

    accept_grant(project)
    assert "grant_to_accept" not in kinds(applicant, today=today)


def test_a_payment_request_is_ks_task_until_approved(ks_user):
    from projects.services.payments import payment_request_approve, payment_request_submit

    project, applicant = _granted_project(ks_user, accepted=True)
    assert "payment_request" not in kinds(ks_user)
    request = payment_request_submit(
        project=project,
        kind="partial",
        amount=Decimal("25000"),
        progress="Første leveranse.",
        costs={"external": Decimal("25000")},
        actor=applicant,
    )
    [task] = [t for t in tasks_for(ks_user, today=TODAY) if t.kind == "payment_request"]
    assert "25\xa0000\xa0kr" in task.text and project.title in task.text
    assert "payment_request" not in kinds(applicant)  # KS's task, not the municipality's
    payment_request_approve(request=request, paid_on=datetime.date.today(), actor=ks_user)
    assert "payment_request" not in kinds(ks_user)


def test_a_benefit_report_is_due_for_a_completed_project_until_reported(ks_user):
    from projects.models import BenefitReport

    project, applicant = _granted_project(ks_user, accepted=True)
    Project.objects.filter(pk=project.pk).update(
        status=Project.Status.COMPLETED,
        closed_at=timezone.make_aware(datetime.datetime(2026, 6, 1)),
    )
    today = datetime.date(2026, 11, 20)  # the 2026 report opens on 1 November
    [task] = [t for t in tasks_for(applicant, today=today) if t.kind == "benefit_report"]
    assert "2026" in task.text and task.url.endswith("#gevinster")
    assert "benefit_report" not in kinds(applicant, today=datetime.date(2026, 10, 31))
    BenefitReport.objects.create(project=project, year=2026, reported_by=applicant)
    assert "benefit_report" not in kinds(applicant, today=today)


# --- bounded kinds: at most LIMIT listed, the rest summed up (issue 22) -------------------------
def _completed_project(ks_user, member, title, closed):
    proposal = complete_proposal(lead_member=member, status=ProposalStatus.APPROVED)
    return Project.objects.create(
        proposal=proposal,
        title=title,
        responsible=member,
        granted=Decimal("1000000"),
        decided_by=ks_user,
        status=Project.Status.COMPLETED,
        closed_at=timezone.make_aware(datetime.datetime(*closed)),
    )


def test_a_kind_with_more_than_the_limit_lists_the_first_and_says_how_many_more():
    user = MunicipalUserFactory()
    first = datetime.date(2026, 11, 2)
    for i in range(LIMIT + 3):  # due 02.12.2026, 03.12.2026, … (30 days after issue)
        issue_manual(
            buyer=user.organisation, amount=f"{1000 + i}", issued_on=first + datetime.timedelta(i)
        )
    tasks = [t for t in tasks_for(user, today=TODAY) if t.kind == "invoice"]
    listed, [more] = tasks[:LIMIT], tasks[LIMIT:]
    assert not any(t.more for t in listed)
    assert [t.due for t in listed] == [
        datetime.date(2026, 12, 2) + datetime.timedelta(i) for i in range(LIMIT)
    ]
    assert more.more and more.count == 3
    assert more.text == "3 fakturaer til forfaller snart eller er forfalt"
    assert more.url == reverse("invoicing:my_invoices")
    # the first one beyond the limit is overdue, so the summary is too
    assert more.due == datetime.date(2026, 12, 2) + datetime.timedelta(LIMIT) and more.overdue


def test_benefit_reports_listed_are_the_selectors_first_and_the_rest_is_counted(ks_user):
    from projects.models import BenefitReport
    from projects.selectors import benefit_reports_due

    user = participant_user()
    org = user.organisation
    today = datetime.date(2026, 11, 20)  # the 2026 reports are open
    # 2024 → three years due (2024, 2025, 2026), one of them reported; a report for a year
    # before the launch does not count; 31.12.2025 23:30 UTC is 2025 (the selector's year).
    early = _completed_project(ks_user, org, "A – tidlig", (2024, 3, 1))
    BenefitReport.objects.create(project=early, year=2025, reported_by=user)
    BenefitReport.objects.create(project=early, year=2023, reported_by=user)
    _completed_project(ks_user, org, "B – nyttår", (2025, 12, 31, 23, 30))
    done = _completed_project(ks_user, org, "C – ferdig rapportert", (2026, 2, 1))
    BenefitReport.objects.create(project=done, year=2026, reported_by=user)
    for i in range(LIMIT):
        _completed_project(ks_user, org, f"D{i:02} – fullført", (2026, 5, 1))
    _completed_project(ks_user, participant_user().organisation, "Annen kommune", (2026, 5, 1))

    due = benefit_reports_due(member=org, today=today)
    tasks = [t for t in tasks_for(user, today=today) if t.kind == "benefit_report"]
    expected = [
        f"Rapporter realiserte gevinster for {d.year}: {d.project.title}" for d in due[:LIMIT]
    ]
    assert [t.text for t in tasks[:LIMIT]] == expected
    assert expected[:3] == [
        "Rapporter realiserte gevinster for 2024: A – tidlig",
        "Rapporter realiserte gevinster for 2026: A – tidlig",
        "Rapporter realiserte gevinster for 2025: B – nyttår",
    ]
    [more] = tasks[LIMIT:]
    assert more.more and more.count == len(due) - LIMIT == 4  # 2 + 2 + LIMIT due in all
    assert more.text == "4 gevinstrapporter til skal sendes"
    # before 1 November the year's report is not open yet: only the earlier years are due
    assert [t.text for t in tasks_for(user, today=datetime.date(2026, 10, 1))] == [
        "Rapporter realiserte gevinster for 2024: A – tidlig",
        "Rapporter realiserte gevinster for 2025: B – nyttår",
    ]


def test_many_cases_to_score_ask_the_same_queries_and_show_the_limit(client, ks_user, open_case):
    member = CouncilMemberFactory()
    criteria = ScoringCriterion.objects.filter(active=True)
    client.force_login(member)
    few, _r = _queries(client, reverse("my_tasks"))
    cases = []
    for _i in range(LIMIT + 4):
        proposal = complete_proposal(
            lead_member=participant_user().organisation, status=ProposalStatus.QUALIFIED
        )
        cases.append(agenda_add(meeting=open_case.meeting, proposal=proposal, actor=ks_user))
    # recused from one (co-applicant), a declared conflict on another, a third scored in full,
    # a fourth only partly scored (still a task)
    CoApplicant.objects.create(proposal=cases[0].proposal, member=member.organisation)
    ConflictDeclaration.objects.create(item=cases[1], member=member, reason="Inhabil")
    score_record(item=cases[2], values=dict.fromkeys(criteria, (4, "")), actor=member)
    Score.objects.create(item=cases[3], member=member, criterion=criteria.first(), value=3)
    many, response = _queries(client, reverse("my_tasks"))
    assert many == few
    tasks = [t for t in response.context["tasks"] if t.kind == "case_to_score"]
    assert len(tasks) == LIMIT + 1 and tasks[-1].more
    # 1 + LIMIT + 4 cases, 3 of them not the member's to score
    assert tasks[-1].count == 1 + LIMIT + 4 - 3 - LIMIT
    listed = " ".join(t.text for t in tasks)
    assert all(case.case_label not in listed for case in cases[:3])
    assert cases[3].case_label in listed
    assert tasks[-1].text == "2 saker til venter på poengene dine"
    assert tasks[-1].url == reverse("projects:council_queue")
    assert 'data-kind="case_to_score"' in response.content.decode()


def test_the_municipal_list_over_the_limit_asks_the_same_queries(client):
    user = MunicipalUserFactory()
    client.force_login(user)
    _municipal_data(user, 1)
    one, _r = _queries(client, reverse("my_tasks"))
    _municipal_data(user, LIMIT + 2, first=1)
    many, response = _queries(client, reverse("my_tasks"))
    assert many == one
    by_kind = {}
    for task in response.context["tasks"]:
        by_kind.setdefault(task.kind, []).append(task)
    for kind in ("coapplication", "invoice"):
        assert len(by_kind[kind]) == LIMIT + 1 and by_kind[kind][-1].count == 3
    assert "3 medsøknader til venter på bekreftelse" in response.content.decode()
    home, start = _queries(client, reverse("home"))
    assert home == many and start.context["task_total"] == 2 * (LIMIT + 1)


@pytest.mark.services
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize(
    ("count", "index"),
    [
        (lambda: Payment.objects.filter(resolved=False), "payment_unresolved_idx"),
        (
            lambda: AccessAgreement.objects.filter(
                fee_status=AccessAgreement.FeeStatus.PENDING_INVOICE
            ),
            "access_fee_pending_idx",
        ),
    ],
)
def test_ks_counts_are_answered_from_a_partial_index_not_a_table_scan(count, index):
    """KS's task list counts the unmatched bank lines and the fees to invoice on every
    request; with 158 000 payments and agreements (bench scale 100) a table scan took 40–60 ms.
    The count's filter must match its partial index's condition (issue 22).

    The plan explained is the count's own: no ordering (``.count()`` drops the model's
    ``Meta.ordering``, whose joins and sort would let the planner prefer another index on
    an empty table) and no scan of the whole table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table: force the choice
    plan = count().order_by().values("pk").explain()
    assert index in plan, plan


@pytest.mark.services
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the row counts of psycopg")
def test_no_kind_reads_more_than_the_limit_however_many_objects_there_are(ks_user, open_case):
    """The work follows what the list shows, not the size of the fund: with more than LIMIT
    co-applications, invoices and open cases, no query of the list returns more than LIMIT + 1
    rows (the rest is counted by the database)."""
    user = MunicipalUserFactory()
    _municipal_data(user, LIMIT + 4)
    member = CouncilMemberFactory()
    for _i in range(LIMIT + 4):
        proposal = complete_proposal(
            lead_member=participant_user().organisation, status=ProposalStatus.QUALIFIED
        )
        agenda_add(meeting=open_case.meeting, proposal=proposal, actor=ks_user)
    returned = []

    def rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        returned.append((context["cursor"].rowcount, sql))
        return result

    with connection.execute_wrapper(rows):
        municipal = tasks_for(user, today=TODAY)
        council = tasks_for(member, today=TODAY)
    assert [t.count for t in municipal if t.more] == [4, 4]
    assert [t.count for t in council if t.more] == [1 + LIMIT + 4 - LIMIT]
    assert max(n for n, _sql in returned) <= LIMIT + 1, sorted(returned)[-1]
