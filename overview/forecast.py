"""The self-financing forecast: pure arithmetic on Decimal, no database, no Django.

Given the fund's capital today, what is still to be paid on granted projects, a pipeline of
projects that might be granted, and an adoption curve per solution (access fees flowing back),
project the capital and the available balance quarter by quarter.

Rules (docs/overview.md, "Prognose"):
- A remaining grant is paid out evenly over its quarters from the first forecast quarter; each
  part is rounded DOWN to whole øre and the last quarter takes the remainder, so the parts add
  up to the amount exactly. Pipeline projects are spread the same way from their start quarter.
- Adoption is linear: the target is `potential_adopters × saturation` rounded down to whole
  adopters. Those not in yet (target − adopted so far) come in evenly over `ramp_quarters`
  from the launch, or from the first forecast quarter for a solution already launched: k
  quarters in, `adopted_so_far + floor(remaining × (k + 1) / ramp_quarters)` have adopted.
  (No catch-up spike for a solution that is behind its curve.) Each new adopter pays
  `fee_per_adopter` in the quarter it adopts.
- Capital (closing) = opening + inflows − outflows. Available = capital − what is still to be
  paid on granted projects after the quarter. The fund runs dry in the first quarter whose
  capital is below zero.
- A pipeline project is affordable if, taken in the given order together with the affordable
  projects before it, the capital never falls below zero over the horizon.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int  # 1..4

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def plus(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.q - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def label(self) -> str:
        return f"{self.year} K{self.q}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class GrantCommitment:
    """What is still to be paid on a granted project, paid evenly over `quarters`."""

    label: str
    remaining: Decimal
    quarters: int = 4


class PipelineProject(NamedTuple):
    """A project that may be granted: its development cost, paid from `start_offset`. (Named
    tuples, like SolutionAdoption: a scenario may hold thousands, made for every run.)"""

    label: str
    development_cost: Decimal
    start_offset: int = 0
    quarters: int = 4


class SolutionAdoption(NamedTuple):
    """One solution's access fees: who may adopt it and how fast."""

    label: str
    fee_per_adopter: Decimal
    potential_adopters: int
    adopted_so_far: int = 0
    saturation: Decimal = Decimal("1")
    launch_offset: int = 0  # quarters from the forecast's start; 0 or less = launched already
    ramp_quarters: int = 12


@dataclass(frozen=True)
class ForecastInput:
    start: Quarter
    opening_balance: Decimal
    years: int
    grants: tuple[GrantCommitment, ...] = ()
    pipeline: tuple[PipelineProject, ...] = ()
    solutions: tuple[SolutionAdoption, ...] = ()
    other_inflow_per_quarter: Decimal = ZERO


@dataclass(frozen=True)
class QuarterRow:
    quarter: Quarter
    opening: Decimal
    access_fees: Decimal
    other_inflow: Decimal
    grants_paid: Decimal
    pipeline_paid: Decimal
    closing: Decimal
    committed_after: Decimal
    available: Decimal

    @property
    def inflow(self) -> Decimal:
        return self.access_fees + self.other_inflow

    @property
    def outflow(self) -> Decimal:
        return self.grants_paid + self.pipeline_paid


@dataclass
class ForecastResult:
    rows: list[QuarterRow]
    dry_quarter: Quarter | None
    affordable: list[str] = field(default_factory=list)
    unaffordable: list[str] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].closing if self.rows else ZERO

    @property
    def total_access_fees(self) -> Decimal:
        return sum((r.access_fees for r in self.rows), ZERO)

    @property
    def lowest(self) -> QuarterRow | None:
        return min(self.rows, key=lambda r: (r.closing, r.quarter)) if self.rows else None


def _money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money must not be a float.")
    return Decimal(value).quantize(ORE)


def spread(amount: Decimal, quarters: int) -> list[Decimal]:
    """`amount` in `quarters` parts rounded down to øre; the last part takes the remainder."""
    amount = _money(amount)
    quarters = max(1, int(quarters))
    part = (amount / quarters).quantize(ORE, rounding=ROUND_DOWN)
    parts = [part] * (quarters - 1)
    parts.append(amount - part * (quarters - 1))
    return parts


def _ramp(solution: SolutionAdoption) -> tuple[int, int, int]:
    """(first quarter of the ramp, its length, adopters still to come) of a solution."""
    target = int(
        (Decimal(solution.potential_adopters) * Decimal(solution.saturation)).to_integral_value(
            rounding=ROUND_DOWN
        )
    )
    start = max(0, int(solution.launch_offset))
    return start, max(1, int(solution.ramp_quarters)), max(0, target - solution.adopted_so_far)


def _new_adopters(start: int, ramp: int, remaining: int, horizon: int) -> list[int]:
    """New adopters per quarter. Nobody new before the ramp's first quarter, nobody once the
    ramp is done: k quarters in (k < ramp), floor(remaining × (k + 1) / ramp) have come, never
    more than `remaining` since (k + 1) / ramp <= 1."""
    new = [0] * horizon
    previous = 0
    for k in range(min(ramp, horizon - start)):
        cumulative = remaining * (k + 1) // ramp
        new[start + k] = cumulative - previous
        previous = cumulative
    return new


def adopters_by_quarter(solution: SolutionAdoption, horizon: int) -> list[int]:
    """New adopters in each of the `horizon` forecast quarters."""
    return _new_adopters(*_ramp(solution), horizon)


