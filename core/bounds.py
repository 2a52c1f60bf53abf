"""Bounds on what DigiFin accepts and stores, one place per kind.

The numbers and why: docs/decisions/foundation-006-bounds.md.

Every write is bounded twice: the form fields (factories below, so a bad value is a normal
validation error, never a 500) and, for stored money and years, a database CheckConstraint built
from the same numbers (`money_q`, `year_q`, `population_q`). The numbers are chosen so that any
arithmetic on a bounded value (NPV over the whole year span, rate × population, sums over every
member) stays far inside Decimal's 28 significant digits."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- money: Decimal kroner, two places ------------------------------------------------------------
MONEY_DECIMAL_PLACES = 2
MONEY_MAX_DIGITS = 14  # the model fields' max_digits: room for MONEY_MAX and sums of it
MONEY_MAX = Decimal("10000000000.00")  # 10 000 000 000 kr: far above the fund's whole capital
MONEY_MIN = Decimal("0.00")  # stored amounts are not negative (the ledger's sign is its direction)

# --- rates ---------------------------------------------------------------------------------------
RATE_DECIMAL_PLACES = 4  # kroner per inhabitant, to 1/100 øre
RATE_MAX = Decimal("1000.0000")  # kr per inhabitant (the member share is 20 kr, 5 kr for fylker)
PERCENT_DECIMAL_PLACES = 2
PERCENT_MIN = Decimal("0.00")
PERCENT_MAX = Decimal("100.00")
WEIGHT_DECIMAL_PLACES = 4
WEIGHT_MAX = Decimal("1000000")  # a size-class weight in the cost-recovery / FDVU keys

# --- population ----------------------------------------------------------------------------------
POPULATION_MIN = 0
POPULATION_MAX = 10_000_000  # Norway has ~5.6 million inhabitants; Oslo ~0.7 million

# --- years and dates ------------------------------------------------------------------------------
FUND_START = datetime.date(2017, 1, 1)  # DigiFin began 1 January 2017
YEAR_MIN = FUND_START.year
YEAR_MAX = 2100
DATE_HORIZON_YEARS = 10  # deadlines, availability dates: at most today + 10 years

# --- text ----------------------------------------------------------------------------------------
TEXT_SHORT = 200  # names, titles, references (the CharFields' max_length)
TEXT_LONG = 20_000  # a free-text section of a proposal, a comment

# --- object ids ----------------------------------------------------------------------------------
ID_MAX = 2**63 - 1  # BigAutoField: PostgreSQL bigint, SQLite's 64-bit INTEGER


def object_id(value) -> int | None:
    """An id a form posts back (e.g. a checkbox's value), or None when it cannot be one: a
    larger number would overflow the database's integer instead of finding nothing."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None


class FiniteDecimalField(forms.DecimalField):
    """Django's DecimalField that refuses NaN, sNaN and Infinity already when parsing: a
    signalling NaN ("sNaN") passes Django's to_python, and a formset's has_changed then compares
    it and raises decimal.InvalidOperation (a 500). Refused here, it is an ordinary "Oppgi et
    tall." error."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def money_validators(*, minimum: Decimal = MONEY_MIN, maximum: Decimal = MONEY_MAX) -> list:
    low = (
        _("Beløpet kan ikke være negativt.")
        if minimum == 0
        else _("Beløpet kan ikke være under %(limit_value)s kr.")
    )
    return [
        MinValueValidator(minimum, message=low),
        MaxValueValidator(maximum, message=_("Beløpet kan være høyst %(limit_value)s kr.")),
    ]


def MoneyField(  # noqa: N802 - a field factory, named like the field it makes
    label=None,
    *,
    required: bool = True,
    minimum: Decimal = MONEY_MIN,
    maximum: Decimal = MONEY_MAX,
    **kwargs,
) -> forms.DecimalField:
    """Kroner with at most two decimals between `minimum` and `maximum` (10 000 000 000 kr)."""
    return FiniteDecimalField(
        label=label,
        required=required,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=money_validators(minimum=minimum, maximum=maximum),
        **kwargs,
    )


def RateField(label=None, *, required: bool = True, **kwargs) -> forms.DecimalField:  # noqa: N802
    """Kroner per inhabitant: 0 to RATE_MAX, at most four decimals."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=RATE_DECIMAL_PLACES + 5,
        decimal_places=RATE_DECIMAL_PLACES,
        validators=[
            MinValueValidator(Decimal(0), message=_("Satsen kan ikke være negativ.")),
            MaxValueValidator(
                RATE_MAX, message=_("Satsen kan være høyst %(limit_value)s kr per innbygger.")
            ),
        ],
        **kwargs,
    )


