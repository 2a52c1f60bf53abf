"""The participation workflow table (members/workflow.py): which transitions exist, why one is
refused, and that perform_transition locks, logs and records what the transition says."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from members import workflow
from members.models import Participation, ParticipationEvent
from members.services import ParticipationError
from tests.members.factories import ParticipationFactory

pytestmark = pytest.mark.django_db
S = Participation.Status


def test_the_table_is_the_participation_lifecycle():
    table = {name: (set(t.sources), t.target) for name, t in workflow.TRANSITIONS.items()}
    assert table == {
        "confirm": ({S.INVITED, S.DECLINED}, S.CONFIRMED),
        "decline": ({S.INVITED, S.CONFIRMED}, S.DECLINED),
        "mark_invoiced": ({S.CONFIRMED}, S.INVOICED),
        "mark_paid": ({S.INVOICED}, S.PAID),
        "reopen_after_credit": ({S.INVOICED}, S.CONFIRMED),
    }


def test_an_illegal_transition_is_refused_with_a_reason_naming_the_state():
    participation = ParticipationFactory(status=S.PAID)
    assert workflow.can_transition(participation=participation, name="decline", user=None) == (
        False,
        "Kan ikke gå fra «Betalt» med handlingen decline.",
    )


def test_perform_transition_refuses_an_illegal_transition_and_writes_nothing():
    participation = ParticipationFactory(status=S.INVITED)
    with pytest.raises(workflow.TransitionError, match="Kan ikke gå fra «Invitert»"):
        workflow.perform_transition(participation=participation, name="mark_paid", actor=None)
    participation.refresh_from_db()
    assert participation.status == S.INVITED
    assert not ParticipationEvent.objects.exists()


def test_a_refusal_is_a_participation_error_for_the_callers_that_catch_one():
    assert issubclass(workflow.TransitionError, ParticipationError)


def test_an_unknown_action_is_refused():
    participation = ParticipationFactory()
    assert workflow.can_transition(participation=participation, name="pay", user=None) == (
        False,
        "Ukjent handling.",
    )


def test_only_ks_municipal_users_or_the_system_may_confirm(council_user, municipal_user, ks_user):
    participation = ParticipationFactory(fakturareferanse="4100-DIGI")
    assert workflow.can_transition(
        participation=participation, name="confirm", user=council_user
    ) == (False, "Bare KS eller kommunale brukere kan gjøre dette.")
    for user in (municipal_user, ks_user, None):
        assert workflow.can_transition(participation=participation, name="confirm", user=user) == (
            True,
            "",
        )


def test_only_ks_or_the_system_may_mark_a_share_paid(municipal_user, ks_user):
    participation = ParticipationFactory(status=S.INVOICED)
    assert workflow.can_transition(
        participation=participation, name="mark_paid", user=municipal_user
    ) == (False, "Bare KS kan gjøre dette.")
    assert workflow.can_transition(participation=participation, name="mark_paid", user=ks_user)[0]


def test_confirming_needs_a_fakturareferanse():
    participation = ParticipationFactory()
    with pytest.raises(ParticipationError) as exc:
        workflow.perform_transition(
            participation=participation,
            name="confirm",
            actor=None,
            changes={"fakturareferanse": "  "},
        )
    assert str(exc.value) == "Fakturareferanse må oppgis: offentlige kjøpere krever den."


def test_perform_transition_records_the_changes_and_writes_the_log_row(ks_user):
    participation = ParticipationFactory()
    done = workflow.perform_transition(
        participation=participation,
        name="confirm",
        actor=ks_user,
        note="K-sak 12/17",
        changes={"fakturareferanse": "4100-DIGI", "decided_on": datetime.date(2017, 10, 1)},
    )
    assert done.status == S.CONFIRMED
    stored = Participation.objects.get(pk=participation.pk)
    assert (stored.status, stored.fakturareferanse, stored.decided_on) == (
        S.CONFIRMED,
        "4100-DIGI",
        datetime.date(2017, 10, 1),
    )
    event = ParticipationEvent.objects.get(participation=participation)
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        S.INVITED,
        S.CONFIRMED,
        ks_user,
        "K-sak 12/17",
    )
    assert stored.history.first().status == S.CONFIRMED


def test_perform_transition_checks_the_locked_row_not_a_stale_copy():
    stale = ParticipationFactory(status=S.INVITED)
    Participation.objects.filter(pk=stale.pk).update(status=S.PAID)
    with pytest.raises(workflow.TransitionError, match="«Betalt»"):
        workflow.perform_transition(participation=stale, name="decline", actor=None)


def test_available_transitions_say_why_not():
    participation = ParticipationFactory(status=S.INVITED)
    rows = workflow.available_transitions(participation=participation, user=None)
    assert rows == [
        ("confirm", False, "Fakturareferanse må oppgis: offentlige kjøpere krever den."),
        ("decline", True, ""),
    ]


def test_the_bulk_transition_checks_every_row_before_writing_any(ks_user):
    ready = ParticipationFactory(status=S.CONFIRMED)
    not_ready = ParticipationFactory(status=S.INVITED)
    with pytest.raises(workflow.TransitionError, match="«Invitert»"):
        workflow.perform_bulk_transition(
            rows=[(ready, "Andel 1"), (not_ready, "Andel 2")], name="mark_invoiced", actor=ks_user
        )
    assert Participation.objects.get(pk=ready.pk).status == S.CONFIRMED
    assert not ParticipationEvent.objects.exists()


def test_the_bulk_transition_writes_the_states_fields_and_log_rows(ks_user):
    rows = [ParticipationFactory(status=S.CONFIRMED) for _ in range(3)]
    for p in rows:
        p.share_amount = Decimal("1000.00")
    workflow.perform_bulk_transition(
        rows=[(p, f"Andel {p.pk}") for p in rows],
        name="mark_invoiced",
        actor=ks_user,
        fields=["share_amount"],
    )
    stored = Participation.objects.filter(pk__in=[p.pk for p in rows])
    assert {(p.status, p.share_amount) for p in stored} == {(S.INVOICED, Decimal("1000.00"))}
    events = ParticipationEvent.objects.filter(participation__in=rows)
    assert sorted((e.participation_id, e.from_status, e.to_status, e.note) for e in events) == [
        (p.pk, S.CONFIRMED, S.INVOICED, f"Andel {p.pk}") for p in rows
    ]
    assert all(p.history.first().status == S.INVOICED for p in stored)


def test_nothing_imports_django_fsm_any_more():
    root = Path(settings.BASE_DIR)
    skip = {".venv", "node_modules", "tests", "static"}
    sources = [
        p
        for top in root.iterdir()
        if top.is_dir() and not top.name.startswith(".") and top.name not in skip
        for p in top.rglob("*.py")
    ]
    assert any(p.name == "workflow.py" for p in sources)
    assert [str(p) for p in sources if re.search(r"\bdjango_fsm\b", p.read_text())] == []
    assert "django_fsm" not in settings.INSTALLED_APPS
