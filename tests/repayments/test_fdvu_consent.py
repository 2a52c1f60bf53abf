"""Issue 16 §5: the price preview charges only members that would really pay, and a member sees
(and accepts) its yearly FDVU amount and the split key before it accepts the FDVU terms."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from repayments import selectors, services
from repayments.models import AccessAgreement, FdvuKey
from repayments.services import AccessError
from tests.members.factories import MemberFactory, succession
from tests.repayments.factories import (
    SolutionFactory,
    kommune,
    make_declined,
    make_participant,
    population,
    published,
)

pytestmark = pytest.mark.django_db
D = Decimal
NBSP = "\xa0"


def _nok(text: str) -> str:
    """`225 000 kr` as the templates print it (no-break spaces)."""
    return text.replace(" ", NBSP)


# --- the price preview -------------------------------------------------------------------------


@pytest.fixture
def members():
    oslo = kommune(700_000, name="Oslo", number="0301")
    oyer = kommune(5_000, name="Øyer", number="3440")
    utsira = kommune(200, name="Utsira", number="1151")
    invited = kommune(3_000, name="Bare invitert", number="1111")
    make_participant(oslo, paid=True)
    make_participant(oyer, paid=False)  # a participant that has not paid yet still pays the fee
    make_declined(utsira)
    from members.models import Participation

    Participation.objects.create(member=invited, invited_on=datetime.date(2017, 9, 1))
    return {"oslo": oslo, "oyer": oyer, "utsira": utsira, "invited": invited}


def _solution_with_per_inhabitant_fee(actor, **kwargs):
    solution = SolutionFactory(development_cost=D("100000"), expected_adoption=D("50"), **kwargs)
    services.price_model_set(
        solution=solution,
        kind="per_inhabitant",
        parameters={"rate": "1", "floor": "1000", "ceiling": "250000"},
        actor=actor,
    )
    return solution


def test_preview_does_not_charge_a_member_that_declined(ks_user, members):
    solution = _solution_with_per_inhabitant_fee(ks_user)
    preview = selectors.price_preview(solution=solution)
    charged = [row["member"] for row in preview.rows]
    assert charged == [members["oslo"], members["oyer"]]
    assert members["utsira"] not in charged
    assert members["utsira"] in preview.not_participating
    assert members["invited"] in preview.not_participating  # only invited: cannot pay either
    assert [row["fee"] for row in preview.rows] == [D("250000"), D("5000")]
    assert preview.sum_of_fees == D("255000")  # Utsira's 1 000 kr is not in any total
    assert preview.totals[-1] == (D("1.00"), D("255000.00"))
    assert preview.expected_recovery == D("127500.00")
    assert preview.priceable == 4  # publishing still needs only a member with a fee


def test_preview_charges_a_successor_that_inherited_participation(ks_user):
    predecessor = kommune(4_000, name="Gamle kommune")
    make_participant(predecessor, paid=True)
    successor = MemberFactory(name="Nye kommune")
    population(successor, 4_500)
    succession(predecessor, successor)
    predecessor.valid_to = datetime.date(2019, 12, 31)
    predecessor.valid_from = datetime.date(2017, 1, 1)
    predecessor.save()
    solution = _solution_with_per_inhabitant_fee(ks_user)
    preview = selectors.price_preview(solution=solution)
    assert [row["member"] for row in preview.rows] == [successor]


def test_staff_preview_page_lists_utsira_apart_and_not_in_the_fees(ks_client, ks_user, members):
    solution = _solution_with_per_inhabitant_fee(ks_user)
    html = ks_client.get(reverse("repayments:staff_price_preview", args=[solution.pk]))
    html = html.content.decode()
    charged = html[
        html.index('data-testid="preview-rows"') : html.index(
            "</table>", html.index('data-testid="preview-rows"')
        )
    ]
    apart = html[html.index('data-testid="not-participating"') :]
    assert "Oslo" in charged and "Øyer" in charged
    assert "Utsira" not in charged
    assert "Utsira" in apart
    assert _nok("255 000 kr") in html  # the sum if every participant joins


# --- the FDVU part before consent --------------------------------------------------------------


def _users(solution, members, actor):
    for member in members:
        make_participant(member, paid=True)
        services.access_request(
            solution=solution, member=member, accept_fdvu_terms=True, actor=actor
        )


@pytest.fixture
def oyer_user(municipal_user):
    """The municipal user of Øyer (about 5 000 inhabitants), a paid-up participant."""
    member = municipal_user.organisation
    member.name = "Øyer"
    member.save()
    population(member, 5_000)
    make_participant(member, paid=True)
    return municipal_user


def _published(actor, **kwargs):
    kommune(1_000)  # publishing needs a member with a fee
    return published(
        SolutionFactory(name="Digital byggesøknad", **kwargs),
        kind="flat",
        parameters={"amount": "10000"},
        actor=actor,
    )


def test_acceptance_page_shows_the_equal_part_and_the_key(municipal_client, oyer_user, ks_user):
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("900000"))
    _users(solution, [kommune(700_000), kommune(285_000), kommune(20_000)], ks_user)
    html = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    html = html.content.decode()
    assert _nok("225 000 kr") in html  # 900 000 kr shared by 4 users, Øyer included
    assert "Likt mellom brukerne" in html
    assert "deles likt mellom de 4 brukerne" in html
    assert "en FDVU-andel på " + _nok("225 000 kr") + " i året" in html  # in what the user ticks
    assert 'name="fdvu_amount" value="225000.00"' in html


def test_acceptance_page_shows_a_part_by_inhabitants(municipal_client, oyer_user, ks_user):
    solution = _published(ks_user, fdvu_key=FdvuKey.PER_INHABITANT, fdvu_yearly_cost=D("900000"))
    _users(solution, [kommune(700_000), kommune(295_000)], ks_user)
    html = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    html = html.content.decode()
    assert _nok("4 500 kr") in html  # 900 000 × 5 000 / 1 000 000
    assert "Fordelt etter innbyggertall" in html
    assert "Dere har " + _nok("5 000") + " innbyggere" in html
    part = selectors.fdvu_part(solution=solution, member=oyer_user.organisation)
    assert part.amount == D("4500.00") and part.users == 3


def test_acceptance_records_the_amount_and_key_that_were_shown(
    municipal_client, oyer_user, ks_user
):
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("900000"))
    _users(solution, [kommune(700_000), kommune(285_000), kommune(20_000)], ks_user)
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(
        url, {"accept_fdvu_terms": "on", "fdvu_amount": "225000.00"}, follow=True
    )
    assert "Dere har fått tilgang" in response.content.decode()
    agreement = AccessAgreement.objects.get(member=oyer_user.organisation)
    assert agreement.fdvu_amount_accepted == D("225000.00")
    assert agreement.fdvu_key_accepted == FdvuKey.EQUAL
    assert agreement.fdvu_users_accepted == 4
    assert agreement.fdvu_terms_accepted == solution.fdvu_terms
    note = agreement.events.get(action="requested").note
    assert note.startswith("FDVU-vilkår akseptert: " + _nok("225 000 kr") + " i året")
    html = response.content.decode()
    assert (
        "med en FDVU-andel på " + _nok("225 000 kr") + " i året" in html
    )  # what was accepted, shown
    # The same computation shares the year: the part accepted is the part allocated.
    period = services.fdvu_allocate(
        solution=solution, year=datetime.date.today().year, actor=ks_user
    )
    assert period.shares.get(member=oyer_user.organisation).amount == D("225000.00")


def test_a_part_that_changed_since_it_was_shown_is_refused(municipal_client, oyer_user, ks_user):
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("900000"))
    _users(solution, [kommune(700_000)], ks_user)  # Øyer was shown 450 000 kr
    _users(solution, [kommune(20_000)], ks_user)  # then another member joined: 300 000 kr
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(
        url, {"accept_fdvu_terms": "on", "fdvu_amount": "450000.00"}, follow=True
    )
    html = response.content.decode()
    assert f"FDVU-andelen er nå {_nok('300 000 kr')} i året, ikke {_nok('450 000 kr')}" in html
    assert not AccessAgreement.objects.filter(member=oyer_user.organisation).exists()


def test_a_post_without_the_shown_amount_is_refused(municipal_client, oyer_user, ks_user):
    solution = _published(ks_user)
    url = reverse("repayments:access_request", args=[solution.pk])
    response = municipal_client.post(url, {"accept_fdvu_terms": "on"})
    html = response.content.decode()
    assert "FDVU-andelen dere godtar mangler" in html
    assert 'name="fdvu_amount" value="120000.00"' in html  # shown again with today's part
    assert not AccessAgreement.objects.filter(member=oyer_user.organisation).exists()


def test_acceptance_is_refused_when_the_part_cannot_be_computed(
    municipal_client, municipal_user, ks_user
):
    member = municipal_user.organisation  # no population figure: no part by inhabitants
    make_participant(member, paid=True)
    solution = _published(ks_user, fdvu_key=FdvuKey.PER_INHABITANT, fdvu_yearly_cost=D("900000"))
    html = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    html = html.content.decode()
    assert "FDVU-andelen deres kan ikke beregnes: Innbyggertall mangler for" in html
    assert "Be om tilgang" not in html
    with pytest.raises(AccessError, match="FDVU-andelen kan ikke beregnes"):
        services.access_request(
            solution=solution, member=member, accept_fdvu_terms=True, actor=municipal_user
        )
    assert not AccessAgreement.objects.filter(member=member).exists()


def test_waiting_request_records_the_part_and_is_completed_later(
    municipal_client, municipal_user, ks_user
):
    from members import services as ms

    member = municipal_user.organisation
    population(member, 5_000)
    participation = make_participant(member, paid=False)
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("90000"))
    url = reverse("repayments:access_request", args=[solution.pk])
    municipal_client.post(url, {"accept_fdvu_terms": "on", "fdvu_amount": "90000"})
    agreement = AccessAgreement.objects.get(member=member)
    assert agreement.status == AccessAgreement.Status.WAITING_FOR_SHARE
    assert agreement.fdvu_amount_accepted == D("90000.00")
    ms.participation_register_payment(
        participation=participation,
        amount=participation.share_amount,
        paid_on=datetime.date.today(),
        actor=ks_user,
        idempotency_key="share-paid",
    )
    page = municipal_client.get(reverse("repayments:solution_detail", args=[solution.pk]))
    html = page.content.decode()
    if "Fullfør tilgangen" in html:  # not granted already by the share payment
        assert 'name="fdvu_amount"' in html
        municipal_client.post(url, {"accept_fdvu_terms": "on", "fdvu_amount": "90000.00"})
    agreement.refresh_from_db()
    assert agreement.status == AccessAgreement.Status.ACTIVE
    assert agreement.fdvu_amount_accepted == D("90000.00")


def test_another_organisation_does_not_see_what_was_accepted(
    client, municipal_user, other_municipal_user, ks_user
):
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("900000"))
    member = municipal_user.organisation
    population(member, 5_000)
    make_participant(member, paid=True)
    services.access_request(
        solution=solution, member=member, accept_fdvu_terms=True, actor=municipal_user
    )
    population(other_municipal_user.organisation, 5_000)
    client.force_login(other_municipal_user)
    html = client.get(reverse("repayments:solution_detail", args=[solution.pk])).content.decode()
    assert 'data-testid="fdvu-accepted"' not in html
    assert _nok("450 000 kr") in html  # its own part: 900 000 kr shared with the one user
    client.force_login(municipal_user)
    html = client.get(reverse("repayments:solution_detail", args=[solution.pk])).content.decode()
    assert 'data-testid="fdvu-accepted"' in html


def test_ks_sees_the_accepted_part_on_the_solution_page(ks_client, ks_user):
    solution = _published(ks_user, fdvu_key=FdvuKey.EQUAL, fdvu_yearly_cost=D("900000"))
    _users(solution, [kommune(700_000), kommune(5_000)], ks_user)
    html = ks_client.get(reverse("repayments:staff_solution_detail", args=[solution.pk]))
    html = html.content.decode()
    assert _nok("900 000 kr") in html  # the first user accepted it alone
    assert _nok("450 000 kr") in html  # the second shared it with the first
    assert "likt mellom brukerne" in html
