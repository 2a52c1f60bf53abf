"""The whole 2017 contribution table against the reference data in ../shared/data (issue 16 §1).

The rule (docs/members.md, «The 2017 contribution table»): a kommune's basis is its population
in the 2nd quarter of 2017 where KS has that figure (the seeds' Lillehammer, Gausdal, Øyer),
otherwise 1 January 2017, with that date stated; a fylkeskommune's basis is its county's
1 January 2017 population (SSB's county figure = the sum of its kommuner); share = rate × basis
(20 kr, 5 kr), rounded half up to whole kroner; Oslo is billed once at both rates on 0301."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from members.models import ContributionBasis, Member, MemberSuccession
from members.selectors import effective_participation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED if SHARED.is_dir() else ROOT / "members" / "data"  # byte-identical copies
Q2_2017 = {"0501": 27785, "0522": 6193, "0521": 5084}  # seeds (SSB 01222, 2017K2)
RATE = {"kommune": 20, "fylkeskommune": 5}
OSLO = "0301"
# docs/members.md states these totals of the `andel` column; the test holds the docs to the data.
TOTAL_KOMMUNER = 108_500_035  # incl. Oslo's fylke part (5 × 666 759) billed on 0301
TOTAL_FYLKESKOMMUNER = 22_957_790  # 18 fylkeskommuner; 03 Oslo's row is 0


def _population(name, code_column):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return {
            r[code_column]: int(r["population_1jan"])
            for r in csv.DictReader(fh)
            if r["year"] == "2017"
        }


def _table():
    call_command("load_reference_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("contribution_table", structure="2017", stdout=out)
    text = out.getvalue().removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_every_basis_and_share_of_2017_follows_the_rule_and_the_totals_match_the_docs():
    rows = _table()
    kommuner = _population("kommune_population_1jan_2017-2022.csv", "kommunenummer")
    fylker = _population("fylke_population_1jan_2017-2022.csv", "fylkesnummer")
    by_key = {(r["type"], r["nummer"]): r for r in rows}
    assert len(rows) == len(kommuner) + len(fylker) == 426 + 19

    periods = {
        (b.member.kind, b.member.number): b.period
        for b in ContributionBasis.objects.select_related("member").filter(
            member__valid_from="2017-01-01"
        )
    }
    for number, jan in kommuner.items():
        row = by_key[("kommune", number)]
        basis = Q2_2017.get(number, jan)
        assert int(row["innbyggere"]) == basis, number
        assert periods[("kommune", number)] == ("2017K2" if number in Q2_2017 else "2017")
        assert row["grunnlag"] == ("2. kvartal 2017" if number in Q2_2017 else "1.1.2017")
        share = RATE["kommune"] * basis + (
            RATE["fylkeskommune"] * fylker["03"] if number == OSLO else 0
        )
        assert int(row["andel"]) == share, number
    for number, population in fylker.items():
        row = by_key[("fylkeskommune", number)]
        assert int(row["innbyggere"]) == population, number
        assert periods[("fylkeskommune", number)] == "2017"
        assert row["grunnlag"] == "1.1.2017"
        assert int(row["andel"]) == (0 if number == "03" else RATE["fylkeskommune"] * population)

    more = by_key[("fylkeskommune", "15")]
    assert (more["navn"], int(more["andel"])) == ("Møre og Romsdal", 1_331_370)
    assert sum(int(r["andel"]) for r in rows if r["type"] == "kommune") == TOTAL_KOMMUNER
    assert (
        sum(int(r["andel"]) for r in rows if r["type"] == "fylkeskommune") == TOTAL_FYLKESKOMMUNER
    )


def test_the_2017_fylke_keeps_its_share_and_the_2020_fylke_inherits_the_part_it_received():
    """Root cause of «Møre og Romsdal: basis 1 158, share 5 789 kr»: Hornindal's part of Sogn og
    Fjordane was hung on the 2017 Møre og Romsdal, whose share then became 1,05 % of Sogn og
    Fjordane's. A fylke that receives territory is a new member from that day."""
    _table()
    old = Member.objects.get(kind="fylkeskommune", number="15", valid_from="2017-01-01")
    new = Member.objects.get(kind="fylkeskommune", number="15", valid_from="2020-01-01")
    sogn = Member.objects.get(kind="fylkeskommune", number="14")
    assert str(old.valid_to) == "2019-12-31"
    assert not MemberSuccession.objects.filter(successor=old).exists()
    links = dict(
        MemberSuccession.objects.filter(successor=new).values_list("predecessor", "fraction")
    )
    assert links[old.pk] == 1 and 0 < links[sogn.pk] < 1
    eff = effective_participation(member=old)
    assert (eff.basis_population, eff.basis_period, eff.share_amount) == (266274, "2017", 1331370)