def _schedule(horizon: int, start_offset: int, amount: Decimal, quarters: int) -> list[Decimal]:
    out = [ZERO] * horizon
    for i, part in enumerate(spread(amount, quarters)):
        index = start_offset + i
        if 0 <= index < horizon:
            out[index] += part
    return out


# The forecast adds and compares in whole øre (Python ints): every amount is money to øre
# (_money), so the sums are the same exact figures as in Decimal, at a fraction of the cost
# with thousands of pipeline projects and solutions. Rows are given back in Decimal kroner.


def _ore(value) -> int:
    """An amount as whole øre (exact: _money rounds it to øre first)."""
    return int(_money(value).scaleb(2))


def _kroner(ore: int) -> Decimal:
    """Whole øre as Decimal kroner with two places (0 → 0.00)."""
    return Decimal(ore).scaleb(-2)


def _parts(amount: Decimal, quarters: int) -> list[int]:
    """`spread` in øre: each part rounded down (towards zero) to whole øre, the last part takes
    the remainder."""
    total = _ore(amount)
    quarters = max(1, int(quarters))
    part = abs(total) // quarters * (1 if total >= 0 else -1)
    return [part] * (quarters - 1) + [total - part * (quarters - 1)]


@dataclass(frozen=True)
class _Flows:
    """Everything of a forecast except the pipeline, in øre: computed once per forecast."""

    horizon: int
    opening: int
    fees: list[int]
    other: int
    grants: list[int]
    committed_after: list[int]  # still to pay on granted projects after quarter i


def _flows(data: ForecastInput) -> _Flows:
    horizon = max(1, int(data.years)) * 4
    grants = [0] * horizon
    for grant in data.grants:
        for i, part in enumerate(_parts(grant.remaining, grant.quarters)[:horizon]):
            grants[i] += part
    total_grants = sum(_ore(g.remaining) for g in data.grants)
    committed_after = []
    paid = 0
    for i in range(horizon):
        paid += grants[i]
        committed_after.append(total_grants - paid)
    # Solutions on the same ramp (first quarter, length, adopters to come) get the same new
    # adopters each quarter: their fees are added up first, the ramp computed once.
    fee_by_ramp: dict[tuple[int, int, int], int] = {}
    for solution in data.solutions:
        ramp = _ramp(solution)
        fee_by_ramp[ramp] = fee_by_ramp.get(ramp, 0) + _ore(solution.fee_per_adopter)
    fees = [0] * horizon
    for ramp, fee in fee_by_ramp.items():
        for i, count in enumerate(_new_adopters(*ramp, horizon)):
            if count:
                fees[i] += fee * count
    return _Flows(
        horizon=horizon,
        opening=_ore(data.opening_balance),
        fees=fees,
        other=_ore(data.other_inflow_per_quarter),
        grants=grants,
        committed_after=committed_after,
    )


def _rows(data: ForecastInput, flows: _Flows, pipeline_out: list[int]) -> list[QuarterRow]:
    rows = []
    balance = flows.opening
    other = _kroner(flows.other)
    for i in range(flows.horizon):
        closing = balance + flows.fees[i] + flows.other - flows.grants[i] - pipeline_out[i]
        rows.append(
            QuarterRow(
                quarter=data.start.plus(i),
                opening=_kroner(balance),
                access_fees=_kroner(flows.fees[i]),
                other_inflow=other,
                grants_paid=_kroner(flows.grants[i]),
                pipeline_paid=_kroner(pipeline_out[i]),
                closing=_kroner(closing),
                committed_after=_kroner(flows.committed_after[i]),
                available=_kroner(closing - flows.committed_after[i]),
            )
        )
        balance = closing
    return rows


def _dry(rows: list[QuarterRow]) -> Quarter | None:
    return next((r.quarter for r in rows if r.closing < 0), None)


def run_forecast(data: ForecastInput) -> ForecastResult:
    """The forecast with the whole pipeline, and which pipeline projects the fund can afford.

    Linear in the pipeline and the solutions: fees, grants and other inflows are computed once;
    affordability keeps the closing capital with the affordable projects so far and tries each
    project's schedule against it (money is exact, in whole øre, so the order of the sums does
    not change a figure)."""
    flows = _flows(data)
    horizon = flows.horizon
    # Each project's payments in øre, by forecast quarter: parts before the first quarter or
    # after the horizon are outside the forecast.
    schedules = []
    pipeline_out = [0] * horizon
    for p in data.pipeline:
        offset = int(p.start_offset)
        sched = [0] * horizon
        for k, part in enumerate(_parts(p.development_cost, p.quarters)):
            if 0 <= offset + k < horizon:
                sched[offset + k] = part
                pipeline_out[offset + k] += part
        schedules.append(sched)
    rows = _rows(data, flows, pipeline_out)
    # Closing capital per quarter with only the affordable projects (none yet).
    closing = []
    balance = flows.opening
    for i in range(horizon):
        balance += flows.fees[i] + flows.other - flows.grants[i]
        closing.append(balance)
    affordable: list[str] = []
    unaffordable: list[str] = []
    for project, sched in zip(data.pipeline, schedules, strict=True):
        trial = []
        paid = 0
        for i in range(horizon):
            paid += sched[i]
            if closing[i] < paid:
                break
            trial.append(closing[i] - paid)
        if len(trial) == horizon:
            closing = trial
            affordable.append(project.label)
        else:
            unaffordable.append(project.label)
    return ForecastResult(
        rows=rows,
        dry_quarter=_dry(rows),
        affordable=affordable,
        unaffordable=unaffordable,
    )
