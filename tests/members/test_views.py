"""Every members view × every role; a municipal user sees and changes only its own organisation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from members.models import Participation, ParticipationEvent
from members.services import participation_mark_invoiced, participation_register_payment
from tests.accounts.factories import MunicipalUserFactory
from tests.members.factories import Member2017Factory, MemberFactory, basis, succession

pytestmark = pytest.mark.django_db
CONFIRM = {
    "decided_on": "2017-11-30",
    "decision_reference": "PS 45/17",
    "fakturareferanse": "4711",
    "contact_name": "Ingrid Bakke",
    "contact_email": "ingrid@example.no",
}
STAFF_URLS = [
    ("members:staff_member_list", {}),
    ("members:contribution_table_export", {"structure": "2017", "fmt": "csv"}),
]


@pytest.fixture
def merged(municipal_user):
    """The municipal user's organisation (2020) is the successor of a 2017 kommune."""
    old = Member2017Factory(name="Gamle Øyer")
    basis(old, 5084)
    succession(old, municipal_user.organisation)
    return old


def _urls(member_pk):
    return [
        ("members:my_organisation", {}),
        ("members:staff_member_list", {}),
        ("members:staff_member_detail", {"pk": member_pk}),
        ("members:contribution_table_export", {"structure": "2017", "fmt": "xlsx"}),
    ]


def test_anonymous_is_sent_to_login_everywhere(client):
    member = MemberFactory()
    for name, kwargs in [*_urls(member.pk), ("members:confirm_participation", {})]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and "/logg-inn/" in response["Location"], name


@pytest.mark.parametrize(
    ("user_fixture", "allowed"),
    [
        ("ks_user", {"staff_member_list", "staff_member_detail", "contribution_table_export"}),
        ("municipal_user", {"my_organisation"}),
        ("council_user", set()),
        ("plain_user", set()),
    ],
)
def test_each_role_gets_its_pages_and_403_elsewhere(client, request, user_fixture, allowed):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    member = MemberFactory()
    for name, kwargs in _urls(member.pk):
        status = client.get(reverse(name, kwargs=kwargs)).status_code
        expected = 200 if name.split(":")[1] in allowed else 403
        assert status == expected, (user_fixture, name, status)


def test_inactive_user_cannot_use_pages(client, inactive_user):
    client.force_login(inactive_user)
    response = client.get(reverse("members:my_organisation"))
    assert response.status_code in (302, 403)


def test_my_organisation_shows_basis_share_status_and_inherited_payments(
    municipal_client, municipal_user, merged
):
    participation = Participation.objects.create(
        member=merged, status=Participation.Status.CONFIRMED
    )
    participation_mark_invoiced(
        participation=participation,
        amount=Decimal("101680"),
        invoiced_on=datetime.date(2018, 1, 15),
        actor=None,
    )
    participation_register_payment(
        participation=participation,
        amount=Decimal("101680"),
        paid_on=datetime.date(2018, 2, 20),
        actor=None,
    )
    response = municipal_client.get(reverse("members:my_organisation"))
    html = response.content.decode()
    assert "5\xa0084 (2. kvartal 2017)" in html
    assert "101\xa0680\xa0kr" in html
    assert "Betalt" in html and "arvet fra forgjenger" in html
    assert "20.02.2018" in html
    assert 'action="/medlemmer/min-organisasjon/bekreft-deltakelse/"' not in html


def test_municipal_user_confirms_its_own_participation(municipal_client, municipal_user, merged):
    page = municipal_client.get(reverse("members:my_organisation")).content.decode()
    assert "Bekreft deltakelse" in page and "101\xa0680\xa0kr" in page
    response = municipal_client.post(reverse("members:confirm_participation"), CONFIRM)
    assert response.status_code == 302
    participation = Participation.objects.get(member=municipal_user.organisation)
    assert participation.status == Participation.Status.CONFIRMED
    assert participation.fakturareferanse == "4711"
    assert participation.decided_on == datetime.date(2017, 11, 30)
    event = ParticipationEvent.objects.get(participation=participation)
    assert event.actor == municipal_user
    assert not Participation.objects.filter(member=merged).exists()  # others untouched


