"""Issue 17 §3: population files are refused whole when incomplete or cut, with the line named;
a figure that would replace a different stored one is a difference, applied only when confirmed.
Real files: SSB table 07459 for 2017 (../shared/data, members/data/README.md) against the
registry loaded from the reference data (426 kommuner in 2017)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.bounds import POPULATION_MAX
from members.forms import file_fingerprint
from members.models import Member, PopulationFigure
from members.population_import import (
    PopulationDifferences,
    PopulationImportError,
    population_import,
)
from tests.members.factories import Member2017Factory

pytestmark = pytest.mark.django_db

SSB_2015_2018 = (
    Path(settings.BASE_DIR).parent / "shared" / "data" / "ssb07459_Personer2015-2018.csv"
)


@pytest.fixture(scope="module")
def ssb_file():
    if not SSB_2015_2018.exists():
        pytest.skip("the shared reference data is not here")
    return SSB_2015_2018.read_bytes()


@pytest.fixture
def reference(db):
    call_command("load_reference_data", stdout=io.StringIO())


def _baerum_2017():
    return PopulationFigure.objects.get(member__number="0219", period="2017").population


def _snapshot():
    return dict(PopulationFigure.objects.values_list("pk", "population"))


def _line_of(content: bytes, marker: bytes) -> tuple[int, int]:
    """(1-based line number, byte offset of its start) of the first line containing marker."""
    offset = content.index(marker)
    start = content.rindex(b"\n", 0, offset) + 1
    return content.count(b"\n", 0, start) + 1, start


def test_the_whole_real_file_is_complete_and_changes_nothing(reference, ssb_file):
    before = _snapshot()
    result = population_import(content=ssb_file, actor=None, period="2017")
    assert result.figures >= 426
    assert _snapshot() == before  # the reference data holds the same sums
    assert _baerum_2017() > 100_000


def test_a_file_cut_mid_line_is_refused_naming_the_line(reference, ssb_file):
    before = _snapshot()
    line, start = _line_of(ssb_file, b'"0219 B')
    for _ in range(40):  # 40 lines into Bærum's age groups
        start = ssb_file.index(b"\n", start) + 1
        line += 1
    cut = ssb_file[: ssb_file.index(b"\n", start) - 2]  # the last figure loses two digits
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=cut, actor=None, period="2017")
    assert any(e.startswith(f"Linje {line}:") and "avkuttet" in e for e in exc.value.errors)
    assert _snapshot() == before


def test_a_file_cut_at_a_line_boundary_is_refused_as_incomplete(reference, ssb_file):
    before = _snapshot()
    _line, start = _line_of(ssb_file, b'"0220 Asker"\t"50 years"')
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=ssb_file[:start], actor=None, period="2017")
    errors = exc.value.errors
    assert any("Filen mangler" in e and "kommuner" in e for e in errors)
    assert any(e.startswith("0220 Asker mangler") and "aldersgrupper" in e for e in errors)
    assert _snapshot() == before


QUARTER = "region;2017K2\n0501 Lillehammer;27785\n0521 Øyer;5084\n"


@pytest.fixture
def two_kommuner(db):
    fylke = Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, number="05", name="Oppland")
    Member2017Factory(number="0501", name="Lillehammer", county=fylke)
    Member2017Factory(number="0521", name="Øyer", county=fylke)


def _figures():
    return dict(
        PopulationFigure.objects.filter(period="2017K2").values_list("member__number", "population")
    )


def test_a_kommune_missing_from_the_file_is_named(two_kommuner):
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=b"region;2017K2\n0501 Lillehammer;27785\n", actor=None)
    assert exc.value.errors == ["Filen mangler 1 kommuner som fantes i 2017K2: 0521 Øyer."]


def test_a_missing_age_group_is_named(two_kommuner):
    content = (
        "region;age;2017\n"
        "0501 Lillehammer;0 years;300\n0501 Lillehammer;1 year;310\n"
        "0521 Øyer;0 years;50\n"
    ).encode()
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=content, actor=None)
    assert exc.value.errors == ["0521 Øyer mangler 1 aldersgrupper: 1 year."]


def test_a_figure_above_the_population_bound_names_the_line(two_kommuner):
    content = f"region;2017K2\n0501 Lillehammer;{10**20}\n0521 Øyer;5084\n".encode()
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=content, actor=None)
    assert exc.value.errors[0].startswith("Linje 2:") and str(POPULATION_MAX) in exc.value.errors[0]
    assert not PopulationFigure.objects.exists()


def test_a_different_figure_is_a_difference_and_changes_nothing_unless_confirmed(two_kommuner):
    population_import(content=QUARTER.encode(), actor=None)
    changed = QUARTER.replace("27785", "45469").encode()
    with pytest.raises(PopulationDifferences) as exc:
        population_import(content=changed, actor=None)
    names = {(d.member, d.stored, d.new) for d in exc.value.differences}
    assert ("0501 Lillehammer", 27785, 45469) in names
    assert _figures()["0501"] == 27785
    population_import(content=changed, actor=None, replace=True)
    assert _figures()["0501"] == 45469


def test_the_command_lists_differences_and_needs_replace(two_kommuner, tmp_path):
    population_import(content=QUARTER.encode(), actor=None)
    path = tmp_path / "new.csv"
    path.write_text(QUARTER.replace("27785", "45469"))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_population", str(path), stdout=out)
    assert "--replace" in str(exc.value)
    assert "0501 Lillehammer 2017K2: lagret 27785, filen har 45469." in out.getvalue()
    assert _figures()["0501"] == 27785
    call_command("import_population", str(path), "--replace", stdout=io.StringIO())
    assert _figures()["0501"] == 45469


def _upload(text):
    upload = io.BytesIO(text.encode())
    upload.name = "befolkning.csv"
    return upload


def test_the_admin_shows_differences_and_applies_them_only_when_confirmed(
    admin_client, two_kommuner
):
    population_import(content=QUARTER.encode(), actor=None)
    changed = QUARTER.replace("27785", "45469")
    url = reverse("admin:members_population_import")
    response = admin_client.post(url, {"file": _upload(changed), "replace": "on"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="import-differences"' in page and "45469" in page
    assert file_fingerprint(changed.encode()) in page
    assert _figures()["0501"] == 27785
    # Ticking the box for another file (another fingerprint) does not confirm this one.
    response = admin_client.post(
        url, {"file": _upload(changed), "replace": "on", "confirm": "0" * 64}
    )
    assert response.status_code == 409 and _figures()["0501"] == 27785
    response = admin_client.post(
        url,
        {"file": _upload(changed), "replace": "on", "confirm": file_fingerprint(changed.encode())},
    )
    assert response.status_code == 302
    assert _figures()["0501"] == 45469


def test_the_admin_refuses_a_population_of_1e20_as_a_form_error(admin_client):
    member = Member2017Factory(number="0501")
    response = admin_client.post(
        reverse("admin:members_populationfigure_add"),
        {"member": member.pk, "period": "2017", "population": str(10**20), "source": "x"},
    )
    assert response.status_code == 200
    assert "Innbyggertallet kan være høyst" in response.content.decode()
    assert not PopulationFigure.objects.exists()
