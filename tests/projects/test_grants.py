"""The grant (tilsagn, issue 18): offered by KS's approval, accepted or declined by the formal
applicant by the deadline, lapsed after it; the tilsagnsbrev; payments only after acceptance."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from invoicing.models import Document, OutgoingEmail
from projects import selectors
from projects.models import CoApplicant, Grant, Project, ProposalStatus, StandardCondition
from projects.services.council import agenda_add, meeting_create, outcome_record, score_record
from projects.services.grants import (
    GrantError,
    grant_accept,
    grant_conditions_update,
    grant_decline,
    grant_lapse,
)
from projects.services.portfolio import disbursement_record, project_approve
from projects.services.proposals import ProposalError
from projects.tasks import grant_deadlines, notify_proposal_transition
from tests.accounts.factories import CouncilMemberFactory, MunicipalUserFactory
from tests.members.factories import MemberFactory
from tests.pdf_support import pdf_text

from .factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db
PAID = datetime.date(2026, 3, 14)
NB = "\xa0"


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
def applicant():
    return participant_user(first_name="Kari", last_name="Søker", email="kari@soker.no")


@pytest.fixture
def prioritised(applicant, ks_user):
    """A proposal prioritised by the council in `sak 27-01`, with its DF number."""
    from projects.models import ScoringCriterion

    proposal = complete_proposal(
        lead_member=applicant.organisation, created_by=applicant, reference="DF-2026-0042"
    )
    proposal.status = ProposalStatus.QUALIFIED
    proposal.save()
    chair = CouncilMemberFactory(is_council_chair=True)
    meeting = meeting_create(held_on=datetime.date(2027, 3, 14), title="Mars", actor=ks_user)
    item = agenda_add(meeting=meeting, proposal=proposal, actor=ks_user)
    criteria = ScoringCriterion.objects.filter(active=True)
    score_record(item=item, values=dict.fromkeys(criteria, (4, "")), actor=chair)
    outcome_record(item=item, outcome="prioritised", minutes="Prioritert.", actor=chair)
    proposal.refresh_from_db()
    return proposal


def _approve(proposal, ks_user, budget=None):
    return project_approve(
        proposal=proposal,
        budget=budget or {2027: Decimal("1000000"), 2028: Decimal("500000")},
        actor=ks_user,
    )


def _past_deadline(grant, days=1):
    """Move the decision back so that the deadline passed `days` days ago."""
    deadline = datetime.date.today() - datetime.timedelta(days=days)
    Grant.objects.filter(pk=grant.pk).update(
        decided_on=deadline - datetime.timedelta(days=30), accept_by=deadline
    )
    grant.refresh_from_db()
    return grant


def test_approval_offers_a_grant_with_references_deadline_and_the_standard_conditions(
    fund, prioritised, ks_user
):
    project = _approve(prioritised, ks_user)
    grant = project.grant
    assert grant.status == Grant.Status.OFFERED
    assert grant.amount == project.granted == Decimal("1500000.00")
    assert grant.proposal_reference == "DF-2026-0042"
    assert grant.council_case == "sak 27-01"
    assert grant.decided_by == ks_user
    assert grant.accept_by == grant.decided_on + datetime.timedelta(days=30)
    titles = [c.title for c in grant.conditions.all()]
    assert titles == [c.title for c in StandardCondition.objects.filter(active=True)]
    assert "FDVU utenfor fondet" in titles and "Bare utviklingskostnader" in titles
    assert selectors.grants_awaiting_acceptance(member=prioritised.lead_member).get() == grant
    assert not selectors.grants_awaiting_acceptance(member=MemberFactory()).exists()
    # Offered, the grant is committed capital already.
    assert selectors.available_capital() == Decimal("1500000.00")


def test_nothing_is_paid_before_the_applicant_accepts(fund, prioritised, ks_user, applicant):
    project = _approve(prioritised, ks_user)
    with pytest.raises(ProposalError, match="Regelen om aksept.*Tilbudt / venter på aksept"):
        disbursement_record(project=project, amount=Decimal("1000"), paid_on=PAID, actor=ks_user)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSEMENT).exists()
    assert not selectors.grant_accepted(project=project)
    grant_accept(grant=project.grant, signed_by_name="Ola Rådmann", actor=applicant)
    assert selectors.grant_accepted(project=project)
    disbursement_record(project=project, amount=Decimal("1000"), paid_on=PAID, actor=ks_user)
    grant = Grant.objects.get(pk=project.grant.pk)
    assert (grant.status, grant.signed_by_name, grant.accepted_by) == (
        Grant.Status.ACCEPTED,
        "Ola Rådmann",
        applicant,
    )
    names = [t.name for t in selectors.grant_timeline(grant=grant)]
    assert names == ["offer", "accept"]


def test_only_the_formal_applicant_accepts_and_names_the_signer(
    fund, prioritised, ks_user, applicant
):
    co_member = MemberFactory()
    CoApplicant.objects.create(proposal=prioritised, member=co_member)
    grant = _approve(prioritised, ks_user).grant
    for other in (MunicipalUserFactory(organisation=co_member), MunicipalUserFactory(), ks_user):
        with pytest.raises(GrantError, match="Bare søkerens egne brukere"):
            grant_accept(grant=grant, signed_by_name="X", actor=other)
    with pytest.raises(GrantError, match="Navnet på den som signerer"):
        grant_accept(grant=grant, signed_by_name="  ", actor=applicant)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.OFFERED and grant.accepted_at is None


def test_acceptance_after_the_deadline_is_refused_with_the_reason(
    fund, prioritised, ks_user, applicant
):
    grant = _past_deadline(_approve(prioritised, ks_user).grant)
    with pytest.raises(
        GrantError, match=f"Fristen for å akseptere tilsagnet gikk ut {grant.accept_by:%d.%m.%Y}"
    ):
        grant_accept(grant=grant, signed_by_name="Ola Rådmann", actor=applicant)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.OFFERED


def test_a_second_accept_is_refused_naming_the_state(fund, prioritised, ks_user, applicant):
    grant = _approve(prioritised, ks_user).grant
    grant_accept(grant=grant, signed_by_name="Ola Rådmann", actor=applicant)
    with pytest.raises(GrantError, match="«Akseptert»"):
        grant_accept(grant=grant, signed_by_name="Ola Rådmann", actor=applicant)
    assert grant.transitions.filter(name="accept").count() == 1


def test_declining_stops_the_project_and_releases_the_capital(
    fund, prioritised, ks_user, applicant
):
    project = _approve(prioritised, ks_user)
    assert selectors.available_capital() == Decimal("1500000.00")
    with pytest.raises(GrantError, match="Begrunnelse"):
        grant_decline(grant=project.grant, reason="", actor=applicant)
    grant_decline(grant=project.grant, reason="Kommunestyret sa nei.", actor=applicant)
    project.refresh_from_db()
    assert project.status == Project.Status.STOPPED
    assert "Kommunestyret sa nei." in project.closing_note
    assert selectors.available_capital() == Decimal("3000000.00")


def test_the_deadline_task_lapses_the_grant_and_releases_the_capital(
    client, fund, prioritised, ks_user, applicant
):
    project = _approve(prioritised, ks_user)
    assert selectors.committed_unspent_grants() == Decimal("1500000.00")
    with pytest.raises(GrantError, match="ikke ute ennå"):
        grant_lapse(grant=project.grant)
    _past_deadline(project.grant)
    assert grant_deadlines() == {"reminded": 0, "lapsed": 1}
    assert grant_deadlines() == {"reminded": 0, "lapsed": 0}  # run twice: nothing more
    grant = Grant.objects.get(project=project)
    project.refresh_from_db()
    assert grant.status == Grant.Status.LAPSED and grant.lapsed_at is not None
    assert project.status == Project.Status.STOPPED
    assert selectors.committed_unspent_grants() == Decimal("0.00")
    assert selectors.available_capital() == Decimal("3000000.00")
    lapse = grant.transitions.get(name="lapse")
    assert lapse.actor is None  # the deadline, not a person
    with pytest.raises(ProposalError):
        disbursement_record(project=project, amount=Decimal("1"), paid_on=PAID, actor=ks_user)
    client.force_login(ks_user)
    page = client.get(reverse("projects:grant_detail", args=[project.pk])).content.decode()
    assert f"Tilsagnet på 1{NB}500{NB}000{NB}kr er frigitt" in page
    assert f"Tilgjengelig kapital nå: 3{NB}000{NB}000{NB}kr" in page


def test_the_reminder_is_sent_once_before_the_deadline(
    fund, prioritised, ks_user, applicant, mailoutbox
):
    grant = _approve(prioritised, ks_user).grant
    soon = datetime.date.today() + datetime.timedelta(days=5)
    Grant.objects.filter(pk=grant.pk).update(
        decided_on=soon - datetime.timedelta(days=30), accept_by=soon
    )
    mailoutbox.clear()
    assert grant_deadlines()["reminded"] == 1
    assert grant_deadlines()["reminded"] == 0
    reminders = [m for m in mailoutbox if "påminnelse" in m.subject]
    # One message to each recipient (the applicant's officers and contact persons), once.
    recipients = sorted(m.to[0] for m in reminders)
    assert "kari@soker.no" in recipients and len(recipients) == len(set(recipients))
    assert all(f"{soon:%d.%m.%Y}" in m.body for m in reminders)
    keys = OutgoingEmail.objects.filter(key__startswith=f"grant-reminder:{grant.pk}:")
    assert keys.count() == len(reminders)


def test_ks_edits_the_conditions_only_while_offered(fund, prioritised, ks_user, applicant):
    grant = _approve(prioritised, ks_user).grant
    with pytest.raises(GrantError, match="Bare KS"):
        grant_conditions_update(grant=grant, conditions=[("A", "B")], actor=applicant)
    with pytest.raises(GrantError, match="både overskrift og tekst"):
        grant_conditions_update(grant=grant, conditions=[("Bare tittel", "")], actor=ks_user)
    grant_conditions_update(
        grant=grant,
        conditions=[("Særvilkår", "Pilot i to kommuner før utbredelse."), ("", "")],
        actor=ks_user,
    )
    assert [(c.position, c.title) for c in grant.conditions.all()] == [(1, "Særvilkår")]
    grant_accept(grant=grant, signed_by_name="Ola Rådmann", actor=applicant)
    with pytest.raises(GrantError, match="mens tilsagnet venter på aksept"):
        grant_conditions_update(grant=grant, conditions=[("X", "Y")], actor=ks_user)


def test_the_tilsagnsbrev_says_everything_the_applicant_needs(
    fund, prioritised, ks_user, applicant, django_capture_on_commit_callbacks
):
    co_member = MemberFactory(name="Øyer kommune", address="Kongsvegen 325\n2610 Mesnali")
    CoApplicant.objects.create(proposal=prioritised, member=co_member)
    lead = prioritised.lead_member
    lead.address = "Postboks 986\n2626 Lillehammer"
    lead.save()
    ks_user.first_name, ks_user.last_name = "Siri", "Saksbehandler"
    ks_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        project = _approve(prioritised, ks_user)
    grant = project.grant
    letters = Document.objects.filter(kind=Document.Kind.GRANT)
    assert {d.member for d in letters} == {lead, co_member}
    text = pdf_text(letters.get(member=lead).file.read())
    flat = " ".join(text.split())
    for expected in [
        "Tilsagnsbrev",
        lead.name,
        "Postboks 986",
        "2626 Lillehammer",
        "DF-2026-0042",
        "sak 27-01",
        f"{grant.decided_on:%d.%m.%Y}",
        "Siri Saksbehandler",
        f"1{NB}500{NB}000{NB}kr".replace(NB, " "),
        "2027",
        f"1{NB}000{NB}000{NB}kr".replace(NB, " "),
        "2028",
        f"500{NB}000{NB}kr".replace(NB, " "),
        "Bare utviklingskostnader",
        "Relevant for alle kommuner",
        "Kommunal sektor eier resultatet",
        "Tilbakebetaling gjennom tilknytningskostnad",
        "FDVU utenfor fondet",
        "Rapporteringsplikt",
        f"Aksept innen {grant.accept_by:%d.%m.%Y}",
        "utbetalingsanmodning",
        "Side 1 av",
    ]:
        assert expected in flat.replace(NB, " "), expected
    co_text = " ".join(pdf_text(letters.get(member=co_member).file.read()).split())
    assert "Kongsvegen 325" in co_text and "som medsøker" in co_text
    notify_proposal_transition(prioritised.transitions.get(name="approve").pk)  # redelivered
    assert letters.count() == 2


def test_a_nynorsk_applicant_gets_the_tilsagnsbrev_in_nynorsk_and_a_bokmal_co_applicant_not(
    fund, prioritised, ks_user, django_capture_on_commit_callbacks
):
    """Each recipient's letter follows its own målform (docs/decisions/i18n-documents-maalform.md):
    the applicant's in nynorsk, the co-applicant's in bokmål."""
    co_member = MemberFactory(name="Øyer kommune", register_maalform="bokmal")
    CoApplicant.objects.create(proposal=prioritised, member=co_member)
    lead = prioritised.lead_member
    lead.register_maalform = "nynorsk"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        project = _approve(prioritised, ks_user)
    letters = Document.objects.filter(kind=Document.Kind.GRANT)
    text = " ".join(pdf_text(letters.get(member=lead).file.read()).split()).replace(NB, " ")
    for expected in [
        "Tilsegnsbrev: tilskot frå DigiFin",
        "Søkjar",
        "Sum tilsegn",
        "Vilkår for tilsegna",
        "Kva skjer vidare",
        f"Aksept innan {project.grant.accept_by:%d.%m.%Y}",
        "utbetalingsoppmoding",
        "1 500 000 kr",
        "Med venleg helsing",
    ]:
        assert expected in text, expected
    for bokmal in ["Tilsagnsbrev", "Hva skjer videre", "Med vennlig hilsen", "Sum tilsagn"]:
        assert bokmal not in text, bokmal
    co_text = " ".join(pdf_text(letters.get(member=co_member).file.read()).split())
    assert "Hva skjer videre" in co_text and "som medsøker" in co_text
    assert "Kva skjer vidare" not in co_text


def test_another_organisations_grant_page_is_404(client, fund, prioritised, ks_user):
    project = _approve(prioritised, ks_user)
    client.force_login(MunicipalUserFactory())
    url = reverse("projects:grant_detail", args=[project.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept", "signed_by_name": "X"}).status_code == 404
    project.grant.refresh_from_db()
    assert project.grant.status == Grant.Status.OFFERED


def test_a_double_clicked_accept_counts_once(client, fund, prioritised, ks_user, applicant):
    from tests.once_support import with_once

    project = _approve(prioritised, ks_user)
    client.force_login(applicant)
    url = reverse("projects:grant_detail", args=[project.pk])
    page = client.get(url).content.decode()
    assert "Aksepter tilsagnet" in page and "DF-2026-0042" in page and "sak 27-01" in page
    data = with_once(
        applicant, {"action": "accept", "signed_by_name": "Ola Rådmann", "confirm": "on"}
    )
    first = client.post(url, data)
    second = client.post(url, data)  # the same form token again
    assert first.status_code == second.status_code == 302
    grant = Grant.objects.get(project=project)
    assert grant.status == Grant.Status.ACCEPTED and grant.signed_by_name == "Ola Rådmann"
    assert grant.transitions.filter(name="accept").count() == 1
    page = client.get(url).content.decode()
    assert "Ola Rådmann" in page


def test_the_accept_form_names_what_is_missing_and_saves_nothing(
    client, fund, prioritised, ks_user, applicant
):
    from tests.once_support import with_once

    project = _approve(prioritised, ks_user)
    client.force_login(applicant)
    url = reverse("projects:grant_detail", args=[project.pk])
    response = client.post(url, with_once(applicant, {"action": "accept", "signed_by_name": ""}))
    assert response.status_code == 200
    assert "Fyll ut navnet på den som signerer" in response.content.decode()
    assert Grant.objects.get(project=project).status == Grant.Status.OFFERED


def test_the_reconciliation_names_a_lapsed_grant_whose_project_still_commits_capital(
    fund, prioritised, ks_user
):
    from overview.reconciliation import check_projects

    project = _approve(prioritised, ks_user)
    grant_lapse(grant=_past_deadline(project.grant))
    assert check_projects() == []  # lapsed and the project stopped: consistent
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)  # a broken row
    assert check_projects() == [
        f"{project.title}: tilsagnet er Bortfalt, men prosjektet er fortsatt aktivt"
    ]


def test_the_grant_page_queries_do_not_grow_with_conditions_or_events(
    client, fund, prioritised, ks_user, applicant
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = _approve(prioritised, ks_user)
    url = reverse("projects:grant_detail", args=[project.pk])
    client.force_login(applicant)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(4):
        grant_conditions_update(
            grant=project.grant,
            conditions=[(f"Vilkår {i}", "Tekst.") for i in range(12 + n)],
            actor=ks_user,
        )
    assert count() == few


def test_ks_sees_each_grants_status_and_deadline_in_the_portfolio(
    client, fund, prioritised, ks_user
):
    project = _approve(prioritised, ks_user)
    client.force_login(ks_user)
    html = client.get(reverse("projects:portfolio")).content.decode()
    assert "Tilbudt / venter på aksept" in html
    assert f"frist {project.grant.accept_by:%d.%m.%Y}" in html
    assert reverse("projects:grant_detail", args=[project.pk]) in html


def test_projects_decided_before_grants_existed_get_an_accepted_grant(ks_user):
    """Migration 0011: their payments stand, so their grant stands as accepted."""
    import importlib

    from django.apps import apps

    from tests.repayments.factories import project as make_project

    project = make_project(actor=ks_user, title="Gammelt prosjekt")
    Grant.objects.filter(project=project).delete()  # as before issue 18
    importlib.import_module("projects.migrations.0011_grant_data").forwards(apps, None)
    grant = Grant.objects.get(project=project)
    assert grant.status == Grant.Status.ACCEPTED and grant.amount == project.granted
    assert grant.conditions.count() == StandardCondition.objects.filter(active=True).count()
    assert selectors.grant_accepted(project=project)
