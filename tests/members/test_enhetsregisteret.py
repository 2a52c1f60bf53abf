"""The Enhetsregisteret client over real HTTP (tests/members/conftest.py: a local server with
the committed fixtures), its parser, and the MOD11 guard."""

import datetime

import pytest

from members.enhetsregisteret import (
    InvalidOrgnr,
    RegisterError,
    fetch_enhet,
    fixture_entries,
    fixture_lookup,
    parse_enhet,
)
from members.models import Maalform

LILLEHAMMER = "945578564"
OYER = "961381185"
BERGEN = "964338531"
KS = "971032146"


def test_fetch_reads_name_form_address_and_maalform(register_server):
    entry = fetch_enhet(LILLEHAMMER)
    assert entry.name == "LILLEHAMMER KOMMUNE"
    assert entry.organisasjonsform == "KOMM"
    assert entry.printed_address == "Postboks 986\n2626 LILLEHAMMER"
    assert (entry.postnummer, entry.poststed) == ("2626", "LILLEHAMMER")
    assert entry.maalform == Maalform.BOKMAL
    assert not (entry.deleted or entry.bankrupt or entry.winding_up)
    assert register_server.count(LILLEHAMMER) == 1


def test_fixture_has_nynorsk_kommuner_and_ks():
    documents = fixture_entries()
    voss = next(d for d in documents.values() if d["navn"] == "VOSS KOMMUNE")
    assert voss["maalform"] == "Nynorsk"
    assert parse_enhet(voss, orgnr=voss["organisasjonsnummer"]).maalform == Maalform.NYNORSK
    assert documents[KS]["navn"] == "KS"
    assert any(d["organisasjonsform"]["kode"] == "FYLK" for d in documents.values())


def test_timeout_is_retried_then_reported(register_server):
    register_server.behaviour[OYER] = "slow"
    with pytest.raises(RegisterError, match="svarte ikke innen"):
        fetch_enhet(OYER)
    assert register_server.count(OYER) == 2  # the first try and one retry


def test_server_error_is_retried_then_succeeds(register_server):
    register_server.behaviour[BERGEN] = "flaky"  # 500 on the first request, then the document
    entry = fetch_enhet(BERGEN)
    assert entry.name == "BERGEN KOMMUNE"
    assert register_server.count(BERGEN) == 2


def test_server_error_every_time_is_reported(register_server):
    register_server.behaviour[BERGEN] = "500"
    with pytest.raises(RegisterError, match="feil 500"):
        fetch_enhet(BERGEN)


def test_malformed_json_is_an_error_not_retried(register_server):
    register_server.behaviour[LILLEHAMMER] = "malformed"
    with pytest.raises(RegisterError, match="ikke JSON"):
        fetch_enhet(LILLEHAMMER)
    assert register_server.count(LILLEHAMMER) == 1


def test_an_oversized_answer_is_refused_not_retried(register_server):
    register_server.behaviour[LILLEHAMMER] = "huge"
    with pytest.raises(RegisterError, match="for stort"):
        fetch_enhet(LILLEHAMMER)
    assert register_server.count(LILLEHAMMER) == 1


def test_not_found_marks_the_unit_deleted(register_server):
    register_server.behaviour[OYER] = "404"
    entry = fetch_enhet(OYER)
    assert entry.deleted and entry.name == "" and entry.printed_address == ""


def test_gone_carries_the_deletion_date(register_server):
    deleted = next(k for k, d in register_server.documents.items() if "slettedato" in d)
    entry = fetch_enhet(deleted)
    assert entry.deleted
    assert entry.deleted_on == datetime.date.fromisoformat(
        register_server.documents[deleted]["slettedato"]
    )


@pytest.mark.parametrize("orgnr", ["945578565", "12345678", "", "94557856a", "9455785640"])
def test_orgnr_failing_mod11_is_never_sent(register_server, orgnr):
    with pytest.raises(InvalidOrgnr):
        fetch_enhet(orgnr)
    with pytest.raises(InvalidOrgnr):
        fixture_lookup()(orgnr)
    assert register_server.requests == []


@pytest.mark.parametrize(
    "change",
    [
        {"navn": ["not", "text"]},
        {"navn": "x" * 500},
        {"konkurs": "N"},
        {"slettedato": "31.12.2019"},
        {"organisasjonsform": "KOMM"},
        {"postadresse": {"adresse": ["a", "b", "c", "d"], "postnummer": "2626"}},
        {"postadresse": {"adresse": ["Postboks 1"], "postnummer": "26 26"}},
        {"organisasjonsnummer": OYER},
    ],
)
def test_malformed_documents_are_refused(change):
    document = {**fixture_entries()[LILLEHAMMER], **change}
    with pytest.raises(RegisterError):
        parse_enhet(document, orgnr=LILLEHAMMER)


def test_forretningsadresse_when_no_postadresse():
    document = dict(fixture_entries()[LILLEHAMMER])
    del document["postadresse"]
    document["forretningsadresse"] = {
        "adresse": ["Kirkegata 49"],
        "postnummer": "2609",
        "poststed": "LILLEHAMMER",
    }
    entry = parse_enhet(document, orgnr=LILLEHAMMER)
    assert entry.printed_address == "Kirkegata 49\n2609 LILLEHAMMER"
