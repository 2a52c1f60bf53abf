"""Import of population figures from CSV files as SSB's statbank exports them.

Tables 07459 (1 January, by age: summed per region) and 01222 (quarterly). Accepted variations:
`;`, tab or `,` separators; title lines and blank lines before the header; ISO-8859-1 or UTF-8
with or without BOM; regions as `0521 Øyer`, `K-3405 Lillehammer` or `0501 Lillehammer (-2017)`;
`..` (or `.`, `:`, `-`) for a missing value, which is skipped. A bad file (unknown region,
negative or non-numeric figure, duplicate row, wrong period) is rejected whole, naming every bad
line; nothing is imported.

Completeness (issue 17): a file must hold every region of the level it declares (every kommune,
or every fylke, of the structure valid on the period's date, as the registry holds it), every
age group it declares for every region, and must end with a line break (a file cut mid-line names
its last line). A figure that would replace a different stored one is a difference: nothing is
imported unless the caller confirms (`replace=True`; the admin's confirmation, the command's
`--replace`)."""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.bounds import POPULATION_MAX

from .models import ContributionBasis, Member, Participation, PopulationFigure

BASIS_PERIOD = "2017K2"  # the contribution basis the seeds name (population, 2nd quarter 2017)
MISSING = {"..", ".", ":", "-", "…", ""}
PERIOD_RE = re.compile(r"(\d{4})(?:\s*K\s*([1-4])|M(\d{2}))?", re.IGNORECASE)
REGION_RE = re.compile(r"^\s*(?:(K|F)-)?(\d{4}|\d{2})(?:\s+(.*))?$", re.IGNORECASE)
TOTAL_RE = re.compile(r"^\s*(0\s+)?(hele landet|the whole country)", re.IGNORECASE)
NOT_A_REGION_RE = re.compile(r"^\s*K-(\d{2}-\d{2}|23|Rest)\b", re.IGNORECASE)


class PopulationImportError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Difference:
    member: str
    period: str
    stored: int
    new: int


class PopulationDifferences(PopulationImportError):
    """The file would change stored figures; nothing was imported. `differences` lists them."""

    def __init__(self, differences: list[Difference]):
        self.differences = differences
        super().__init__(
            [
                _("%(member)s %(period)s: lagret %(stored)s, filen har %(new)s.")
                % {
                    "member": d.member,
                    "period": d.period,
                    "stored": d.stored,
                    "new": d.new,
                }
                for d in differences
            ]
        )


MAX_LISTED = 10  # regions or age groups named in one error; the rest are counted


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    if len(names) > MAX_LISTED:
        shown += " " + _("og %(n)s til") % {"n": len(names) - MAX_LISTED}
    return shown


@dataclass
class ParsedFile:
    period: str
    table: str
    figures: dict[int, int] = field(default_factory=dict)  # member id -> population
    members: dict[int, Member] = field(default_factory=dict)
    skipped_missing: int = 0


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("iso-8859-1")


def _is_header(line: str) -> bool:
    for delimiter in (";", "\t", ","):
        cells = [c.strip().strip('"').strip().lower() for c in line.split(delimiter)]
        if len(cells) > 1 and "region" in cells:
            return True
    return False


def normalise_period(text: str) -> str | None:
    m = PERIOD_RE.search(text or "")
    if not m:
        return None
    return f"{m.group(1)}K{m.group(2)}" if m.group(2) else m.group(1)


def period_date(period: str) -> datetime.date:
    """The day a period's figure describes: 1 January, or the last day of the quarter."""
    year = int(period[:4])
    if "K" in period:
        quarter = int(period[-1])
        month = quarter * 3
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return end - datetime.timedelta(days=1)
    return datetime.date(year, 1, 1)


