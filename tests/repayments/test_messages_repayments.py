"""Price model descriptions and access/solution errors reach an English reader in English, whole
sentences with amounts formatted by core.money; what is stored (access events, invoices) stays
Norwegian, the language of the record.

The English tests compile the committed catalogue (locale/en/LC_MESSAGES/django.po) the way
tests/test_translations.py does, so they pass once the catalogue holds these messages."""

import datetime
from decimal import Decimal

import pytest

from repayments import price_models as pm
from repayments import services
from repayments.services import AccessError
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    project,
    published,
)

NBSP = "\xa0"


N = NBSP  # core.money groups digits and joins «kr» with a no-break space

DESCRIPTIONS = [
    (pm.FLAT, {"amount": "40000"}, f"Fast beløp 40{N}000{N}kr", f"Fixed amount 40{N}000{N}kr"),
    (
        pm.PER_INHABITANT,
        {"rate": "2.5", "floor": None, "ceiling": None},
        "2,5 kr per innbygger",
        "2,5 kr per inhabitant",
    ),
    (
        pm.PER_INHABITANT,
        {"rate": "2.5", "floor": "10000", "ceiling": None},
        f"2,5 kr per innbygger, minst 10{N}000{N}kr",
        f"2,5 kr per inhabitant, at least 10{N}000{N}kr",
    ),
    (
        pm.PER_INHABITANT,
        {"rate": "2.5", "floor": None, "ceiling": "50000"},
        f"2,5 kr per innbygger, høyst 50{N}000{N}kr",
        f"2,5 kr per inhabitant, at most 50{N}000{N}kr",
    ),
    (
        pm.PER_INHABITANT,
        {"rate": "2.5", "floor": "10000", "ceiling": "50000"},
        f"2,5 kr per innbygger, minst 10{N}000{N}kr, høyst 50{N}000{N}kr",
        f"2,5 kr per inhabitant, at least 10{N}000{N}kr, at most 50{N}000{N}kr",
    ),
    (
        pm.SIZE_CLASS,
        {"classes": DIGIORDEN_CLASSES},
        f"Størrelsesklasser: fra 0 innb.: 25{N}000{N}kr; fra 5{N}000 innb.: 40{N}000{N}kr; "
        f"fra 10{N}001 innb.: 60{N}000{N}kr",
        f"Size classes: from 0 inhabitants: 25{N}000{N}kr; from 5{N}000 inhabitants: "
        f"40{N}000{N}kr; from 10{N}001 inhabitants: 60{N}000{N}kr",
    ),
    (
        pm.COST_RECOVERY,
        {"weighting": pm.WEIGHT_EQUAL},
        "Kostnadsdekning ved forventet utbredelse, lik vekt",
        "Cost recovery at expected adoption, equal weight",
    ),
    (
        pm.COST_RECOVERY,
        {"weighting": pm.WEIGHT_PER_INHABITANT},
        "Kostnadsdekning ved forventet utbredelse, vektet per innbygger",
        "Cost recovery at expected adoption, weighted per inhabitant",
    ),
    (
        pm.COST_RECOVERY,
        {"weighting": pm.WEIGHT_SIZE_CLASS, "weights": [{"min_population": 0, "weight": 1}]},
        "Kostnadsdekning ved forventet utbredelse, vektet etter størrelsesklasse",
        "Cost recovery at expected adoption, weighted by size class",
    ),
]


@pytest.mark.parametrize(("kind", "parameters", "norwegian", "_english"), DESCRIPTIONS)
def test_price_model_description_is_norwegian_by_default(kind, parameters, norwegian, _english):
    assert pm.describe(kind, pm.validate(kind, parameters)) == norwegian


