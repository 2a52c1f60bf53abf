"""Two users of the same municipality ask for the same solution at the same moment: exactly one
agreement and one fee invoice request (PostgreSQL, real transactions in threads)."""

import threading

import pytest
from django.db import connection, connections

from invoicing.models import Invoice
from repayments import services
from repayments.models import AccessAgreement, AccessEvent
from tests.accounts.factories import MunicipalUserFactory
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    published,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"
)
def test_concurrent_requests_make_exactly_one_agreement_and_one_fee(ks_user):
    member = kommune(27_785)
    make_participant(member, paid=True)
    solution = published(
        SolutionFactory(),
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=ks_user,
    )
    users = [MunicipalUserFactory(organisation=member) for _ in range(6)]
    barrier = threading.Barrier(len(users))
    outcomes, errors = [], []

    def request(user):
        try:
            barrier.wait(timeout=10)
            decision = services.access_request(
                solution=solution, member=member, accept_fdvu_terms=True, actor=user
            )
            outcomes.append(decision.outcome)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == ["already"] * 5 + ["granted"]
    assert AccessAgreement.objects.filter(solution=solution, member=member).count() == 1
    assert AccessEvent.objects.filter(action="fee_invoice_requested").count() == 1
    assert Invoice.objects.filter(kind="access_fee", buyer=member).count() == 1