def parse(content: bytes, *, period: str | None = None) -> ParsedFile:
    text = _decode(content)
    lines = text.splitlines()
    errors: list[str] = []
    cut_line = None
    if text and not text.endswith(("\n", "\r")):
        cut_line = len(lines)
    header_index = next((i for i, line in enumerate(lines) if _is_header(line)), None)
    if header_index is None:
        raise PopulationImportError([_("Fant ingen overskriftslinje med «region».")])
    header_line = lines[header_index]
    delimiter = max([";", "\t", ","], key=header_line.count)
    reader = csv.reader(io.StringIO("\n".join(lines[header_index:])), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    lowered = [h.lower() for h in header]
    region_col = lowered.index("region")
    age_col = next((i for i, h in enumerate(lowered) if h in ("age", "alder")), None)
    period_cols = {}
    for i, h in enumerate(header):
        if i in (region_col, age_col):
            continue
        p = normalise_period(h)
        if p:
            period_cols[p] = i
    if not period_cols:
        raise PopulationImportError(
            [_("Linje %(line)s: fant ingen periodekolonne.") % {"line": header_index + 1}]
        )
    wanted = normalise_period(period) if period else None
    if period and not wanted:
        raise PopulationImportError(
            [
                _("Ugyldig periode «%(period)s» (bruk f.eks. 2017 eller 2017K2).")
                % {"period": period}
            ]
        )
    if wanted is None:
        if len(period_cols) > 1:
            raise PopulationImportError(
                [
                    _("Filen har flere perioder (%(periods)s): velg én.")
                    % {"periods": ", ".join(period_cols)}
                ]
            )
        wanted = next(iter(period_cols))
    if wanted not in period_cols:
        raise PopulationImportError(
            [
                _("Feil periode: %(period)s finnes ikke i filen (fant %(periods)s).")
                % {"period": wanted, "periods": ", ".join(period_cols)}
            ]
        )
    value_col = period_cols[wanted]
    table = "01222" if "K" in wanted else "07459"
    on = period_date(wanted)
    candidates = Member.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    by_key = {(m.kind, m.number): m for m in candidates.exclude(kind=Member.Kind.KS)}
    parsed = ParsedFile(period=wanted, table=table)
    seen: dict[tuple, int] = {}
    if cut_line is not None and cut_line > header_index + 1:
        errors.append(
            _(
                "Linje %(line)s: filen slutter midt i linjen, uten linjeskift: den er trolig "
                "avkuttet. Last ned filen på nytt."
            )
            % {"line": cut_line}
        )
    present: dict[int, Member] = {}  # members with at least one line (a missing value counts)
    ages: dict[int, set[str]] = {}  # member id -> the age groups it has a line for
    all_ages: set[str] = set()
    for offset, row in enumerate(reader, start=1):
        line_no = header_index + 1 + offset
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) <= max(region_col, value_col, age_col or 0):
            errors.append(_("Linje %(line)s: for få kolonner.") % {"line": line_no})
            continue
        region = row[region_col].strip()
        raw = row[value_col].strip().replace("\xa0", "").replace(" ", "")
        if TOTAL_RE.match(region):
            continue
        m = None if NOT_A_REGION_RE.match(region) else REGION_RE.match(region)
        member = None
        if m:
            prefix, code = (m.group(1) or "").upper(), m.group(2)
            kind = Member.Kind.FYLKESKOMMUNE if (prefix == "F" or len(code) == 2) else "kommune"
            member = by_key.get((kind, code))
        age = row[age_col].strip() if age_col is not None else ""
        if member is not None:
            present[member.pk] = member
            ages.setdefault(member.pk, set()).add(age)
            all_ages.add(age)
        if raw in MISSING:
            parsed.skipped_missing += 1
            continue
        if NOT_A_REGION_RE.match(region):
            continue  # SSB's own pseudo-regions (Svalbard, continental shelf, unknown)
        if member is None and raw == "0":
            # SSB exports codes that did not exist in the period with 0 (e.g. «0712 Larvik»
            # in 2017, «1567 Rindal (-2018)» in 2019): nothing to import, not an error.
            parsed.skipped_missing += 1
            continue
        if member is None:
            errors.append(
                _("Linje %(line)s: ukjent region «%(region)s» for %(period)s.")
                % {"line": line_no, "region": region, "period": wanted}
            )
            continue
        key = (member.pk, age)
        if key in seen:
            what = f"{region}, {age}" if age else region
            errors.append(
                _("Linje %(line)s: duplikat av linje %(first)s (%(row)s).")
                % {"line": line_no, "first": seen[key], "row": what}
            )
            continue
        seen[key] = line_no
        if not re.fullmatch(r"-?\d+", raw):
            errors.append(
                _("Linje %(line)s: «%(value)s» er ikke et heltall.")
                % {"line": line_no, "value": row[value_col].strip()}
            )
            continue
        value = int(raw)
        if value < 0:
            errors.append(
                _("Linje %(line)s: negativt tall (%(value)s).") % {"line": line_no, "value": value}
            )
            continue
        total = parsed.figures.get(member.pk, 0) + value
        if total > POPULATION_MAX:
            errors.append(
                _("Linje %(line)s: %(region)s får over %(max)s innbyggere.")
                % {"line": line_no, "region": member, "max": POPULATION_MAX}
            )
            continue
        parsed.figures[member.pk] = total
        parsed.members[member.pk] = member
    errors += _completeness(by_key, present, ages, all_ages, wanted)
    if errors:
        raise PopulationImportError(errors)
    if not parsed.figures:
        raise PopulationImportError([_("Filen har ingen tall for perioden.")])
    return parsed


def _age_key(age: str):
    digits = re.match(r"\d+", age)
    return (int(digits.group()) if digits else 10**6, age)