@pytest.mark.parametrize(("kind", "parameters", "_norwegian", "text"), DESCRIPTIONS)
def test_price_model_description_is_whole_english_sentences(
    kind, parameters, _norwegian, text, english
):
    assert pm.describe(kind, pm.validate(kind, parameters)) == text


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        (pm.PER_INHABITANT, {"rate": "mye"}, "Rate per inhabitant: “mye” is not a number."),
        (pm.FLAT, {"amount": "0"}, "Amount must be greater than zero."),
        (
            pm.SIZE_CLASS,
            {"classes": [{"min_population": "x", "amount": "1"}]},
            "Lower limit: “x” is not a whole number.",
        ),
        (
            pm.COST_RECOVERY,
            {"weighting": "?"},
            "Choose a weighting: equal, per inhabitant or size class.",
        ),
        ("auction", {}, "Unknown pricing model: auction"),
    ],
)
def test_price_model_errors_name_the_field_in_english(kind, parameters, message, english):
    with pytest.raises(pm.PriceModelError) as exc:
        pm.validate(kind, parameters)
    assert str(exc.value) == message


@pytest.fixture
def digiorden(ks_user):
    kommune(2_000, name="Eksisterende kommune")  # publishing needs a member with a population
    solution = SolutionFactory(name="Digiorden", project=project(actor=ks_user))
    return published(
        solution, kind="size_class", parameters={"classes": DIGIORDEN_CLASSES}, actor=ks_user
    )


@pytest.fixture
def agreement(digiorden, ks_user):
    member = kommune(5_084)
    make_participant(member, paid=True)
    return services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement


def _pay(agreement, amount, actor):
    return services.access_fee_paid(
        agreement=agreement,
        amount=Decimal(amount),
        paid_on=datetime.date(2026, 3, 1),
        actor=actor,
        idempotency_key=f"test:{amount}",
    )


@pytest.mark.django_db
def test_access_errors_are_english_with_amounts_formatted(agreement, ks_user, english):
    with pytest.raises(AccessError) as exc:
        _pay(agreement, "50000", ks_user)
    assert str(exc.value) == (
        f"The amount must be between 0,01{N}kr and the outstanding 40{N}000,00{N}kr."
    )
    with pytest.raises(AccessError) as exc:
        services.access_leave(agreement=agreement, left_on=datetime.date(2000, 1, 1), actor=None)
    assert str(exc.value) == "The end date cannot be before access started."


@pytest.mark.django_db
def test_access_error_is_norwegian_by_default_with_amounts_formatted(agreement, ks_user):
    with pytest.raises(AccessError) as exc:
        _pay(agreement, "50000", ks_user)
    assert str(exc.value) == f"Beløpet må være mellom 0,01{N}kr og utestående 40{N}000,00{N}kr."


@pytest.mark.django_db
def test_unpublished_solution_and_locked_price_model_are_explained_in_english(
    digiorden, ks_user, english
):
    with pytest.raises(AccessError) as exc:
        services.access_request(
            solution=SolutionFactory(), member=kommune(100), accept_fdvu_terms=True, actor=None
        )
    assert str(exc.value) == "The solution is not available yet."
    with pytest.raises(services.SolutionError) as exc:
        services.price_model_set(
            solution=digiorden, kind=pm.FLAT, parameters={"amount": "1"}, actor=ks_user
        )
    assert str(exc.value) == "The pricing model cannot be changed after the solution is published."


@pytest.mark.django_db
def test_access_records_stay_norwegian_when_english_is_active(
    digiorden, ks_user, english, monkeypatch
):
    """The event log and the invoice are Norwegian records whatever the user reads, including
    the reason an invoice could not be issued (logged from the invoicing error)."""
    from django.utils.translation import gettext

    import invoicing.services

    def refuse(**kwargs):
        # A translated message, as invoicing's own errors are once marked for translation.
        raise invoicing.services.InvoicingError(gettext("Innbyggertall mangler."))

    member = kommune(5_084)
    make_participant(member, paid=True)
    monkeypatch.setattr(services, "invoice_issue", refuse)
    agreement = services.access_request(
        solution=digiorden, member=member, accept_fdvu_terms=True, actor=ks_user
    ).agreement
    notes = dict(agreement.events.values_list("action", "note"))
    year = datetime.date.today().year
    assert notes["requested"] == (
        f"FDVU-vilkår akseptert: 120\xa0000\xa0kr i året for {year} "
        "(Likt mellom brukerne, antall brukere 1)"
    )
    assert notes["activated"] == "Tilknytningskostnad 40\xa0000,00\xa0kr"
    assert notes["fee_invoice_failed"] == "Innbyggertall mangler."
