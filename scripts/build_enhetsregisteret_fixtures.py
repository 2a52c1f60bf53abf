"""Write members/data/enhetsregisteret/enheter.json: one Enhetsregisteret `enhet` document (the
open API's JSON format, GET /enheter/{orgnr}) for every organisation number the member register
holds (kommuner and fylkeskommuner 2017–2024, predecessors included, and KS).

Names and orgnr are loaded from the reference data (members/data, copied from ../shared/data)
through members.reference.build_plan, never retyped. The machines here cannot reach the API, and
../shared/data has no addresses: the addresses are placeholders («Postboks N», a postnummer in
the region's range, the kommune's name as poststed) except the few real ones in REAL_ADDRESSES.
The målform is «Nynorsk» for the kommuner in NYNORSK (Språkrådet's list of kommuner with
nynorsk as målvedtak, as far as checked here) and their predecessors; else «Bokmål».

    DJANGO_SETTINGS_MODULE=digifin.settings.test .venv/bin/python \
        scripts/build_enhetsregisteret_fixtures.py
"""

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digifin.settings.test")

import django  # noqa: E402

django.setup()

from members.enhetsregisteret import FIXTURES  # noqa: E402
from members.reference import KS_ORGNR, build_plan  # noqa: E402

API = "https://data.brreg.no/enhetsregisteret/api"
FORMS = {
    "kommune": ("KOMM", "Kommune"),
    "fylkeskommune": ("FYLK", "Fylkeskommune"),
    "ks": ("FLI", "Forening/lag/innretning"),
}
SECTOR = {
    "kommune": ("6500", "Kommuneforvaltningen"),
    "fylkeskommune": ("6500", "Kommuneforvaltningen"),
    "ks": ("7000", "Ideelle organisasjoner"),
}
# Real postal addresses (the organisations' own web pages): orgnr → (lines, postnummer, poststed).
REAL_ADDRESSES = {
    "945578564": (["Postboks 986"], "2626", "LILLEHAMMER"),  # Lillehammer kommune
    "961381185": (["Kongsvegen 351"], "2610", "MESNALI"),  # Øyer kommune
    "964338531": (["Postboks 7700"], "5020", "BERGEN"),  # Bergen kommune
    "942110464": (["Postboks 2300 Torgarden"], "7004", "TRONDHEIM"),  # Trondheim kommune
    "821311632": (["Postboks 7900"], "5020", "BERGEN"),  # Vestland fylkeskommune
    KS_ORGNR: (["Postboks 1378 Vika"], "0114", "OSLO"),  # KS
}
# The first two digits of a placeholder postnummer: the postnummer range of the fylke's region.
POSTAL_REGION = {
    "01": "16", "02": "13", "03": "01", "04": "23", "05": "26", "06": "30", "07": "31",
    "08": "37", "09": "48", "10": "46", "11": "40", "12": "53", "14": "68", "15": "60",
    "16": "70", "17": "77", "18": "80", "19": "90", "20": "95", "30": "16", "31": "16",
    "32": "13", "33": "30", "34": "23", "38": "31", "39": "31", "40": "37", "42": "46",
    "46": "53", "50": "70", "54": "90", "55": "90", "56": "95",
}  # fmt: skip
# Kommuner (2024 numbers) with nynorsk as målform; the name guards against a wrong number.
NYNORSK = {
    "4611": "Etne", "4612": "Sveio", "4613": "Bømlo", "4614": "Stord", "4615": "Fitjar",
    "4616": "Tysnes", "4617": "Kvinnherad", "4618": "Ullensvang", "4619": "Eidfjord",
    "4620": "Ulvik", "4621": "Voss", "4622": "Kvam", "4623": "Samnanger", "4625": "Austevoll",
    "4628": "Vaksdal", "4629": "Modalen", "4630": "Osterøy", "4631": "Alver",
    "4632": "Austrheim", "4633": "Fedje", "4634": "Masfjorden", "4635": "Gulen",
    "4636": "Solund", "4637": "Hyllestad", "4638": "Høyanger", "4639": "Vik",
    "4640": "Sogndal", "4641": "Aurland", "4642": "Lærdal", "4643": "Årdal", "4644": "Luster",
    "4645": "Askvoll", "4646": "Fjaler", "4647": "Sunnfjord", "4648": "Bremanger",
    "4649": "Stad", "4650": "Gloppen", "4651": "Stryn", "3433": "Skjåk", "3434": "Lom",
    "3435": "Vågå", "3452": "Vestre Slidre", "3453": "Øystre Slidre", "3454": "Vang",
    "4022": "Seljord", "4024": "Hjartdal", "4028": "Kviteseid", "4030": "Nissedal",
    "4032": "Fyresdal", "4034": "Tokke", "4036": "Vinje", "4220": "Bygland", "4221": "Valle",
    "4222": "Bykle", "4224": "Åseral", "1511": "Vanylven", "1514": "Sande",
    "1515": "Herøy (Møre og Romsdal)", "1516": "Ulstein", "1517": "Hareid", "1520": "Ørsta",
    "1525": "Stranda", "1528": "Sykkylven", "1577": "Volda", "1578": "Fjord",
    "1133": "Hjelmeland", "1134": "Suldal", "1151": "Utsira", "1145": "Bokn",
}  # fmt: skip
NYNORSK_FYLKER = {"12", "14", "46"}  # Hordaland, Sogn og Fjordane, Vestland


