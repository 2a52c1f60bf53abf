"""KommIT-rådet: agenda numbers, recusal, hidden scores, ranking, the chair's outcome; KS'
decision within available capital; disbursements in the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.selectors import fund_balance
from fund.services import ledger_record, ledger_reverse
from projects import selectors
from projects.models import AgendaItem, Project, ProposalStatus, ScoringCriterion
from projects.services.council import (
    agenda_add,
    conflict_declare,
    meeting_close,
    meeting_create,
    outcome_record,
    score_record,
)
from projects.services.portfolio import disbursement_record, project_approve, project_close
from projects.services.proposals import ProposalError
from tests.accounts.factories import CouncilMemberFactory
from tests.html_support import duplicate_ids
from tests.once_support import with_once

from .factories import accept_grant, complete_proposal, participant_user

pytestmark = pytest.mark.django_db
DAY = datetime.date(2027, 3, 14)  # the council meeting (planned)
PAID = datetime.date(2026, 3, 14)  # money is booked on a day that has been (issue 16)


@pytest.fixture
def fund():
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("3000000"),
        occurred_on=datetime.date(2026, 1, 1),
        description="KMD",
    )


@pytest.fixture
def qualified(ks_user):
    applicant = participant_user()
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    proposal.status = ProposalStatus.QUALIFIED
    proposal.save()
    return proposal


@pytest.fixture
def meeting(ks_user):
    return meeting_create(held_on=DAY, title="KommIT-rådet mars", actor=ks_user)


@pytest.fixture
def chair():
    return CouncilMemberFactory(is_council_chair=True)


def _score_all(item, member, value):
    criteria = ScoringCriterion.objects.filter(active=True)
    score_record(item=item, values=dict.fromkeys(criteria, (value, "")), actor=member)


def _prioritised(qualified, meeting, ks_user, chair):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    _score_all(item, chair, 4)  # the quorum: the only council member able to score has
    outcome_record(item=item, outcome="prioritised", minutes="Prioritert.", actor=chair)
    qualified.refresh_from_db()
    return qualified


def test_agenda_gives_case_numbers_per_year_in_council_form(meeting, qualified, ks_user):
    """Year first, as the seeds write it (`sak 17-19`: the 19th case of 2017)."""
    other = complete_proposal(lead_member=participant_user().organisation, status="qualified")
    first = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    second = agenda_add(meeting=meeting, proposal=other, actor=ks_user)
    assert (first.case_label, second.case_label) == ("sak 27-01", "sak 27-02")


def test_only_qualified_proposals_go_on_the_agenda(meeting, ks_user):
    draft = complete_proposal(lead_member=participant_user().organisation)
    with pytest.raises(ProposalError, match="kvalifiserte"):
        agenda_add(meeting=meeting, proposal=draft, actor=ks_user)


def test_member_from_an_applicant_organisation_is_recused_and_cannot_score(
    meeting, qualified, ks_user
):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    insider = CouncilMemberFactory(organisation=qualified.lead_member)
    assert selectors.is_recused(item=item, user=insider)
    with pytest.raises(ProposalError, match="inhabil"):
        _score_all(item, insider, 5)
    assert not item.scores.exists()


def test_declared_conflict_removes_scores_and_blocks_scoring(meeting, qualified, ks_user):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    member = CouncilMemberFactory()
    _score_all(item, member, 3)
    conflict_declare(item=item, reason="Styreverv i leverandør", actor=member)
    assert not item.scores.filter(member=member).exists()
    with pytest.raises(ProposalError, match="inhabil"):
        _score_all(item, member, 3)


def test_others_scores_are_hidden_until_scored_or_closed(meeting, qualified, ks_user, chair):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    first, second = CouncilMemberFactory(), CouncilMemberFactory()
    _score_all(item, first, 4)
    assert not selectors.can_see_scores(item=item, user=second)
    _score_all(item, second, 2)
    assert selectors.can_see_scores(item=item, user=second)
    third = CouncilMemberFactory()
    outcome_record(item=item, outcome="deferred", minutes="Utsatt.", actor=chair)
    meeting_close(meeting=meeting, actor=ks_user)
    item.meeting.refresh_from_db()
    assert selectors.can_see_scores(item=item, user=third)


def test_hidden_scores_are_not_in_the_page(client, meeting, qualified, ks_user):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    first, second = CouncilMemberFactory(), CouncilMemberFactory()
    score_record(
        item=item,
        values=dict.fromkeys(ScoringCriterion.objects.all(), (4, "HEMMELIG-KOMMENTAR")),
        actor=first,
    )
    client.force_login(second)
    page = client.get(reverse("projects:council_item", args=[item.pk])).content.decode()
    assert "HEMMELIG-KOMMENTAR" not in page and "vises når du har gitt poeng" in page


def test_ranking_is_weighted_mean_with_spread_and_count(meeting, qualified, ks_user):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    criteria = list(ScoringCriterion.objects.filter(active=True).order_by("order"))
    # weights 3,2,2,1,1,1 (sum 10). Member A: 5 on "nytte" (w3), 1 elsewhere -> (15+7)/10 = 2.2
    a, b = CouncilMemberFactory(), CouncilMemberFactory()
    score_record(
        item=item, values={c: (5 if c.code == "nytte" else 1, "") for c in criteria}, actor=a
    )
    _score_all(item, b, 4)  # -> 4.0
    ranking = selectors.item_ranking(item=item)
    assert ranking.weighted == Decimal("3.10")  # (2.2 + 4.0) / 2
    assert ranking.spread == Decimal("1.80")
    assert ranking.count == 2


def test_only_the_chair_records_outcome_and_it_moves_the_proposal(
    meeting, qualified, ks_user, chair
):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    with pytest.raises(ProposalError, match="leder"):
        outcome_record(item=item, outcome="prioritised", minutes="x", actor=CouncilMemberFactory())
    _score_all(item, chair, 4)
    outcome_record(item=item, outcome="prioritised", minutes="Høy nytte.", actor=chair)
    qualified.refresh_from_db()
    assert qualified.status == ProposalStatus.PRIORITISED
    assert qualified.transitions.last().comment.startswith("sak 27-01")
    with pytest.raises(ProposalError, match="allerede"):
        outcome_record(item=item, outcome="not_prioritised", minutes="x", actor=chair)


def test_deferred_proposal_stays_qualified(meeting, qualified, ks_user, chair):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    outcome_record(item=item, outcome="deferred", minutes="Utsatt til neste møte.", actor=chair)
    qualified.refresh_from_db()
    assert qualified.status == ProposalStatus.QUALIFIED


def test_approval_within_available_capital_commits_it(fund, meeting, qualified, ks_user, chair):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(
        proposal=proposal, budget={2027: Decimal("1000000"), 2028: Decimal("500000")}, actor=ks_user
    )
    assert project.granted == Decimal("1500000.00")
    assert selectors.committed_unspent_grants() == Decimal("1500000.00")
    assert selectors.available_capital() == Decimal("1500000.00")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


def _apply_for(proposal, year, development):
    proposal.cost_years.filter(year=year).update(development=Decimal(development))


def test_a_grant_above_the_amount_applied_for_is_refused_naming_the_rule(
    fund, meeting, qualified, ks_user, chair
):
    # Issue 16: KS granted 3 000 000 kr against 2 900 000 kr applied for, and it was accepted.
    proposal = _prioritised(qualified, meeting, ks_user, chair)  # 1 500 000 kr applied for
    with pytest.raises(ProposalError, match="Regelen om søkt beløp") as refused:
        project_approve(
            proposal=proposal,
            budget={2027: Decimal("1000000"), 2028: Decimal("500000.01")},
            actor=ks_user,
        )
    assert "1\xa0500\xa0000\xa0kr" in str(refused.value)
    assert not Project.objects.exists()
    project = project_approve(
        proposal=proposal,
        budget={2027: Decimal("1000000"), 2028: Decimal("500000")},
        actor=ks_user,
    )
    assert project.granted == Decimal("1500000")


def test_approval_above_available_capital_is_refused_and_nothing_changes(
    fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    _apply_for(proposal, 2027, "5000000")  # asked for more than the fund has
    with pytest.raises(ProposalError, match="overstiger fondets tilgjengelige kapital"):
        project_approve(proposal=proposal, budget={2027: Decimal("3000000.01")}, actor=ks_user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PRIORITISED
    assert not Project.objects.exists()


def test_disbursements_are_ledger_entries_and_never_exceed_the_grant(
    fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("1000000")}, actor=ks_user)
    accept_grant(project)
    entry = disbursement_record(
        project=project, amount=Decimal("400000"), paid_on=PAID, actor=ks_user
    )
    assert entry.amount == Decimal("-400000.00") and entry.project_ref == project.pk
    assert fund_balance() == Decimal("2600000.00")
    assert selectors.project_disbursed(project=project) == Decimal("400000.00")
    assert selectors.committed_unspent_grants() == Decimal("600000.00")
    # balance - committed = 2 600 000 - 600 000: the disbursement did not count twice
    assert selectors.available_capital() == Decimal("2000000.00")
    with pytest.raises(ProposalError, match="gjenstår"):
        disbursement_record(
            project=project, amount=Decimal("600000.01"), paid_on=PAID, actor=ks_user
        )
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1


def test_stopping_a_project_releases_the_unspent_grant(fund, meeting, qualified, ks_user, chair):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("1000000")}, actor=ks_user)
    accept_grant(project)
    disbursement_record(project=project, amount=Decimal("250000"), paid_on=PAID, actor=ks_user)
    project_close(project=project, status="stopped", note="Stoppet", actor=ks_user)
    assert selectors.committed_unspent_grants() == Decimal("0.00")
    assert selectors.available_capital() == Decimal("2750000.00")
    with pytest.raises(ProposalError, match="avsluttet"):
        disbursement_record(project=project, amount=Decimal("1"), paid_on=PAID, actor=ks_user)


def test_council_member_sees_the_queue_but_cannot_change_proposals_or_ledger(
    client, fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    member = CouncilMemberFactory()
    client.force_login(member)
    assert client.get(reverse("projects:council_queue")).status_code == 200
    before = LedgerEntry.objects.count()
    for url, data in [
        (reverse("projects:proposal_transition", args=[proposal.pk, "decline"]), {"comment": "x"}),
        (reverse("projects:proposal_edit", args=[proposal.pk]), {"title": "x"}),
        (
            reverse("projects:decision", args=[proposal.pk]),
            {"action": "decline", "decline-comment": "x"},
        ),
        (
            reverse("projects:project_detail", args=[project.pk]),
            {"action": "approve_request", "payment_request": "1", "paid_on": "2027-01-01"},
        ),
        (reverse("projects:meeting_create"), {"title": "x", "held_on": "2027-01-01"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert LedgerEntry.objects.count() == before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    with pytest.raises(ProposalError):
        disbursement_record(project=project, amount=Decimal("1"), paid_on=PAID, actor=member)


def test_council_pages_for_each_role(client, meeting, qualified, ks_user, municipal_user):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    urls = [reverse("projects:council_queue"), reverse("projects:council_item", args=[item.pk])]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(municipal_user)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(ks_user)
    for url in urls:
        assert client.get(url).status_code == 200


def test_project_pages_by_role_and_status_report_by_responsible(
    client, fund, meeting, qualified, ks_user, chair, other_municipal_user
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    assert client.get(url).status_code == 302
    client.force_login(other_municipal_user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "report"}).status_code == 404
    assert project.title not in client.get(reverse("projects:portfolio")).content.decode()
    responsible = proposal.lead_member.users.first() or proposal.created_by
    client.force_login(responsible)
    assert client.get(url).status_code == 200
    client.post(
        url,
        with_once(
            responsible,
            {
                "action": "report",
                "period": "2027-T1",
                "light": "green",
                "progress": "I rute",
                "risks": "",
                "spent": "50000",
            },
        ),
    )
    assert project.reports.get().light == "green"
    # The responsible municipality cannot approve its own payment request or close.
    for action in ("approve_request", "return_request", "close"):
        data = {"action": action, "payment_request": "1", "paid_on": "2027-01-01"}
        assert client.post(url, data).status_code == 403
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()


def test_decision_page_shows_available_capital_and_refuses_above_it(
    client, fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    _apply_for(proposal, 2027, "5000000")  # asked for more than the fund has
    client.force_login(ks_user)
    url = reverse("projects:decision", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "3\xa0000\xa0000\xa0kr" in page
    response = client.post(
        url,
        {"action": "approve", "approve-year_2027": "2500000", "approve-year_2028": "600000"},
        follow=True,
    )
    assert "overstiger fondets tilgjengelige kapital" in response.content.decode()
    assert not Project.objects.exists()


def test_project_page_shows_capital_recovered_by_access_fees_and_the_gap(
    client, fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    accept_grant(project)
    disbursement_record(project=project, amount=Decimal("80000"), paid_on=PAID, actor=ks_user)
    fee = ledger_record(
        kind=LedgerEntry.Kind.ACCESS_FEE,
        source=CapitalSource.ACCESS_FEES,
        amount=Decimal("25000"),
        occurred_on=PAID,
        description="Tilknytning",
        project_ref=project.pk,
    )
    ledger_record(
        kind=LedgerEntry.Kind.ACCESS_FEE,
        source=CapitalSource.ACCESS_FEES,
        amount=Decimal("40000"),
        occurred_on=PAID,
        description="Tilknytning, feilført",
        project_ref=project.pk,
    )
    ledger_reverse(entry=LedgerEntry.objects.latest("id"), actor=ks_user, reason="Feil")
    ledger_record(  # another project's fee does not count
        kind=LedgerEntry.Kind.ACCESS_FEE,
        source=CapitalSource.ACCESS_FEES,
        amount=Decimal("999"),
        occurred_on=PAID,
        description="Annet",
        project_ref=project.pk + 1,
    )
    assert selectors.project_recovered(project=project) == fee.amount
    client.force_login(ks_user)
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    nb = "\xa0"
    assert f'data-testid="recovered">25{nb}000{nb}kr' in html
    assert f'data-testid="recovery-gap">55{nb}000{nb}kr' in html


def test_ks_approval_sends_the_tilsagnsbrev_to_every_applicant_once(
    fund, meeting, qualified, ks_user, chair, django_capture_on_commit_callbacks
):
    from invoicing.models import Document
    from projects.models import CoApplicant, ProposalTransition
    from projects.tasks import notify_proposal_transition
    from tests.members.factories import MemberFactory

    co = MemberFactory(name="Medsøkerkommune", email="post@medsoker.no")
    CoApplicant.objects.create(proposal=qualified, member=co)
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    with django_capture_on_commit_callbacks(execute=True):
        project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    letters = Document.objects.filter(kind=Document.Kind.GRANT)  # issue 18: the grant letter
    assert {d.member for d in letters} == {proposal.lead_member, co}
    assert all(d.file.name.endswith(".pdf") for d in letters)
    log = ProposalTransition.objects.get(proposal=proposal, name="approve")
    notify_proposal_transition(log.pk)  # a redelivered task
    assert letters.count() == 2


def test_notifications_left_pending_by_a_broker_outage_are_swept_up(
    qualified, ks_user, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from projects.models import ProposalTransition
    from projects.services.workflow import perform_transition
    from projects.tasks import sweep_pending_notifications

    qualified.status = ProposalStatus.SUBMITTED
    qualified.save()
    published = []
    monkeypatch.setattr(  # the broker is down: publishing fails
        "core.tasking.publish", lambda task, *a, **k: published.append(a) or False
    )
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(
            proposal=qualified, name="reject", actor=ks_user, comment="Ikke relevant"
        )
    assert len(published) == 1
    log = ProposalTransition.objects.get(proposal=qualified, name="reject")
    assert log.notified_at is None
    monkeypatch.undo()
    ProposalTransition.objects.filter(pk=log.pk).update(at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep_pending_notifications() == 1
    log.refresh_from_db()
    assert log.notified_at is not None
    # One message to each recipient (the officer and the contact person), with KS's reason.
    assert len(mailoutbox) == len({m.to[0] for m in mailoutbox}) >= 1
    assert all("Ikke relevant" in m.body for m in mailoutbox)
    assert sweep_pending_notifications() == 0


def test_recused_chair_cannot_record_the_outcome(client, meeting, qualified, ks_user):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    chair = CouncilMemberFactory(is_council_chair=True, organisation=qualified.lead_member)
    with pytest.raises(ProposalError, match="inhabil i saken og kan ikke føre"):
        outcome_record(item=item, outcome="prioritised", minutes="Prioritert.", actor=chair)
    client.force_login(chair)
    url = reverse("projects:council_item", args=[item.pk])
    page = client.get(url)
    assert page.context["outcome_form"] is None
    assert 'data-testid="chair-recused"' in page.content.decode()
    response = client.post(
        url, {"action": "outcome", "outcome": "prioritised", "minutes": "x"}, follow=True
    )
    assert "kan ikke føre rådets konklusjon" in response.content.decode()
    item.refresh_from_db()
    qualified.refresh_from_db()
    assert item.outcome == "" and qualified.status == ProposalStatus.QUALIFIED


def test_chair_with_a_declared_conflict_cannot_record_the_outcome(
    meeting, qualified, ks_user, chair
):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    conflict_declare(item=item, reason="Styreverv i leverandør", actor=chair)
    with pytest.raises(ProposalError, match="inhabil"):
        outcome_record(item=item, outcome="not_prioritised", minutes="x", actor=chair)
    item.refresh_from_db()
    assert item.outcome == ""


def test_council_reads_the_portfolio_and_cannot_act_on_a_project(
    client, fund, meeting, qualified, ks_user, chair
):
    """Issue 19 §4: the council follows what it prioritised, read-only."""
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    project = project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    url = reverse("projects:project_detail", args=[project.pk])
    client.force_login(chair)
    assert project.title in client.get(reverse("projects:portfolio")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["request_form"] is None and page.context["report_form"] is None
    actions = ("approve_request", "return_request", "milestone", "close", "report")
    for action in (*actions, "payment_request", "final_report", "benefit_report"):
        answer = client.post(url, {"action": action, "amount": "1", "paid_on": "2027-01-01"})
        assert answer.status_code == 403
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()
    assert not project.reports.exists()


def test_deputy_chair_records_the_outcome_only_where_the_chair_is_recused(ks_user, qualified):
    """Issue 19 §2: Trondheim's chair on Trondheim's proposal is recused; the deputy decides."""
    chair = CouncilMemberFactory(is_council_chair=True, organisation=qualified.lead_member)
    deputy = CouncilMemberFactory()
    meeting = meeting_create(held_on=DAY, title="KommIT-rådet", actor=ks_user, deputy_chair=deputy)
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    other = complete_proposal(lead_member=participant_user().organisation, status="qualified")
    other_item = agenda_add(meeting=meeting, proposal=other, actor=ks_user)
    _score_all(item, deputy, 4)
    _score_all(other_item, deputy, 4)
    _score_all(other_item, chair, 4)
    with pytest.raises(ProposalError, match="inhabil"):
        outcome_record(item=item, outcome="prioritised", minutes="x", actor=chair)
    with pytest.raises(ProposalError, match="Lederen er ikke inhabil"):
        outcome_record(item=other_item, outcome="prioritised", minutes="x", actor=deputy)
    outcome_record(item=item, outcome="prioritised", minutes="Nestleder fører.", actor=deputy)
    qualified.refresh_from_db()
    assert qualified.status == ProposalStatus.PRIORITISED
    assert AgendaItem.objects.get(pk=item.pk).decided_by == deputy


def test_meeting_cannot_close_with_an_undecided_case_and_names_it(
    meeting, qualified, ks_user, chair
):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    other = complete_proposal(lead_member=participant_user().organisation, status="qualified")
    agenda_add(meeting=meeting, proposal=other, actor=ks_user)
    outcome_record(item=item, outcome="deferred", minutes="Utsatt.", actor=chair)
    with pytest.raises(ProposalError, match=r"Mangler: sak 27-02\."):
        meeting_close(meeting=meeting, actor=ks_user)
    meeting.refresh_from_db()
    assert not meeting.is_closed


def test_outcome_needs_the_meetings_quorum_but_deferral_does_not(
    meeting, qualified, ks_user, chair
):
    item = agenda_add(meeting=meeting, proposal=qualified, actor=ks_user)
    first, second, _third = (CouncilMemberFactory() for _ in range(3))
    _score_all(item, first, 4)  # 1 of 4 able to score (the chair and three): below 50 %
    with pytest.raises(ProposalError, match="1 av 4"):
        outcome_record(item=item, outcome="prioritised", minutes="x", actor=chair)
    assert selectors.quorum(item=item) == (1, 4, False)
    _score_all(item, second, 3)  # 2 of 4: the quorum is met
    assert selectors.quorum(item=item) == (2, 4, True)
    outcome_record(item=item, outcome="not_prioritised", minutes="Lav nytte.", actor=chair)
    qualified.refresh_from_db()
    assert qualified.status == ProposalStatus.NOT_PRIORITISED
    other = complete_proposal(lead_member=participant_user().organisation, status="qualified")
    deferred = agenda_add(meeting=meeting, proposal=other, actor=ks_user)
    outcome_record(item=deferred, outcome="deferred", minutes="Utsatt.", actor=chair)
    assert AgendaItem.objects.get(pk=deferred.pk).outcome == "deferred"


def test_decision_and_project_pages_give_each_form_its_own_ids(
    client, fund, meeting, qualified, ks_user, chair
):
    """Two forms on one page had `id_comment` (decision) and `id_note` (project) twice, so the
    second field («Begrunnelse», «Avslutningsnotat») had no label (issue 20 §4)."""
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    client.force_login(ks_user)
    decision = client.get(reverse("projects:decision", args=[proposal.pk])).content.decode()
    assert duplicate_ids(decision) == []
    assert 'for="id_decline-comment"' in decision and 'id="id_approve-comment"' in decision
    project = project_approve(proposal=proposal, budget={2027: Decimal("100000")}, actor=ks_user)
    detail = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert duplicate_ids(detail) == []
    # KS's manual disbursement form is gone (payment requests, issue 18): the closing note is
    # the page's one `note`, and its label points at it.
    assert 'for="id_note"' in detail and detail.count('id="id_note"') == 1


def test_decline_on_the_decision_page_keeps_its_prefixed_comment(
    client, fund, meeting, qualified, ks_user, chair
):
    proposal = _prioritised(qualified, meeting, ks_user, chair)
    client.force_login(ks_user)
    url = reverse("projects:decision", args=[proposal.pk])
    client.post(url, {"action": "decline", "decline-comment": "Utenfor ordningens formål"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    assert proposal.transitions.last().comment == "Utenfor ordningens formål"
