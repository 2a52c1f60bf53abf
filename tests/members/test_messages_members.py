"""Service messages of members and the ledger reach an English reader in English; what is stored
(ledger descriptions, participation notes) stays Norwegian, the language of the record.

The English tests compile the committed catalogue (locale/en/LC_MESSAGES/django.po) the way
tests/test_translations.py does, so they pass once the catalogue holds these messages."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.services import LedgerError, ledger_record, ledger_reverse
from members import services
from members.models import Member, Participation
from members.population_import import PopulationImportError, population_import
from tests.members.factories import Member2017Factory, ParticipationFactory

pytestmark = pytest.mark.django_db


BAD_FILE = (
    "region;2017K2\n"
    "0501 Lillehammer;27785\n"
    "9999 Atlantis;100\n"  # line 3: unknown region
    "0521 Øyer;-5\n"  # line 4: negative
    "0501 Lillehammer;27786\n"  # line 5: duplicate of line 2
    "05 Oppland;mange\n"  # line 6: not a whole number
)


@pytest.fixture
def oppland(db):
    fylke = Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, number="05", name="Oppland")
    Member2017Factory(number="0501", name="Lillehammer", county=fylke)
    Member2017Factory(number="0521", name="Øyer", county=fylke)


def _import_errors(content, period="2017K2"):
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=content.encode(), actor=None, period=period)
    return exc.value.errors


def test_rejected_population_file_names_line_and_reason_in_english(oppland, english):
    assert _import_errors(BAD_FILE) == [
        "Line 3: unknown region “9999 Atlantis” for 2017K2.",
        "Line 4: negative number (-5).",
        "Line 5: duplicate of line 2 (0501 Lillehammer).",
        "Line 6: “mange” is not a whole number.",
    ]
    assert _import_errors("region;2017K3\n0501 Lillehammer;1\n") == [
        "Wrong period: 2017K2 is not in the file (found 2017K3)."
    ]


def test_rejected_population_file_stays_norwegian_by_default(oppland):
    assert _import_errors(BAD_FILE) == [
        "Linje 3: ukjent region «9999 Atlantis» for 2017K2.",
        "Linje 4: negativt tall (-5).",
        "Linje 5: duplikat av linje 2 (0501 Lillehammer).",
        "Linje 6: «mange» er ikke et heltall.",
    ]


def test_participation_errors_are_english(english):
    participation = ParticipationFactory()
    with pytest.raises(services.ParticipationError) as exc:
        services.participation_register_payment(
            participation=participation,
            amount=Decimal("100"),
            paid_on=datetime.date(2018, 1, 1),
            actor=None,
        )
    assert str(exc.value) == "The share must be invoiced before a payment can be recorded."

    Participation.objects.filter(pk=participation.pk).update(status=Participation.Status.PAID)
    with pytest.raises(services.ParticipationError) as exc:
        services.participation_decline(participation=participation, actor=None)
    assert str(exc.value) == "Cannot leave “Paid” with the action decline."


def test_participation_transition_error_is_norwegian_by_default():
    participation = ParticipationFactory(status=Participation.Status.PAID)
    with pytest.raises(services.ParticipationError) as exc:
        services.participation_decline(participation=participation, actor=None)
    assert str(exc.value) == "Kan ikke gå fra «Betalt» med handlingen decline."


def _membership_payment(amount="1000"):
    return ledger_record(
        kind=LedgerEntry.Kind.MEMBER_SHARE,
        source=CapitalSource.MEMBERS,
        amount=Decimal(amount),
        occurred_on=datetime.date(2018, 1, 1),
        description="Andel 0501 Lillehammer",
    )


def test_ledger_errors_are_english_and_the_reversal_stays_a_norwegian_record(english):
    with pytest.raises(LedgerError) as exc:
        _membership_payment(amount="0")
    assert str(exc.value) == "The amount must be greater than zero."
    with pytest.raises(LedgerError) as exc:
        ledger_record(
            kind="gift",
            source=CapitalSource.MEMBERS,
            amount=Decimal("1"),
            occurred_on=datetime.date(2018, 1, 1),
            description="x",
        )
    assert str(exc.value) == "Unknown entry type: gift"

    entry = _membership_payment()
    reversal = ledger_reverse(entry=entry, actor=None, reason="feil kommune")
    assert reversal.description == "Reversering: feil kommune"
    with pytest.raises(LedgerError) as exc:
        ledger_reverse(entry=entry, actor=None, reason="igjen")
    assert str(exc.value) == "The entry has already been reversed."


def test_stored_participation_note_stays_norwegian_when_english_is_active(english):
    from tests.members.factories import MemberFactory, succession

    old = Member2017Factory(number="0501", name="Lillehammer")
    ParticipationFactory(member=old, status=Participation.Status.PAID)
    new = MemberFactory(number="3405", name="Lillehammer")
    succession(old, new)
    participation = services.participation_for_member(member=new, actor=None)
    assert participation.events.get().note == "Arvet fra forgjenger(e) ved sammenslåing"


def test_admin_index_title_follows_the_language(ks_client, english):
    ks_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = ks_client.get(reverse("admin:index")).content.decode()
    assert "Fund administration" in html
    assert "Administrasjon av fondet" not in html
    ks_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert "Administrasjon av fondet" in ks_client.get(reverse("admin:index")).content.decode()
