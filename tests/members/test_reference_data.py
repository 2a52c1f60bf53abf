"""load_reference_data and contribution_table: the done-when of issue 3."""

import datetime
import io

import pytest
from django.core.management import call_command

from members.models import ContributionBasis, Member, MemberSuccession
from members.selectors import current_member, effective_participation, members_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    call_command("load_reference_data", stdout=io.StringIO())


def _table(structure):
    out = io.StringIO()
    call_command("contribution_table", structure=structure, stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeff")  # the one CSV format: BOM, `;` (core.exports)
    return text.removeprefix("\ufeff").splitlines()


def test_structures_have_the_published_number_of_members(reference):
    def count(day, kind):
        return members_at(on=day).filter(kind=kind).count()

    assert count(datetime.date(2017, 1, 1), "kommune") == 426
    assert count(datetime.date(2017, 1, 1), "fylkeskommune") == 19
    assert count(datetime.date(2020, 1, 1), "kommune") == 356
    assert count(datetime.date(2020, 1, 1), "fylkeskommune") == 11
    assert count(datetime.date(2024, 1, 1), "kommune") == 357
    assert count(datetime.date(2024, 1, 1), "fylkeskommune") == 15


def test_contribution_table_2017_has_every_member_and_the_worked_examples(reference):
    lines = _table("2017")
    assert lines[0] == "nummer;navn;type;innbyggere;andel;status;innbetalt;grunnlag"
    assert len(lines) == 1 + 426 + 19
    assert "0501;Lillehammer;kommune;27785;555700;;0.00;2. kvartal 2017" in lines
    assert "0522;Gausdal;kommune;6193;123860;;0.00;2. kvartal 2017" in lines
    assert "0521;Øyer;kommune;5084;101680;;0.00;2. kvartal 2017" in lines
    # leading zeros kept; 1 January 2017 basis for the others
    assert "0101;Halden;kommune;30790;615800;;0.00;1.1.2017" in lines


def test_second_load_changes_nothing(reference):
    counts = (Member.objects.count(), MemberSuccession.objects.count())
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert (Member.objects.count(), MemberSuccession.objects.count()) == counts
    assert "members created: 0" in out.getvalue()


def test_load_does_not_overwrite_an_imported_basis(reference):
    basis = ContributionBasis.objects.get(member__number="0101")
    basis.population, basis.period = 30800, "2017K2"
    basis.save()
    call_command("load_reference_data", stdout=io.StringIO())
    basis.refresh_from_db()
    assert (basis.population, basis.period) == (30800, "2017K2")


def test_lillehammer_2020_is_the_successor_of_0501_with_the_same_orgnr(reference):
    lillehammer = current_member(kind="kommune", number="3405")
    old = Member.objects.get(number="0501")
    assert old.valid_to == datetime.date(2019, 12, 31)
    assert lillehammer.orgnr == old.orgnr == "945578564"
    assert effective_participation(member=lillehammer).share_amount == 555700


def test_splits_are_divided_by_population_part(reference):
    tysfjord = Member.objects.get(number="1850")
    fractions = dict(
        MemberSuccession.objects.filter(predecessor=tysfjord).values_list(
            "successor__number", "fraction"
        )
    )
    assert set(fractions) == {"1806", "1875"}
    assert sum(fractions.values()) == 1
    oppland = Member.objects.get(kind="fylkeskommune", number="05")
    parts = dict(
        MemberSuccession.objects.filter(predecessor=oppland).values_list(
            "successor__number", "fraction"
        )
    )
    assert set(parts) == {"30", "34"} and parts["34"] > parts["30"]
    assert sum(parts.values()) == 1


def test_oslo_2017_is_one_invoice_at_both_rates(reference):
    lines = _table("2017")
    assert "0301;Oslo;kommune;666759;16668975;;0.00;1.1.2017" in lines  # 25 kr × 666 759
    assert "03;Oslo;fylkeskommune;666759;0;;0.00;1.1.2017" in lines
    assert Member.objects.get(kind="fylkeskommune", number="03").orgnr == "958935420"


def test_every_orgnr_loaded_passes_mod11(reference):
    from stdnum.no import orgnr

    numbers = [n for n in Member.objects.values_list("orgnr", flat=True) if n]
    assert len(numbers) > 700
    assert all(orgnr.is_valid(n) for n in numbers)
