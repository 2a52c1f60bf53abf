"""SSB statbank imports: the format variations real exports have, and whole-file rejection."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from members.models import ContributionBasis, Member, Participation, PopulationFigure
from members.population_import import PopulationImportError, population_import
from tests.members.factories import Member2017Factory, MemberFactory, basis

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(db):
    oppland = Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, number="05", name="Oppland")
    lillehammer = Member2017Factory(number="0501", name="Lillehammer", county=oppland)
    oyer = Member2017Factory(number="0521", name="Øyer", county=oppland)
    new = MemberFactory(number="3405", name="Lillehammer", valid_from=datetime.date(2020, 1, 1))
    return {"05": oppland, "0501": lillehammer, "0521": oyer, "3405": new}


def _figures(period):
    return dict(
        PopulationFigure.objects.filter(period=period).values_list("member__number", "population")
    )


QUARTERLY_SEMICOLON = (
    '"01222: Befolkning og kvartalsvise endringer"\n'
    "\n"
    '"region";"statistikkvariabel";"2017K2"\n'
    '"0501 Lillehammer";"Folketalet ved utgangen av kvartalet";27785\n'
    '"0521 Øyer";"Folketalet ved utgangen av kvartalet";5084\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "iso-8859-1"])
def test_quarterly_file_with_title_line_in_any_encoding(members, encoding):
    result = population_import(
        content=QUARTERLY_SEMICOLON.encode(encoding), actor=None, period="2017K2"
    )
    assert result.table == "01222"
    assert _figures("2017K2") == {"0501": 27785, "0521": 5084, "05": 27785 + 5084}
    assert result.derived_fylker == 1


def test_by_age_tab_file_is_summed_per_region(members):
    content = (
        '"region"\t"age"\t"Persons 2016"\t"Persons 2017"\n'
        '"0501 Lillehammer"\t"0 years"\t290\t300\n'
        '"0501 Lillehammer"\t"1 year"\t280\t310\n'
        '"0521 Øyer"\t"0 years"\t50\t..\n'
        '"0521 Øyer"\t"1 year"\t51\t60\n'
        '"0712 Larvik"\t"0 years"\t0\t0\n'
    ).encode("iso-8859-1")
    result = population_import(content=content, actor=None, period="2017")
    assert result.table == "07459"
    assert _figures("2017")["0501"] == 610
    assert _figures("2017")["0521"] == 60  # `..` is a missing value, skipped


def test_comma_file_with_k_prefix_regions(members):
    content = (
        b"region,age,Persons 2020\nK-3405 Lillehammer,0 years,270\nK-3405 Lillehammer,1 year,280\n"
    )
    content += b"K-21-22 Svalbard and Jan Mayen,0 years,..\n"
    population_import(content=content, actor=None)
    assert _figures("2020") == {"3405": 550}


def _rejects(content, period=None):
    before = PopulationFigure.objects.count()
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=content.encode(), actor=None, period=period)
    assert PopulationFigure.objects.count() == before
    return exc.value.errors


def test_bad_file_is_rejected_whole_naming_every_bad_line(members):
    content = (
        "region;2017K2\n"
        "0501 Lillehammer;27785\n"  # line 2: fine, but not imported
        "9999 Atlantis;100\n"  # line 3: unknown region
        "0521 Øyer;-5\n"  # line 4: negative
        "0501 Lillehammer;27786\n"  # line 5: duplicate
        "K-0521 Øyer;mange\n"  # line 6: non-numeric (and the 2nd Øyer row)
    )
    errors = _rejects(content, "2017K2")
    assert len(errors) == 4
    assert errors[0].startswith("Linje 3:") and "ukjent region" in errors[0]
    assert errors[1].startswith("Linje 4:") and "negativt" in errors[1]
    assert errors[2].startswith("Linje 5:") and "duplikat av linje 2" in errors[2]
    assert errors[3].startswith("Linje 6:")


def test_wrong_period_is_rejected(members):
    errors = _rejects("region;2017K3\n0501 Lillehammer;27785\n", "2017K2")
    assert "2017K2 finnes ikke" in errors[0]


def test_region_that_did_not_exist_in_the_period_is_unknown(members):
    errors = _rejects("region;2017K2\nK-3405 Lillehammer;27785\n", "2017K2")
    assert "ukjent region" in errors[0]


def test_basis_is_replaced_except_frozen_shares(members):
    basis(members["0501"], 27781, period="2017")
    basis(members["0521"], 5082, period="2017")
    Participation.objects.create(
        member=members["0521"], status=Participation.Status.INVOICED, share_amount=101640
    )
    result = population_import(
        content=QUARTERLY_SEMICOLON.encode(), actor=None, period="2017K2", replace_basis=True
    )
    assert result.bases_replaced == 1
    assert result.bases_frozen == [str(members["0521"])]
    assert ContributionBasis.objects.get(member=members["0501"]).population == 27785
    assert ContributionBasis.objects.get(member=members["0521"]).population == 5082


def test_reimport_updates_instead_of_duplicating(members):
    # Issue 17: a changed figure is replaced only when confirmed (replace=True).
    population_import(content=QUARTERLY_SEMICOLON.encode(), actor=None)
    population_import(
        content=QUARTERLY_SEMICOLON.replace("27785", "27790").encode(), actor=None, replace=True
    )
    assert _figures("2017K2")["0501"] == 27790
    assert PopulationFigure.objects.filter(period="2017K2").count() == 3


def test_command_names_bad_lines_and_imports_nothing(members, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("region;2017K2\n0501 Lillehammer;x\n0521 Øyer;..\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_population", str(path), stdout=io.StringIO())
    assert "Linje 2" in str(exc.value)
    assert not PopulationFigure.objects.exists()


def test_command_imports_and_sets_basis(members, tmp_path):
    basis(members["0501"], 27781, period="2017")
    path = tmp_path / "ok.csv"
    path.write_bytes(QUARTERLY_SEMICOLON.encode("iso-8859-1"))
    out = io.StringIO()
    call_command("import_population", str(path), "--basis", stdout=out)
    assert "2017K2" in out.getvalue()
    assert ContributionBasis.objects.get(member=members["0501"]).period == "2017K2"


def test_command_with_period_2017K2_makes_the_real_q2_figures_the_basis(members, tmp_path):
    # Issue 16: the seeds' basis is 2nd quarter 2017; when KS has those figures, importing them
    # for that period replaces the 1 January stand-in (dated "1.1.2017") without a flag.
    basis(members["0501"], 27781, period="2017")
    basis(members["05"], 189479, period="2017")
    path = tmp_path / "q2.csv"
    path.write_text(QUARTERLY_SEMICOLON, encoding="utf-8")
    call_command("import_population", str(path), "--period", "2017K2", stdout=io.StringIO())
    assert ContributionBasis.objects.get(member=members["0501"]).population == 27785
    assert ContributionBasis.objects.get(member=members["0501"]).period == "2017K2"
    fylke = ContributionBasis.objects.get(member=members["05"])
    assert (fylke.population, fylke.period) == (27785 + 5084, "2017K2")
