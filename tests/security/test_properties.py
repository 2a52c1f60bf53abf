"""Property-based tests (hypothesis) of the money code and the import parsers: exact amounts
under random input, and random or malformed files give a clear error and import nothing."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from core.money import round_kroner
from invoicing import kid
from invoicing.services import InvoicingError
from members.population_import import PopulationImportError
from repayments import price_models as pm

populations = st.integers(min_value=0, max_value=1_000_000)
kroner = st.decimals(min_value=1, max_value=10_000_000, places=0, allow_nan=False)
db_settings = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- shares ------------------------------------------------------------------------------


@given(population=populations, rate=st.sampled_from([Decimal("20"), Decimal("5"), Decimal("25")]))
def test_share_is_whole_kroner_rate_times_population(population, rate):
    share = round_kroner(rate * population)
    assert share == Decimal(population * int(rate)).quantize(Decimal("0.01"))
    assert share >= 0 and share == share.to_integral_value()


# --- KID ---------------------------------------------------------------------------------


@given(
    sequence=st.integers(min_value=0, max_value=999_999),
    year=st.integers(min_value=2017, max_value=2099),
    method=st.sampled_from(["mod10", "mod11"]),
)
def test_every_kid_is_valid_for_its_method_and_unique_per_sequence(sequence, year, method):
    value = kid.make_kid(series_digit=1, year=year, sequence=sequence, method=method)
    assert len(value) == kid.KID_LENGTH and value.isdigit()
    assert kid.is_valid(value, method)
    assert value[3:9] == f"{sequence:06d}"
    if method == "mod10":
        assert luhn.is_valid(value)
    else:
        assert kid.mod11_check_digit(value[:-1]) == value[-1]


@given(st.text(max_size=30))
def test_kid_validation_never_crashes_on_junk(text):
    assert kid.is_valid(text, "mod10") in (True, False)
    assert kid.is_valid(text, "mod11") in (True, False)


@given(st.text(min_size=11, max_size=11, alphabet="0123456789"))
def test_a_single_changed_digit_breaks_a_mod10_kid(digits):
    value = kid.make_kid(series_digit=1, year=2026, sequence=int(digits[:6]), method="mod10")
    position = int(digits[6]) % 10
    changed = value[:position] + str((int(value[position]) + 1) % 10) + value[position + 1 :]
    assert not kid.is_valid(changed, "mod10")


# --- price models ------------------------------------------------------------------------


@given(
    rate=st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
    floor=kroner,
    extra=kroner,
    population=populations,
)
def test_per_inhabitant_fee_stays_within_floor_and_ceiling(rate, floor, extra, population):
    params = pm.validate(
        pm.PER_INHABITANT, {"rate": str(rate), "floor": str(floor), "ceiling": str(floor + extra)}
    )
    fee = pm.fee(pm.PER_INHABITANT, params, population)
    assert Decimal(params["floor"]) <= fee <= Decimal(params["ceiling"])
    assert fee == fee.to_integral_value()


@given(
    cost=kroner,
    adoption=st.decimals(min_value=Decimal("0.05"), max_value=1, places=2),
    sizes=st.lists(st.integers(min_value=100, max_value=700_000), min_size=1, max_size=60),
    weighting=st.sampled_from(["equal", "per_inhabitant"]),
)
def test_cost_recovery_recovers_the_cost_at_expected_adoption_never_short(
    cost, adoption, sizes, weighting
):
    params = pm.validate(pm.COST_RECOVERY, {"weighting": weighting})
    basis = pm.recovery_basis(
        params, development_cost=cost, expected_adoption=adoption, populations=sizes
    )
    fees = [pm.fee(pm.COST_RECOVERY, params, p, basis=basis) for p in sizes]
    assert all(f == f.to_integral_value() and f >= 0 for f in fees)
    # If every member pays, the fund gets at least cost / adoption ≥ cost (fees round up).
    assert sum(fees) * adoption >= cost - len(sizes) * adoption
    assert sum(fees) >= (cost / adoption).quantize(Decimal("1"), rounding=ROUND_HALF_UP) - 1


@given(
    total=st.decimals(min_value=0, max_value=10_000_000, places=0),
    weights=st.lists(st.decimals(min_value=1, max_value=1_000_000, places=0), max_size=40),
)
def test_split_exact_parts_add_up_to_the_total(total, weights):
    assume(weights)
    parts = pm.split_exact(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


@given(kind=st.sampled_from(["flat", "per_inhabitant", "size_class", "cost_recovery", "x"]),
       params=st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers(),
                              st.none(), st.lists(st.integers(), max_size=3))))  # fmt: skip
def test_malformed_price_model_parameters_give_a_clear_error(kind, params):
    try:
        pm.validate(kind, params)
    except pm.PriceModelError as exc:
        assert str(exc)


# --- import parsers: random or malformed files import nothing ------------------------------


@pytest.mark.django_db
@db_settings
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_random_population_files_are_rejected_whole(content):
    from members.models import PopulationFigure
    from members.population_import import population_import

    before = PopulationFigure.objects.count()
    with pytest.raises(PopulationImportError) as exc:
        population_import(content=content, actor=None, period="2017K2")
    assert str(exc.value)
    assert PopulationFigure.objects.count() == before


@pytest.mark.django_db
@db_settings
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["0501 Lillehammer", "K-3405 Lillehammer", "9999 Ukjent", "", "x"]),
            st.one_of(
                st.integers(min_value=-5, max_value=10**7).map(str),
                st.just(".."),
                st.text(max_size=4),
            ),  # fmt: skip
        ),
        min_size=1,
        max_size=6,
    ),
    separator=st.sampled_from([";", ",", "\t"]),
)
def test_malformed_statbank_rows_are_rejected_with_the_line_named(rows, separator):
    from members.models import Member, PopulationFigure
    from members.population_import import population_import

    Member.objects.get_or_create(
        kind="kommune", number="0501", valid_from="2017-01-01",
        defaults={"name": "Lillehammer", "valid_to": "2019-12-31"},
    )  # fmt: skip
    lines = [separator.join(['"region"', '"contents"', '"2017K2"'])]
    lines += [separator.join([f'"{r}"', '"Folkemengde"', v]) for r, v in rows]
    content = "\n".join(lines).encode()
    before = PopulationFigure.objects.count()
    try:
        population_import(content=content, actor=None, period="2017K2")
    except PopulationImportError as exc:
        assert str(exc)
        assert PopulationFigure.objects.count() == before
    else:  # accepted: exactly one well-formed row for the member we know; every other row is
        # a missing value ("..", empty) or a code unknown in the period with 0 (as SSB exports)
        missing = ("..", "")
        ours = [v for r, v in rows if r == "0501 Lillehammer" and v.strip() not in missing]
        assert len(ours) == 1 and ours[0].isdigit()
        others = [(r, v) for r, v in rows if r != "0501 Lillehammer"]
        assert all(v.strip() in missing or v.strip() == "0" for _r, v in others)
        figure = PopulationFigure.objects.get(member__number="0501", period="2017K2")
        assert figure.population == int(ours[0])


@pytest.mark.django_db
@db_settings
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_random_bank_files_are_rejected_and_book_nothing(content):
    from fund.models import LedgerEntry
    from invoicing.camt054 import import_camt054
    from invoicing.models import BankImport, Payment

    counts = (BankImport.objects.count(), Payment.objects.count(), LedgerEntry.objects.count())
    try:
        import_camt054(content=content, filename="random.xml", actor=None)
    except InvoicingError as exc:
        assert str(exc)
    after = (BankImport.objects.count(), Payment.objects.count(), LedgerEntry.objects.count())
    assert after == counts
