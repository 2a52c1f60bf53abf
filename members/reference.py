"""The reference data: the 2017, 2020 and 2024 municipal structures, with merges, splits,
organisation numbers and population (Statistisk sentralbyrå, Kartverket; members/data/README.md).

`build_plan()` reads the files and returns what the registry should hold; `apply_plan()` writes
the difference with bulk operations, so that a second run changes nothing and is fast."""

import csv
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from .models import ContributionBasis, Member, MemberSuccession, PopulationFigure

DATA = Path(__file__).resolve().parent / "data"
START = datetime.date(2017, 1, 1)
END = datetime.date(2024, 1, 1)  # the last structure loaded
KS_ORGNR = "971032146"
OSLO_KOMMUNE, OSLO_FYLKE = "0301", "03"
SOURCE_07459 = "SSB tabell 07459, folkemengde 1. januar (sum over alder)"


def _day_before(d: datetime.date) -> datetime.date:
    return d - datetime.timedelta(days=1)


@dataclass
class Entity:
    kind: str
    number: str
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    orgnr: str = ""
    preds: list = field(default_factory=list)  # [(Entity, fraction, changed_on, note)]

    @property
    def key(self):
        return (self.kind, self.number, self.valid_from)

    def valid_on(self, d: datetime.date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or self.valid_to >= d)


def _klass(year: int) -> dict[str, str]:
    items = json.loads((DATA / f"ssb_klass131_kommuneinndeling_{year}.json").read_text())
    return {i["code"]: i["name"] for i in items["classificationItems"] if i["code"] != "9999"}