def PercentField(label=None, *, required: bool = True, **kwargs) -> forms.DecimalField:  # noqa: N802
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=PERCENT_DECIMAL_PLACES + 3,
        decimal_places=PERCENT_DECIMAL_PLACES,
        validators=[
            MinValueValidator(PERCENT_MIN, message=_("Prosenten kan ikke være negativ.")),
            MaxValueValidator(PERCENT_MAX, message=_("Prosenten kan være høyst 100.")),
        ],
        **kwargs,
    )


def year_validators() -> list:
    return [
        MinValueValidator(YEAR_MIN, message=_("Året kan ikke være før %(limit_value)s.")),
        MaxValueValidator(YEAR_MAX, message=_("Året kan ikke være etter %(limit_value)s.")),
    ]


def YearField(label=None, *, required: bool = True, **kwargs) -> forms.IntegerField:  # noqa: N802
    return forms.IntegerField(
        label=label, required=required, validators=year_validators(), **kwargs
    )


def population_validators() -> list:
    return [
        MinValueValidator(POPULATION_MIN, message=_("Innbyggertallet kan ikke være negativt.")),
        MaxValueValidator(
            POPULATION_MAX, message=_("Innbyggertallet kan være høyst %(limit_value)s.")
        ),
    ]


def PopulationField(label=None, *, required: bool = True, **kwargs) -> forms.IntegerField:  # noqa: N802
    return forms.IntegerField(
        label=label, required=required, validators=population_validators(), **kwargs
    )


def horizon() -> datetime.date:
    """The last date a deadline or availability may be set to: today + DATE_HORIZON_YEARS."""
    today = datetime.date.today()
    try:
        return today.replace(year=today.year + DATE_HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DATE_HORIZON_YEARS, day=28)


def validate_not_before_fund(value: datetime.date) -> None:
    if value is not None and value < FUND_START:
        raise ValidationError(
            _("Datoen kan ikke være før fondet startet (%(start)s)."),
            params={"start": FUND_START.strftime("%d.%m.%Y")},
            code="before_fund",
        )


def validate_not_in_future(value: datetime.date) -> None:
    if value is not None and value > datetime.date.today():
        raise ValidationError(_("Datoen kan ikke være fram i tid."), code="future")


def validate_within_horizon(value: datetime.date) -> None:
    if value is not None and value > horizon():
        raise ValidationError(
            _("Datoen kan være høyst %(years)s år fram i tid."),
            params={"years": DATE_HORIZON_YEARS},
            code="beyond_horizon",
        )


def booked_date_validators() -> list:
    """A date money was booked, paid or decided: from the fund's start to today."""
    return [validate_not_before_fund, validate_not_in_future]


def planned_date_validators() -> list:
    """A deadline, a meeting, an availability date: from the fund's start to today + 10 years."""
    return [validate_not_before_fund, validate_within_horizon]


# --- database constraints (the same numbers) ------------------------------------------------
def money_q(field: str, *, nullable=False, signed=False, positive=False) -> Q:
    """`field` within the money bounds; `signed` allows −MONEY_MAX (the ledger), `positive` > 0."""
    low = Q(**{f"{field}__gte": -MONEY_MAX}) if signed else Q(**{f"{field}__gte": MONEY_MIN})
    if positive:
        low = Q(**{f"{field}__gt": 0})
    condition = low & Q(**{f"{field}__lte": MONEY_MAX})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return condition


def year_q(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": YEAR_MIN}) & Q(**{f"{field}__lte": YEAR_MAX})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return condition


def population_q(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": POPULATION_MIN}) & Q(**{f"{field}__lte": POPULATION_MAX})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return condition


def year_in_bounds(year) -> bool:
    return isinstance(year, int) and YEAR_MIN <= year <= YEAR_MAX
