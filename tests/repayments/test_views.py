"""Every view × role, and the main flows through the views."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fund.models import LedgerEntry
from fund.services import ledger_record
from repayments import selectors, services
from repayments.models import AccessAgreement, PriceModel, Solution
from tests.accounts.factories import MunicipalUserFactory
from tests.once_support import with_once
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    population,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def solution(ks_user):
    kommune(1_000)
    return published(
        SolutionFactory(name="Digiorden"),
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=ks_user,
    )


@pytest.fixture
def agreement(solution, other_municipal_user, ks_user):
    member = other_municipal_user.organisation
    population(member, 7_000)
    make_participant(member, paid=True)
    return services.access_request(
        solution=solution, member=member, accept_fdvu_terms=True, actor=other_municipal_user
    ).agreement


MUNICIPAL_GET = ["solution_list", ("solution_detail", "solution")]
STAFF_GET = [
    "staff_solution_list",
    "staff_solution_create",
    "staff_recovery",
    "staff_capital_repayment",
    ("staff_solution_detail", "solution"),
    ("staff_solution_edit", "solution"),
    ("staff_price_model", "solution"),
    ("staff_price_preview", "solution"),
]
STAFF_POST = [
    ("staff_publish", "solution"),
    ("staff_fdvu_allocate", "solution"),
    ("staff_fee_refund", "agreement"),
    ("staff_fee_invoice", "agreement"),
]


def _url(spec, objects):
    if isinstance(spec, str):
        return reverse(f"repayments:{spec}")
    name, obj = spec
    return reverse(f"repayments:{name}", args=[objects[obj].pk])


@pytest.fixture
def objects(solution, agreement):
    return {"solution": solution, "agreement": agreement}


@pytest.mark.parametrize("spec", MUNICIPAL_GET + STAFF_GET)
def test_anonymous_is_sent_to_login(client, objects, spec):
    response = client.get(_url(spec, objects))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("spec", STAFF_GET)
@pytest.mark.parametrize("who", ["municipal_user", "council_user", "plain_user"])
def test_staff_pages_are_forbidden_to_other_roles(client, objects, spec, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(spec, objects)).status_code == 403


@pytest.mark.parametrize("spec", STAFF_POST)
def test_staff_actions_are_forbidden_to_municipal_users(municipal_client, objects, spec):
    assert municipal_client.post(_url(spec, objects)).status_code == 403


@pytest.mark.parametrize("spec", MUNICIPAL_GET)
@pytest.mark.parametrize("who", ["ks_user", "council_user", "plain_user"])
def test_portal_pages_are_forbidden_to_non_municipal_roles(client, objects, spec, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(spec, objects)).status_code == 403


@pytest.mark.parametrize("spec", STAFF_GET)
def test_staff_pages_render_for_ks(ks_client, objects, spec):
    assert ks_client.get(_url(spec, objects)).status_code == 200


@pytest.mark.parametrize("spec", MUNICIPAL_GET)
def test_portal_pages_render_for_municipal_user(municipal_client, objects, spec):
    assert municipal_client.get(_url(spec, objects)).status_code == 200


def test_unpublished_solution_is_404_in_the_portal(municipal_client, ks_user):
    draft = SolutionFactory()
    url = reverse("repayments:solution_detail", args=[draft.pk])
    assert municipal_client.get(url).status_code == 404
    assert (
        municipal_client.get(reverse("repayments:solution_detail", args=[99999])).status_code == 404
    )


def test_other_organisations_agreement_cannot_be_ended(municipal_client, agreement):
    url = reverse("repayments:access_leave", args=[agreement.pk])
    assert municipal_client.post(url).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == AccessAgreement.Status.ACTIVE


def test_portal_list_shows_own_fee_and_not_others_agreements(
    municipal_client, municipal_user, agreement
):
    population(municipal_user.organisation, 12_000)
    response = municipal_client.get(reverse("repayments:solution_list"))
    html = response.content.decode()
    assert "Digiorden" in html
    assert "60\xa0000\xa0kr" in html  # own fee (over 10 000 inhabitants)
    assert "Tilgang gitt" not in html  # the other organisation's agreement


def test_paid_up_participant_requests_access_through_the_portal(
    municipal_client, municipal_user, solution
):
    member = municipal_user.organisation
    population(member, 4_000)
    make_participant(member, paid=True)
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(
        url, {"accept_fdvu_terms": "on", "fdvu_amount": "120000.00"}, follow=True
    )
    assert "Dere har fått tilgang" in response.content.decode()
    assert AccessAgreement.objects.get(member=member).fee_amount == Decimal("25000.00")


def test_request_without_ticking_fdvu_terms_shows_error_and_stores_nothing(
    municipal_client, municipal_user, solution
):
    member = municipal_user.organisation
    population(member, 4_000)
    make_participant(member, paid=True)
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(url, {})
    assert response.status_code == 200
    assert "Dere må godta FDVU-vilkårene" in response.content.decode()
    assert not AccessAgreement.objects.filter(member=member).exists()


def test_non_participant_sees_how_to_join_and_is_refused(
    municipal_client, municipal_user, solution
):
    population(municipal_user.organisation, 4_000)
    detail = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    assert "Slik blir dere med" in detail.content.decode()
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(
        url, {"accept_fdvu_terms": "on", "fdvu_amount": "120000.00"}, follow=True
    )
    assert "Bare deltakere i DigiFin" in response.content.decode()
    assert not AccessAgreement.objects.filter(member=municipal_user.organisation).exists()


def test_ks_registers_solution_without_project_and_sets_digiorden_prices(ks_client):
    kommune(3_000)
    response = ks_client.post(
        reverse("repayments:staff_solution_create"),
        {
            "name": "Digiorden",
            "description": "Ordningssystem",
            "development_cost": "2500000",
            "audience": "kommune",
            "expected_adoption": "60",
            "available_on": "2026-01-01",
            "fdvu_terms": "Vilkår",
            "fdvu_key": "tariff",
            "fdvu_monthly_fixed": "500",
            "fdvu_monthly_per_inhabitant": "0.125",
        },
    )
    solution = Solution.objects.get(name="Digiorden")
    assert response.status_code == 302
    assert solution.project is None
    assert solution.fdvu_parameters == {"monthly_fixed": "500", "monthly_per_inhabitant": "0.125"}
    response = ks_client.post(
        reverse("repayments:staff_price_model", args=[solution.pk]),
        {"kind": "size_class", "classes": "0: 25000\n5000: 40000\n10001: 60000"},
    )
    assert response.status_code == 302
    assert PriceModel.objects.get(solution=solution).parameters["classes"][1] == {
        "min_population": 5000,
        "amount": "40000.00",
    }
    preview = ks_client.get(reverse("repayments:staff_price_preview", args=[solution.pk]))
    assert "25\xa0000\xa0kr" in preview.content.decode()
    ks_client.post(reverse("repayments:staff_publish", args=[solution.pk]))
    solution.refresh_from_db()
    assert solution.is_published


def test_invalid_price_table_is_refused_and_changes_nothing(ks_client):
    solution = SolutionFactory()
    response = ks_client.post(
        reverse("repayments:staff_price_model", args=[solution.pk]),
        {"kind": "size_class", "classes": "5000 40000"},
    )
    assert response.status_code == 200
    assert "nedre grense: verdi" in response.content.decode()
    assert not PriceModel.objects.exists()


def test_ks_books_a_fee_payment_into_the_fund(ks_client, ks_user, agreement):
    """The access fee is paid on its invoice, through invoicing's one payment view (there is no
    second "register a payment" page in repayments): the fee is booked into the fund once."""
    agreement.refresh_from_db()
    assert agreement.fee_invoice_id is not None
    page = ks_client.get(reverse("repayments:staff_solution_detail", args=[agreement.solution_id]))
    detail = reverse("invoicing:invoice_detail", args=[agreement.fee_invoice_id])
    assert detail in page.content.decode()
    url = reverse("invoicing:payment_register", args=[agreement.fee_invoice_id])
    data = {"amount": "40000", "paid_on": "2026-03-01", "reference": "KID 123"}
    data = with_once(ks_user, data)
    ks_client.post(url, data)
    ks_client.post(url, data)  # a double click (the same form token) books once
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ACCESS_FEE)
    assert [e.amount for e in entries] == [Decimal("40000.00")]
    agreement.refresh_from_db()
    assert agreement.fee_status == AccessAgreement.FeeStatus.PAID


def test_a_double_clicked_refund_is_booked_once(ks_client, ks_user, agreement):
    agreement.refresh_from_db()
    pay = reverse("invoicing:payment_register", args=[agreement.fee_invoice_id])
    ks_client.post(pay, with_once(ks_user, {"amount": "40000", "paid_on": "2026-03-01"}))
    url = reverse("repayments:staff_fee_refund", args=[agreement.pk])
    data = with_once(ks_user, {"amount": "1000", "refunded_on": "2026-03-02", "reason": "Feil"})
    ks_client.post(url, data)
    second = ks_client.post(url, data, follow=True)
    assert "Dette er allerede registrert." in second.content.decode()
    refunds = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.ACCESS_FEE_REFUND)
    assert [e.amount for e in refunds] == [Decimal("-1000.00")]  # an outflow


def test_scenario_page_changes_nothing_and_confirm_records_entries(ks_client):
    ledger_record(
        kind="state_grant",
        source="kmd",
        amount=Decimal("1000000"),
        occurred_on=datetime.date(2018, 1, 1),
        description="KMD",
    )
    url = reverse("repayments:staff_capital_repayment")
    response = ks_client.get(url, {"amount": "1000"})
    assert "KMD (staten)" in response.content.decode()
    assert LedgerEntry.objects.count() == 1
    scenario = selectors.repayment_scenario(amount=Decimal("1000"))
    ks_client.post(
        url,
        {
            "amount": "1000",
            "occurred_on": "2026-12-01",
            "reference": "Styresak 9/26",
            "fingerprint": scenario.fingerprint,
        },
    )
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.CONTRIBUTOR_REPAYMENT)
    assert entry.amount == Decimal("-1000.00")


def test_two_users_of_same_municipality_share_one_agreement(client, solution):
    member = kommune(4_000)
    make_participant(member, paid=True)
    url = reverse("repayments:access_request", args=[solution.pk])
    for user in (
        MunicipalUserFactory(organisation=member),
        MunicipalUserFactory(organisation=member),
    ):
        client.force_login(user)
        client.post(url, {"accept_fdvu_terms": "on", "fdvu_amount": "120000.00"})
    assert AccessAgreement.objects.filter(member=member).count() == 1


def test_unpaid_participant_is_offered_its_share_invoice(
    municipal_client, municipal_user, solution, ks_user
):
    from members import services as ms
    from members.invoicing import share_invoice_issue
    from members.models import Participation
    from tests.members.factories import basis

    member = municipal_user.organisation
    population(member, 4_000)
    basis(member, 4_000)
    participation = ms.participation_confirm(
        participation=Participation.objects.create(member=member),
        decided_on=datetime.date(2026, 1, 5),
        decision_reference="Kst-sak 4/26",
        fakturareferanse="4711",
        contact_name="Kari",
        contact_email="kari@example.no",
        actor=ks_user,
    )
    invoice = share_invoice_issue(
        participation=participation, issued_on=datetime.date(2026, 2, 1), actor=ks_user
    )
    response = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    html = response.content.decode()
    assert "Andelen til DigiFin er ikke betalt" in html
    assert reverse("invoicing:invoice_detail", args=[invoice.pk]) in html