def test_confirm_with_bad_input_changes_nothing(municipal_client, municipal_user):
    bad = {**CONFIRM, "fakturareferanse": " ", "decided_on": "2099-01-01"}
    response = municipal_client.post(reverse("members:confirm_participation"), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fakturareferanse" in html and "fram i tid" in html
    assert not Participation.objects.exists()


def test_confirm_ignores_any_other_organisation_in_the_request(
    municipal_client, municipal_user, other_municipal_user
):
    other = other_municipal_user.organisation
    municipal_client.post(reverse("members:confirm_participation"), {**CONFIRM, "member": other.pk})
    assert not Participation.objects.filter(member=other).exists()
    assert Participation.objects.filter(member=municipal_user.organisation).exists()


def test_municipal_user_cannot_see_another_organisation(
    municipal_client, municipal_user, other_municipal_user
):
    other = other_municipal_user.organisation
    detail = reverse("members:staff_member_detail", kwargs={"pk": other.pk})
    assert municipal_client.get(detail).status_code == 403
    page = municipal_client.get(reverse("members:my_organisation")).content.decode()
    assert other.name not in page and municipal_user.organisation.name in page


def test_confirm_is_post_only(municipal_client):
    assert municipal_client.get(reverse("members:confirm_participation")).status_code == 405


def test_a_participant_cannot_confirm_again(municipal_client, municipal_user):
    Participation.objects.create(
        member=municipal_user.organisation, status=Participation.Status.PAID
    )
    municipal_client.post(reverse("members:confirm_participation"), CONFIRM)
    assert Participation.objects.get().status == Participation.Status.PAID


def test_staff_list_shows_participation_amount_and_paid(ks_client):
    member = Member2017Factory(valid_to=None, name="Gausdal")
    basis(member, 6193)
    Participation.objects.create(member=member, status=Participation.Status.CONFIRMED)
    response = ks_client.get(reverse("members:staff_member_list"), {"struktur": "2017"})
    html = response.content.decode()
    assert "Gausdal" in html and "123\xa0860\xa0kr" in html and "Bekreftet" in html
    filtered = ks_client.get(
        reverse("members:staff_member_list"), {"struktur": "2017", "status": "paid"}
    )
    assert "Gausdal" not in filtered.content.decode()


def test_staff_detail_unknown_member_is_404(ks_client):
    assert (
        ks_client.get(reverse("members:staff_member_detail", kwargs={"pk": 999999})).status_code
        == 404
    )


def test_staff_export_rejects_unknown_structure(ks_client):
    url = reverse("members:contribution_table_export", kwargs={"structure": "1999", "fmt": "csv"})
    assert ks_client.get(url).status_code == 404


def test_staff_export_xlsx_opens_with_header(ks_client):
    from io import BytesIO

    from openpyxl import load_workbook

    url = reverse("members:contribution_table_export", kwargs={"structure": "2017", "fmt": "xlsx"})
    response = ks_client.get(url)
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "nummer",
        "navn",
        "type",
        "innbyggere",
        "andel",
        "status",
        "innbetalt",
        "grunnlag",
    ]


def test_municipal_user_of_other_org_sees_own_share_only(client, merged):
    stranger = MunicipalUserFactory()
    client.force_login(stranger)
    html = client.get(reverse("members:my_organisation")).content.decode()
    assert "Gamle Øyer" not in html and "101\xa0680" not in html


def test_staff_list_shows_the_matching_condition_figure(ks_client):
    from fund.services import ledger_record

    day = datetime.date(2018, 6, 20)
    ledger_record(
        kind="state_grant",
        source="kmd",
        amount=Decimal("125000000"),
        occurred_on=day,
        description="KMD",
    )
    ledger_record(
        kind="member_share",
        source="members",
        amount=Decimal("110000000"),
        occurred_on=day,
        description="Andeler",
    )
    html = ks_client.get(reverse("members:staff_member_list")).content.decode()
    assert "88.0 %" in html or "88,0 %" in html
    assert "15\xa0000\xa0000\xa0kr" in html  # the shortfall
