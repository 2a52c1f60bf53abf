"""Net present value of a proposal, in Decimal arithmetic.

Convention (docs/decisions/projects-npv-convention.md):
- Year index t = calendar year - first project year; the first project year is t = 0.
- Every year's net flow (benefits - development costs - operating/FDVU costs) is discounted to
  the start of the first project year by 1 / (1 + r) ** t, so year 0 is not discounted.
- r is settings.DIGIFIN_DISCOUNT_RATE (4 % real by default, Finansdepartementets R-109).
- Intermediate values keep full Decimal precision (28 digits); only the results are rounded:
  NPV half up to whole øre, NPV per invested krone half up to two decimals.
- "Invested krone" = the present value of development costs (what the fund may finance).
  Without development costs the ratio is undefined (None).
- Years outside the fund's span (core.bounds: 2017-2100) are left out and listed in
  `skipped_years`; a first year outside the span falls back to the first year within it. Forms
  refuse such years today; this keeps rows stored before the bounds from breaking every page that
  shows the proposal. The arithmetic runs with 60 significant digits, so no stored amount can
  make the rounding raise."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.conf import settings

from core.bounds import year_in_bounds
from core.money import to_money


@dataclass(frozen=True)
class NpvResult:
    rate: Decimal
    first_year: int | None
    pv_benefits: Decimal
    pv_development: Decimal
    pv_operating: Decimal
    npv: Decimal
    npv_per_krone: Decimal | None
    total_development: Decimal
    total_operating: Decimal
    total_benefits: Decimal
    skipped_years: tuple[int, ...] = field(default=())


def discount_rate() -> Decimal:
    return Decimal(str(getattr(settings, "DIGIFIN_DISCOUNT_RATE", Decimal("0.04"))))


def compute_npv(
    *,
    costs: list[tuple[int, Decimal, Decimal]],
    benefits: list[tuple[int, Decimal]],
    first_year: int | None = None,
    rate: Decimal | None = None,
) -> NpvResult:
    """`costs`: (year, development, operating); `benefits`: (year, amount)."""
    with localcontext() as context:
        context.prec = 60
        return _compute(costs=costs, benefits=benefits, first_year=first_year, rate=rate)


def _compute(*, costs, benefits, first_year, rate) -> NpvResult:
    rate = discount_rate() if rate is None else Decimal(rate)
    skipped = sorted(
        {y for y, *_ in costs if not year_in_bounds(y)}
        | {y for y, _ in benefits if not year_in_bounds(y)}
    )
    costs = [c for c in costs if year_in_bounds(c[0])]
    benefits = [b for b in benefits if year_in_bounds(b[0])]
    years = [y for y, *_ in costs] + [y for y, _ in benefits]
    if first_year is not None and not year_in_bounds(first_year):
        skipped = sorted(set(skipped) | {first_year})
        first_year = None
    if first_year is None:
        first_year = min(years) if years else None
    zero = Decimal("0")
    if first_year is None:
        return NpvResult(
            rate, None, zero, zero, zero, to_money(0), None, zero, zero, zero, tuple(skipped)
        )

    def factor(year: int) -> Decimal:
        return Decimal(1) / (Decimal(1) + rate) ** (year - first_year)

    pv_dev = sum((Decimal(d) * factor(y) for y, d, _ in costs), zero)
    pv_op = sum((Decimal(o) * factor(y) for y, _, o in costs), zero)
    pv_ben = sum((Decimal(a) * factor(y) for y, a in benefits), zero)
    npv = pv_ben - pv_dev - pv_op
    per_krone = None
    if pv_dev > 0:
        per_krone = (npv / pv_dev).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return NpvResult(
        rate=rate,
        first_year=first_year,
        pv_benefits=to_money(pv_ben),
        pv_development=to_money(pv_dev),
        pv_operating=to_money(pv_op),
        npv=to_money(npv),
        npv_per_krone=per_krone,
        total_development=to_money(sum((Decimal(d) for _, d, _ in costs), zero)),
        total_operating=to_money(sum((Decimal(o) for _, _, o in costs), zero)),
        total_benefits=to_money(sum((Decimal(a) for _, a in benefits), zero)),
        skipped_years=tuple(skipped),
    )
