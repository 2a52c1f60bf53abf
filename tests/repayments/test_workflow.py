"""The access agreement workflow table (repayments/workflow.py): access and its fee change state
only through perform_transition, which refuses with a reason and logs an AccessEvent."""

import datetime
from decimal import Decimal

import pytest

from repayments import services, workflow
from repayments.models import AccessAgreement, AccessEvent
from repayments.services import AccessError
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    project,
    published,
)

pytestmark = pytest.mark.django_db
S = AccessAgreement.Status
F = AccessAgreement.FeeStatus


@pytest.fixture
def digiorden(ks_user):
    kommune(2_000, name="Eksisterende kommune")
    solution = SolutionFactory(name="Digiorden", project=project(actor=ks_user))
    return published(
        solution, kind="size_class", parameters={"classes": DIGIORDEN_CLASSES}, actor=ks_user
    )


def _request(digiorden, ks_user, *, paid: bool) -> AccessAgreement:
    member = kommune(5_084)
    make_participant(member, paid=paid)
    return services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement


def test_the_table_is_the_access_and_fee_lifecycle():
    table = {n: (t.field, set(t.sources), t.target) for n, t in workflow.TRANSITIONS.items()}
    assert table == {
        "activated": ("status", {S.WAITING_FOR_SHARE}, S.ACTIVE),
        "left": ("status", {S.ACTIVE}, S.ENDED),
        "fee_zero": ("fee_status", {F.NOT_DUE}, F.PAID),
        "fee_invoice_requested": ("fee_status", {F.NOT_DUE}, F.PENDING_INVOICE),
        "fee_invoiced": ("fee_status", {F.PENDING_INVOICE}, F.INVOICED),
        "fee_paid": ("fee_status", set(F.values), F.PAID),
        "fee_refunded": ("fee_status", set(F.values), F.REFUNDED),
    }


def test_an_illegal_transition_is_refused_with_a_reason_naming_the_state(digiorden, ks_user):
    waiting = _request(digiorden, ks_user, paid=False)
    assert workflow.can_transition(agreement=waiting, name="fee_invoiced", user=ks_user) == (
        False,
        "Kan ikke gå fra «Ikke fakturert ennå» med handlingen fee_invoiced.",
    )


def test_leaving_a_request_that_waits_for_the_share_is_refused_with_its_own_reason(
    digiorden, ks_user
):
    waiting = _request(digiorden, ks_user, paid=False)
    with pytest.raises(AccessError) as exc:
        workflow.perform_transition(
            agreement=waiting,
            name="left",
            actor=ks_user,
            changes={"left_on": datetime.date.today()},
        )
    assert str(exc.value) == "Forespørselen venter på andelen; det er ingen tilgang å avslutte."
    assert AccessAgreement.objects.get(pk=waiting.pk).status == S.WAITING_FOR_SHARE
    assert not AccessEvent.objects.filter(agreement=waiting, action="left").exists()


def test_leaving_before_access_started_is_refused(digiorden, ks_user):
    active = _request(digiorden, ks_user, paid=True)
    allowed, reason = workflow.can_transition(
        agreement=AccessAgreement(
            status=S.ACTIVE, activated_on=active.activated_on, left_on=datetime.date(2000, 1, 1)
        ),
        name="left",
        user=ks_user,
    )
    assert (allowed, reason) == (False, "Sluttdato kan ikke være før tilgangen startet.")


def test_a_council_user_may_not_leave_for_a_member(digiorden, ks_user, council_user):
    active = _request(digiorden, ks_user, paid=True)
    assert workflow.can_transition(agreement=active, name="left", user=council_user) == (
        False,
        "Bare KS eller kommunale brukere kan gjøre dette.",
    )


def test_only_ks_or_the_system_may_book_the_fee_paid(digiorden, ks_user, municipal_user):
    active = _request(digiorden, ks_user, paid=True)
    assert workflow.can_transition(agreement=active, name="fee_paid", user=municipal_user) == (
        False,
        "Bare KS kan gjøre dette.",
    )


def test_perform_transition_changes_the_state_and_fields_and_writes_the_log_row(digiorden, ks_user):
    active = _request(digiorden, ks_user, paid=True)
    ended = workflow.perform_transition(
        agreement=active,
        name="left",
        actor=ks_user,
        note="31.12.2026",
        changes={"left_on": datetime.date(2026, 12, 31)},
    )
    assert (ended.status, ended.left_on) == (S.ENDED, datetime.date(2026, 12, 31))
    stored = AccessAgreement.objects.get(pk=active.pk)
    assert (stored.status, stored.left_on) == (S.ENDED, datetime.date(2026, 12, 31))
    event = AccessEvent.objects.filter(agreement=active).last()
    assert (event.action, event.actor, event.note) == ("left", ks_user, "31.12.2026")


def test_granting_access_logs_each_step_through_the_table(digiorden, ks_user):
    active = _request(digiorden, ks_user, paid=True)
    assert (active.status, active.fee_status) == (S.ACTIVE, F.INVOICED)
    assert list(AccessEvent.objects.filter(agreement=active).values_list("action", flat=True)) == [
        "requested",
        "activated",
        "fee_invoice_requested",
        "fee_invoiced",
    ]


def test_a_partial_payment_is_logged_without_a_change_of_state(digiorden, ks_user):
    active = _request(digiorden, ks_user, paid=True)
    services.access_fee_paid(
        agreement=active,
        amount=Decimal("100"),
        paid_on=datetime.date(2026, 3, 1),
        actor=ks_user,
        idempotency_key="test:part",
    )
    active.refresh_from_db()
    assert active.fee_status == F.INVOICED
    assert AccessEvent.objects.filter(agreement=active).last().action == "fee_paid"