def _completeness(by_key, present, ages, all_ages, period) -> list[str]:
    """Every region of each level the file declares, and every declared age group per region."""
    errors = []
    levels = {m.kind for m in present.values()}
    labels = {
        Member.Kind.KOMMUNE: _("Filen mangler %(n)s kommuner som fantes i %(period)s: %(names)s."),
        Member.Kind.FYLKESKOMMUNE: _(
            "Filen mangler %(n)s fylkeskommuner som fantes i %(period)s: %(names)s."
        ),
    }
    for kind in sorted(levels):
        expected = sorted(
            (m for (k, _code), m in by_key.items() if k == kind and m.pk not in present),
            key=lambda m: m.number,
        )
        if expected:
            errors.append(
                labels[kind]
                % {
                    "n": len(expected),
                    "period": period,
                    "names": _listing([str(m) for m in expected]),
                }
            )
    if len(all_ages) > 1:
        for member_id, member in sorted(present.items(), key=lambda item: item[1].number):
            lacking = sorted(all_ages - ages[member_id], key=_age_key)
            if lacking:
                errors.append(
                    _("%(region)s mangler %(n)s aldersgrupper: %(ages)s.")
                    % {"region": member, "n": len(lacking), "ages": _listing(lacking)}
                )
    return errors


@dataclass
class ImportResult:
    period: str
    table: str
    figures: int
    derived_fylker: int
    bases_replaced: int
    bases_frozen: list[str]


@transaction.atomic
def population_import(
    *,
    content: bytes,
    actor,
    period: str | None = None,
    source: str = "",
    replace_basis=False,
    replace=False,
) -> ImportResult:
    """Import a statbank file (all or nothing). With `replace_basis`, the figures become the
    contribution basis of the members in the file, except where the share is already invoiced
    (frozen): those are left as they are and named in the result.

    A figure different from the one stored for the same member and period is replaced only with
    `replace`; without it PopulationDifferences lists every difference and nothing changes."""
    parsed = parse(content, period=period)
    # The seeds fix the basis as the 2nd quarter of 2017: real Q2 figures, when KS has them,
    # become the basis (except frozen, invoiced shares) without asking for it separately.
    replace_basis = replace_basis or parsed.period == BASIS_PERIOD
    source = source or f"SSB tabell {parsed.table}, import"
    figures = dict(parsed.figures)
    members = dict(parsed.members)
    # Fylker not in the file: the sum of their kommuner, if every kommune has a figure.
    derived = 0
    on = period_date(parsed.period)
    if not any(m.kind == Member.Kind.FYLKESKOMMUNE for m in members.values()):
        kommuner = list(
            Member.objects.filter(kind=Member.Kind.KOMMUNE, valid_from__lte=on).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=on)
            )
        )
        fylker = Member.objects.filter(kind=Member.Kind.FYLKESKOMMUNE, valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
        for fylke in fylker:
            own = [k for k in kommuner if k.number[:2] == fylke.number]
            if own and all(k.pk in figures for k in own):
                figures[fylke.pk] = sum(figures[k.pk] for k in own)
                members[fylke.pk] = fylke
                derived += 1
    existing = {
        f.member_id: f
        for f in PopulationFigure.objects.filter(member_id__in=figures, period=parsed.period)
    }
    differences = [
        Difference(str(members[member_id]), parsed.period, existing[member_id].population, value)
        for member_id, value in figures.items()
        if member_id in existing and existing[member_id].population != value
    ]
    if differences and not replace:
        raise PopulationDifferences(sorted(differences, key=lambda d: d.member))
    new, changed = [], []
    for member_id, population in figures.items():
        fig_source = source if member_id in parsed.figures else f"{source} (sum av kommunene)"
        figure = existing.get(member_id)
        if figure is None:
            new.append(
                PopulationFigure(
                    member_id=member_id,
                    period=parsed.period,
                    population=population,
                    table=parsed.table,
                    source=fig_source[:200],
                    imported_by=actor,
                )
            )
        else:
            figure.population, figure.table = population, parsed.table
            figure.source, figure.imported_by = fig_source[:200], actor
            changed.append(figure)
    PopulationFigure.objects.bulk_create(new)
    PopulationFigure.objects.bulk_update(changed, ["population", "table", "source", "imported_by"])
    replaced, frozen = 0, []
    if replace_basis:
        frozen_ids = set(
            Participation.objects.filter(
                member_id__in=figures, share_amount__isnull=False
            ).values_list("member_id", flat=True)
        )
        bases = {b.member_id: b for b in ContributionBasis.objects.filter(member_id__in=figures)}
        to_update = []
        for member_id, population in figures.items():
            if member_id in frozen_ids:
                frozen.append(str(members[member_id]))
                continue
            basis = bases.get(member_id)
            if basis is None:
                continue  # only members with a basis (the 2017 structure) have a share of their own
            basis.population, basis.period = population, parsed.period
            basis.source, basis.recorded_by = source[:200], actor
            to_update.append(basis)
        ContributionBasis.objects.bulk_update(
            to_update, ["population", "period", "source", "recorded_by"]
        )
        replaced = len(to_update)
    return ImportResult(
        period=parsed.period,
        table=parsed.table,
        figures=len(figures),
        derived_fylker=derived,
        bases_replaced=replaced,
        bases_frozen=frozen,
    )