def _csv(name: str, encoding: str = "utf-8", delimiter: str = ","):
    with open(DATA / name, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _population() -> dict[tuple[int, str], int]:
    return {
        (int(r["year"]), r["kommunenummer"]): int(r["population_1jan"])
        for r in _csv("kommune_population_1jan_2017-2022.csv")
    }


def _splits() -> dict[tuple[str, str, str], tuple[Decimal, str]]:
    return {
        (r["old_code"], r["new_code"], r["changed_on"]): (Decimal(r["fraction"]), r["basis"])
        for r in _csv("kommune_splits.csv")
    }


def _kommuner() -> list[Entity]:
    """Kommune entities from the 2017 structure through the Klass changes up to 2024."""
    names_2017 = _klass(2017)
    current: dict[str, Entity] = {
        code: Entity(Member.Kind.KOMMUNE, code, name, START) for code, name in names_2017.items()
    }
    entities = list(current.values())
    splits = _splits()
    changes = json.loads((DATA / "ssb_klass131_changes_1971-2025.json").read_text())
    by_date = defaultdict(list)
    for row in changes["codeChanges"]:
        day = datetime.date.fromisoformat(row["changeOccurred"])
        if START < day <= END:
            by_date[day].append(row)
    for day in sorted(by_date):
        rows = by_date[day]
        olds_of_new = defaultdict(set)
        news_of_old = defaultdict(set)
        new_names = {}
        for row in rows:
            olds_of_new[row["newCode"]].add(row["oldCode"])
            news_of_old[row["oldCode"]].add(row["newCode"])
            new_names[row["newCode"]] = row["newName"]
        ending: dict[str, Entity] = {}
        for new_code, olds in olds_of_new.items():
            if olds == {new_code} and news_of_old[new_code] == {new_code}:
                current[new_code].name = new_names[new_code]  # a change of name only
                continue
            for old in olds:
                ending[old] = current[old]
        for old, entity in ending.items():
            entity.valid_to = _day_before(day)
            del current[old]
        for new_code, olds in olds_of_new.items():
            if not (olds & set(ending)):
                continue
            new = Entity(Member.Kind.KOMMUNE, new_code, new_names[new_code], day)
            for old in sorted(olds):
                if len(news_of_old[old]) > 1:
                    fraction, note = splits[(old, new_code, day.isoformat())]
                else:
                    fraction, note = Decimal(1), ""
                new.preds.append((ending[old], fraction, day, note))
            current[new_code] = new
            entities.append(new)
    # The result must be SSB's published structures.
    for year in (2020, 2024):
        day = datetime.date(year, 1, 1)
        codes = {e.number for e in entities if e.valid_on(day)}
        expected = set(_klass(year))
        if codes != expected:
            raise ValueError(f"Strukturen {year} stemmer ikke med Klass: {codes ^ expected}")
    latest_names = _klass(2024)
    for e in entities:
        if e.valid_to is None and e.number in latest_names:
            e.name = latest_names[e.number]
    return entities


def _kommune_orgnr(entities: list[Entity]):
    by_2024 = {
        r["kommunenummer_2024"]: r["organisasjonsnummer"] for r in _csv("kommune_orgnr_2024.csv")
    }
    corr = {
        r["targetCode"]: r["sourceCode"]
        for r in _csv("ssb_klass_corr1236_orgnr_kommune_2020-2023.csv", "iso-8859-1", ";")
    }
    for e in entities:
        if e.valid_to is None:
            e.orgnr = by_2024.get(e.number, "")
        elif e.valid_on(datetime.date(2020, 1, 1)) or e.valid_from >= datetime.date(2020, 1, 1):
            e.orgnr = corr.get(e.number, "")
    # Before 2020: the same legal entity as its successor when the kommune continued under the
    # same name and the successor's orgnr is not a new registration (82…/92…: 2018 or later).
    successors = defaultdict(list)
    for e in entities:
        for pred, _f, _d, _n in e.preds:
            successors[id(pred)].append(e)
    for e in sorted(entities, key=lambda x: x.valid_from, reverse=True):
        if e.orgnr:
            continue
        nexts = successors.get(id(e), [])
        if len(nexts) == 1 and nexts[0].name.split(" - ")[0] == e.name.split(" - ")[0]:
            candidate = nexts[0].orgnr
            if candidate and not candidate.startswith(("82", "92")):
                e.orgnr = candidate


def _fylker(kommuner: list[Entity], population: dict) -> list[Entity]:
    """Fylkeskommune entities: a fylke exists while kommuner carry its number; when a number
    disappears its successors are the fylker its kommuner went to, by population."""
    names = {r["county_code"]: r["county_name"] for r in _csv("fylke_names_numbers.csv")}
    days = sorted({START} | {e.valid_from for e in kommuner})
    current: dict[str, Entity] = {}
    entities: list[Entity] = []
    successors = defaultdict(list)
    for e in kommuner:
        for pred, fraction, _d, _n in e.preds:
            successors[id(pred)].append((e, fraction))
    previous_day = None
    for day in days:
        codes = {e.number[:2] for e in kommuner if e.valid_on(day)}
        new_codes = codes - set(current)
        for code in sorted(new_codes):
            entity = Entity(Member.Kind.FYLKESKOMMUNE, code, names[code], day)
            current[code] = entity
            entities.append(entity)
        received: list[tuple[Entity, str, Decimal]] = []  # (ended fylke, to code, part)
        for code in sorted(set(current) - codes):
            ending = current.pop(code)
            ending.valid_to = _day_before(day)
            weights = defaultdict(Decimal)
            for k in kommuner:
                if k.number[:2] == code and k.valid_on(previous_day):
                    pop = _latest_population(population, k.number, day)
                    for successor, fraction in _successors_at(k, successors, day):
                        weights[successor.number[:2]] += pop * fraction
            total = sum(weights.values())
            parts = {c: (w / total).quantize(Decimal("0.0001")) for c, w in weights.items()}
            largest = max(parts, key=parts.get)
            parts[largest] += Decimal(1) - sum(parts.values())
            received += [(ending, c, fraction) for c, fraction in sorted(parts.items())]
        # A fylke that goes on under its number but receives part of an ended fylke (Møre og
        # Romsdal got Hornindal from Sogn og Fjordane in 2020) is, like a kommune that changes
        # its territory, a new member from that day: the old one keeps its own 2017 basis and
        # share, the new one inherits the old one whole plus the part it received. Hanging the
        # part on the 2017 member instead made its share a fraction of the ended fylke's.
        for c in sorted({c for _e, c, _f in received} - new_codes):
            old = current[c]
            old.valid_to = _day_before(day)
            renewed = Entity(Member.Kind.FYLKESKOMMUNE, c, old.name, day)
            renewed.preds.append((old, Decimal(1), day, ""))
            current[c] = renewed
            entities.append(renewed)
        for ending, c, fraction in received:
            note = "" if fraction == 1 else "Delt etter innbyggere i kommunene som flyttet"
            current[c].preds.append((ending, fraction, day, note))
        previous_day = day
    for e in entities:
        e.orgnr = _fylke_orgnr(e)
    return entities


def _successors_at(k: Entity, successors, day):
    if k.valid_to is None or k.valid_to >= day:
        return [(k, Decimal(1))]
    return successors.get(id(k), [])


def _latest_population(population, code: str, day: datetime.date) -> int:
    for year in range(min(day.year - 1, 2022), 2016, -1):
        if (year, code) in population:
            return population[(year, code)]
    return 0


_FYLKE_ORGNR = None


def _fylke_orgnr(e: Entity) -> str:
    global _FYLKE_ORGNR
    if _FYLKE_ORGNR is None:
        _FYLKE_ORGNR = _csv("fylkeskommune_orgnr.csv")
    if e.number == OSLO_FYLKE:
        return ""  # filled from Oslo kommune: one legal entity
    for r in _FYLKE_ORGNR:
        if r["fylkesnummer"] == e.number:
            return r["organisasjonsnummer"]
    return ""


@dataclass
class Plan:
    entities: list[Entity]
    figures: list[tuple[tuple, str, int, str, str]]  # (entity key, period, pop, table, source)
    bases: dict[tuple, tuple[int, str, str]]  # entity key -> (population, period, source)


def build_plan() -> Plan:
    population = _population()
    kommuner = _kommuner()
    _kommune_orgnr(kommuner)
    fylker = _fylker(kommuner, population)
    oslo = next(k for k in kommuner if k.number == OSLO_KOMMUNE)
    for f in fylker:
        if f.number == OSLO_FYLKE:
            f.orgnr = oslo.orgnr
    ks = Entity(Member.Kind.KS, "", "KS", START, orgnr=KS_ORGNR)
    entities = kommuner + fylker + [ks]

    figures = []
    for (year, code), pop in population.items():
        day = datetime.date(year, 1, 1)
        match = [k for k in kommuner if k.number == code and k.valid_on(day)]
        if match:
            figures.append((match[0].key, str(year), pop, "07459", SOURCE_07459))
    for r in _csv("fylke_population_1jan_2017-2022.csv"):
        day = datetime.date(int(r["year"]), 1, 1)
        match = [f for f in fylker if f.number == r["fylkesnummer"] and f.valid_on(day)]
        if match:
            figures.append(
                (match[0].key, r["year"], int(r["population_1jan"]), "07459", SOURCE_07459)
            )
    seeds = {r["kommunenummer"]: r for r in _csv("population_2017K2_seeds.csv")}
    for code, r in seeds.items():
        key = (Member.Kind.KOMMUNE, code, START)
        figures.append((key, r["period"], int(r["population"]), "01222", r["source"]))

    bases = {}
    for key, period, pop, _table, source in figures:
        if key[2] == START and period == "2017" and key[1] not in seeds:
            bases[key] = (pop, period, source)
    for code, r in seeds.items():
        bases[(Member.Kind.KOMMUNE, code, START)] = (int(r["population"]), r["period"], r["source"])
    return Plan(entities, figures, bases)


@transaction.atomic
def apply_plan(plan: Plan, *, actor=None) -> dict[str, int]:
    """Create what is missing and update what differs; never delete, never overwrite a
    contribution basis that exists (an import may have replaced it)."""
    counts = defaultdict(int)
    existing = {
        (m.kind, m.number, m.valid_from): m
        for m in Member.objects.filter(Q(valid_from__gte=START) | Q(kind="ks"))
    }
    to_create, to_update = [], []
    fields = ("name", "orgnr", "valid_to")
    for e in plan.entities:
        member = existing.get(e.key)
        if member is None:
            member = Member(kind=e.kind, number=e.number, valid_from=e.valid_from)
            for f in fields:
                setattr(member, f, getattr(e, f))
            to_create.append(member)
        elif any(getattr(member, f) != getattr(e, f) for f in fields):
            for f in fields:
                setattr(member, f, getattr(e, f))
            to_update.append(member)
    Member.objects.bulk_create(to_create)
    Member.objects.bulk_update(to_update, fields)
    counts["members created"] = len(to_create)
    counts["members updated"] = len(to_update)
    if to_create:  # re-read: not every backend returns ids from bulk_create
        existing = {
            (m.kind, m.number, m.valid_from): m
            for m in Member.objects.filter(Q(valid_from__gte=START) | Q(kind="ks"))
        }

    # County, and Oslo fylke billed with Oslo kommune.
    changed = []
    fylker = [m for m in existing.values() if m.kind == Member.Kind.FYLKESKOMMUNE]
    oslo_kommune = existing[(Member.Kind.KOMMUNE, OSLO_KOMMUNE, START)]
    for m in existing.values():
        county_id = m.county_id
        billed_id = m.billed_with_id
        if m.kind == Member.Kind.KOMMUNE:
            county = next(
                (f for f in fylker if f.number == m.number[:2] and _valid(f, m.valid_from)), None
            )
            county_id = county.pk if county else None
        if m.kind == Member.Kind.FYLKESKOMMUNE and m.number == OSLO_FYLKE:
            billed_id = oslo_kommune.pk
        if (county_id, billed_id) != (m.county_id, m.billed_with_id):
            m.county_id, m.billed_with_id = county_id, billed_id
            changed.append(m)
    Member.objects.bulk_update(changed, ["county", "billed_with"])

    links = {(s.predecessor_id, s.successor_id): s for s in MemberSuccession.objects.all()}
    new_links, changed_links = [], []
    for e in plan.entities:
        for pred, fraction, day, note in e.preds:
            pid, sid = existing[pred.key].pk, existing[e.key].pk
            link = links.get((pid, sid))
            if link is None:
                new_links.append(
                    MemberSuccession(
                        predecessor_id=pid,
                        successor_id=sid,
                        fraction=fraction,
                        changed_on=day,
                        note=note[:200],
                    )
                )
            elif link.fraction != fraction or link.note != note[:200]:
                link.fraction, link.note = fraction, note[:200]
                changed_links.append(link)
    # A link the reference data no longer has (before 2026-12: Sogn og Fjordane -> the 2017
    # Møre og Romsdal) is removed: successions are derived from the data, not entered by hand.
    planned = {
        (existing[pred.key].pk, existing[e.key].pk) for e in plan.entities for pred, *_ in e.preds
    }
    reference_ids = {m.pk for m in existing.values()}
    stale = [
        link.pk
        for pair, link in links.items()
        if pair not in planned and set(pair) <= reference_ids
    ]
    MemberSuccession.objects.filter(pk__in=stale).delete()
    counts["successions removed"] = len(stale)
    MemberSuccession.objects.bulk_create(new_links)
    MemberSuccession.objects.bulk_update(changed_links, ["fraction", "note"])
    counts["successions created"] = len(new_links)

    have = set(PopulationFigure.objects.values_list("member_id", "period"))
    new_figures = [
        PopulationFigure(
            member_id=existing[key].pk,
            period=period,
            population=pop,
            table=table,
            source=source,
            imported_by=actor,
        )
        for key, period, pop, table, source in plan.figures
        if (existing[key].pk, period) not in have
    ]
    PopulationFigure.objects.bulk_create(new_figures)
    counts["population figures created"] = len(new_figures)

    have_basis = set(ContributionBasis.objects.values_list("member_id", flat=True))
    new_bases = [
        ContributionBasis(
            member_id=existing[key].pk,
            population=pop,
            period=period,
            source=source,
            recorded_by=actor,
        )
        for key, (pop, period, source) in plan.bases.items()
        if existing[key].pk not in have_basis
    ]
    ContributionBasis.objects.bulk_create(new_bases)
    counts["bases created"] = len(new_bases)
    return dict(counts)


def _valid(member: Member, day: datetime.date) -> bool:
    return member.valid_from <= day and (member.valid_to is None or member.valid_to >= day)