def _plain(name: str) -> str:
    """«Våler (Østfold)» → «VÅLER»; «Kautokeino - Guovdageaidnu» stays whole."""
    return name.split(" (")[0].upper()


def _register_name(entity) -> str:
    if entity.kind == "ks":
        return "KS"
    suffix = "KOMMUNE" if entity.kind == "kommune" else "FYLKESKOMMUNE"
    return f"{_plain(entity.name)} {suffix}"


def _address(entity, orgnr: str, kind: str, municipality) -> dict:
    if orgnr in REAL_ADDRESSES:
        lines, postnummer, poststed = REAL_ADDRESSES[orgnr]
    else:
        region = POSTAL_REGION[entity.number[:2]]
        postnummer = f"{region}{int(entity.number[-2:]) % 100:02d}"
        poststed = _plain(municipality.name)
        lines = [f"Postboks {100 + int(entity.number) % 900}"] if kind == "post" else ["Rådhuset"]
    return {
        "land": "Norge",
        "landkode": "NO",
        "postnummer": postnummer,
        "poststed": poststed,
        "adresse": lines,
        "kommune": _plain(municipality.name),
        "kommunenummer": municipality.number,
    }


def _nynorsk(entities) -> set[int]:
    """ids of the entities whose målform is nynorsk: the listed kommuner, the listed fylker,
    and any predecessor all of whose successors are nynorsk."""
    marked = set()
    for e in entities:
        if e.valid_to is None and e.kind == "kommune" and e.number in NYNORSK:
            if e.name != NYNORSK[e.number]:
                raise SystemExit(f"{e.number}: {e.name} ≠ {NYNORSK[e.number]} (NYNORSK list)")
            marked.add(id(e))
        if e.kind == "fylkeskommune" and e.number in NYNORSK_FYLKER:
            marked.add(id(e))
    successors: dict[int, list] = {}
    for e in entities:
        for pred, *_rest in e.preds:
            successors.setdefault(id(pred), []).append(e)
    for e in sorted(entities, key=lambda x: x.valid_from, reverse=True):
        nexts = successors.get(id(e))
        if nexts and all(id(n) in marked for n in nexts):
            marked.add(id(e))
    return marked


def build() -> dict[str, dict]:
    entities = build_plan().entities
    nynorsk = _nynorsk(entities)
    by_orgnr: dict[str, list] = {}
    for e in entities:
        if e.orgnr:
            by_orgnr.setdefault(e.orgnr, []).append(e)
    documents = {}
    for orgnr, group in sorted(by_orgnr.items()):
        # The unit as the register shows it today: the latest entity with this number.
        latest = max(group, key=lambda e: (e.valid_to or datetime.date.max, e.valid_from))
        if orgnr == KS_ORGNR:
            seat = latest
        elif latest.kind == "fylkeskommune" and latest.number == "03":
            seat = next(e for e in group if e.kind == "kommune")
        else:
            seat = latest
        code, text = FORMS[seat.kind]
        sector = SECTOR[seat.kind]
        municipality = seat if seat.kind != "ks" else _oslo(entities)
        doc = {
            "organisasjonsnummer": orgnr,
            "navn": _register_name(seat),
            "organisasjonsform": {
                "kode": code,
                "beskrivelse": text,
                "_links": {"self": {"href": f"{API}/organisasjonsformer/{code}"}},
            },
            "postadresse": _address(seat, orgnr, "post", municipality),
            "registreringsdatoEnhetsregisteret": "1995-02-19",
            "registrertIMvaregisteret": False,
            "naeringskode1": {
                "kode": "84.110" if seat.kind != "ks" else "94.110",
                "beskrivelse": "Generell offentlig administrasjon"
                if seat.kind != "ks"
                else "Aktiviteter i nærings- og arbeidsgiverorganisasjoner",
            },
            "antallAnsatte": 0,
            "harRegistrertAntallAnsatte": False,
            "forretningsadresse": _address(seat, orgnr, "street", municipality),
            "institusjonellSektorkode": {"kode": sector[0], "beskrivelse": sector[1]},
            "registrertIForetaksregisteret": False,
            "registrertIStiftelsesregisteret": False,
            "registrertIFrivillighetsregisteret": False,
            "konkurs": False,
            "underAvvikling": False,
            "underTvangsavviklingEllerTvangsopplosning": False,
            "maalform": "Nynorsk" if id(seat) in nynorsk else "Bokmål",
            "_links": {"self": {"href": f"{API}/enheter/{orgnr}"}},
        }
        if latest.valid_to is not None:
            doc["slettedato"] = (latest.valid_to + datetime.timedelta(days=1)).isoformat()
        if seat.kind == "kommune":
            doc["hjemmeside"] = f"www.{seat.number}.kommune.example.no"
        documents[orgnr] = doc
    return documents


def _oslo(entities):
    return next(e for e in entities if e.kind == "kommune" and e.number == "0301")


if __name__ == "__main__":
    documents = build()
    FIXTURES.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}"
        for k, v in documents.items()
    ]
    FIXTURES.write_text("{\n" + ",\n".join(rows) + "\n}\n", encoding="utf-8")  # a line each
    print(f"{len(documents)} enheter → {FIXTURES.relative_to(ROOT)}")
