"""Price models for access fees (tilknytningskostnad): pure functions, no database.

A price model is a kind plus validated parameters (stored as JSON on PriceModel). Every fee is a
whole number of kroner, kept as Decimal with two places. Rounding rules (docs/repayments.md):

- flat: the amount, rounded half up to whole kroner.
- per_inhabitant: rate × population rounded half up to whole kroner, then clamped to
  [floor, ceiling] (each optional).
- size_class: the amount of the class whose `min_population` is the largest one ≤ population.
- cost_recovery: fee_i = ⌈ C × w_i / (a × W) ⌉ kroner, where C is the development cost to recover,
  a the expected adoption (utbredelsesgrad, 0 < a ≤ 1), w_i the member's weight and W the sum of
  the weights of all members the solution is for. Rounded UP to whole kroner, so that when a
  share a of the members (evenly spread over sizes) has joined, at least C is recovered; the
  overshoot is below 1 kr per paying member.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _

from core.bounds import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    POPULATION_MAX,
    RATE_DECIMAL_PLACES,
    RATE_MAX,
    WEIGHT_DECIMAL_PLACES,
    WEIGHT_MAX,
)
from core.money import KRONE, ORE, format_nok, round_kroner

FLAT = "flat"
PER_INHABITANT = "per_inhabitant"
SIZE_CLASS = "size_class"
COST_RECOVERY = "cost_recovery"

WEIGHT_EQUAL = "equal"
WEIGHT_PER_INHABITANT = "per_inhabitant"
WEIGHT_SIZE_CLASS = "size_class"
WEIGHTINGS = (WEIGHT_EQUAL, WEIGHT_PER_INHABITANT, WEIGHT_SIZE_CLASS)


class PriceModelError(ValueError):
    """Parameters that do not make a valid price model; the message is for KS staff, in the
    active language (field names such as `name` below are passed in already translated)."""


def _not_a_number(name: str, value) -> str:
    return _("%(field)s: «%(value)s» er ikke et tall.") % {"field": name, "value": value}


def _decimal(
    value,
    name: str,
    *,
    minimum: Decimal = Decimal("0"),
    positive=False,
    maximum: Decimal = MONEY_MAX,
    places: int = MONEY_DECIMAL_PLACES,
) -> Decimal:
    """A finite number between `minimum` and `maximum` (core.bounds) with at most `places`
    decimals; kroner by default."""
    if isinstance(value, float):
        raise PriceModelError(
            _("%(field)s: oppgi beløp som tekst eller heltall, ikke flyttall.") % {"field": name}
        )
    try:
        number = Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, TypeError):
        raise PriceModelError(_not_a_number(name, value)) from None
    if not number.is_finite():
        raise PriceModelError(_not_a_number(name, value))
    if positive and number <= 0:
        raise PriceModelError(_("%(field)s må være større enn null.") % {"field": name})
    if number < minimum:
        raise PriceModelError(_("%(field)s kan ikke være negativ.") % {"field": name})
    if number > maximum:
        raise PriceModelError(
            _("%(field)s kan være høyst %(max)s.")
            % {"field": name, "max": format_nok(maximum, suffix=False)}
        )
    if -number.as_tuple().exponent > places:
        raise PriceModelError(
            _("%(field)s kan ha høyst %(places)s desimaler.") % {"field": name, "places": places}
        )
    return number


def _int(value, name: str) -> int:
    try:
        number = int(str(value).replace(" ", ""))
    except (TypeError, ValueError):
        raise PriceModelError(
            _("%(field)s: «%(value)s» er ikke et heltall.") % {"field": name, "value": value}
        ) from None
    if number < 0:
        raise PriceModelError(_("%(field)s kan ikke være negativ.") % {"field": name})
    if number > POPULATION_MAX:
        raise PriceModelError(
            _("%(field)s kan være høyst %(max)s.")
            % {"field": name, "max": format_nok(POPULATION_MAX, suffix=False)}
        )
    return number


def _weight(value, name: str) -> Decimal:
    return _decimal(value, name, maximum=WEIGHT_MAX, places=WEIGHT_DECIMAL_PLACES)


def _rate(value, name: str, *, positive=False) -> Decimal:
    return _decimal(value, name, positive=positive, maximum=RATE_MAX, places=RATE_DECIMAL_PLACES)


def _classes(raw, *, value_key: str, label: str) -> list[dict]:
    """A size-class table: rows of {min_population, <value_key>}, the first starting at 0,
    strictly increasing. Returned normalised (strings for Decimals, ints for populations)."""
    if not isinstance(raw, list) or not raw:
        raise PriceModelError(_("Tabellen over størrelsesklasser må ha minst én rad."))
    rows = []
    for row in raw:
        if not isinstance(row, Mapping):
            raise PriceModelError(_("Hver rad i tabellen må ha nedre grense og verdi."))
        low = _int(row.get("min_population"), _("Nedre grense"))
        value = _weight(row.get(value_key), label) if value_key == "weight" else None
        if value is None:
            value = _decimal(row.get(value_key), label)
        rows.append({"min_population": low, value_key: value})
    rows.sort(key=lambda r: r["min_population"])
    if rows[0]["min_population"] != 0:
        raise PriceModelError(_("Første størrelsesklasse må starte på 0 innbyggere."))
    lows = [r["min_population"] for r in rows]
    if len(set(lows)) != len(lows):
        raise PriceModelError(_("To størrelsesklasser har samme nedre grense."))
    return [{"min_population": r["min_population"], value_key: str(r[value_key])} for r in rows]


def validate(kind: str, parameters: Mapping) -> dict:
    """Check and normalise a price model's parameters; raises PriceModelError."""
    if not isinstance(parameters, Mapping):
        raise PriceModelError(_("Parametrene må være et oppslag (JSON-objekt)."))
    if kind == FLAT:
        amount = _decimal(parameters.get("amount"), _("Beløp"), positive=True)
        return {"amount": str(round_kroner(amount))}
    if kind == PER_INHABITANT:
        rate = _rate(parameters.get("rate"), _("Sats per innbygger"), positive=True)
        result = {"rate": str(rate), "floor": None, "ceiling": None}
        for key, label in (("floor", _("Minstebeløp")), ("ceiling", _("Høyeste beløp"))):
            if parameters.get(key) not in (None, ""):
                result[key] = str(round_kroner(_decimal(parameters[key], label)))
        if (
            result["floor"] is not None
            and result["ceiling"] is not None
            and Decimal(result["floor"]) > Decimal(result["ceiling"])
        ):
            raise PriceModelError(_("Minstebeløpet kan ikke være høyere enn høyeste beløp."))
        return result
    if kind == SIZE_CLASS:
        rows = _classes(parameters.get("classes"), value_key="amount", label=_("Beløp"))
        for row in rows:
            row["amount"] = str(round_kroner(Decimal(row["amount"])))
        return {"classes": rows}
    if kind == COST_RECOVERY:
        weighting = parameters.get("weighting")
        if weighting not in WEIGHTINGS:
            raise PriceModelError(_("Velg vekting: lik, per innbygger eller størrelsesklasse."))
        result = {"weighting": weighting}
        if weighting == WEIGHT_SIZE_CLASS:
            rows = _classes(parameters.get("weights"), value_key="weight", label=_("Vekt"))
            if any(Decimal(r["weight"]) <= 0 for r in rows):
                raise PriceModelError(_("Vekt må være større enn null."))
            result["weights"] = rows
        return result
    raise PriceModelError(_("Ukjent prismodell: %(kind)s") % {"kind": kind})


def _class_value(rows: list[dict], population: int, key: str) -> Decimal:
    chosen = rows[0]
    for row in rows:
        if population >= int(row["min_population"]):
            chosen = row
    return Decimal(chosen[key])


def weight(parameters: Mapping, population: int) -> Decimal:
    """A member's weight in the cost-recovery model."""
    weighting = parameters["weighting"]
    if weighting == WEIGHT_EQUAL:
        return Decimal(1)
    if weighting == WEIGHT_PER_INHABITANT:
        return Decimal(population)
    return _class_value(parameters["weights"], population, "weight")


@dataclass(frozen=True)
class RecoveryBasis:
    """What the cost-recovery model needs beyond a member's population."""

    development_cost: Decimal
    expected_adoption: Decimal  # a fraction, 0 < a ≤ 1
    total_weight: Decimal  # W: sum of the weights of every member the solution is for


def recovery_basis(
    parameters: Mapping,
    *,
    development_cost: Decimal,
    expected_adoption: Decimal,
    populations: Iterable[int],
) -> RecoveryBasis:
    total = sum((weight(parameters, p) for p in populations), Decimal(0))
    return RecoveryBasis(Decimal(development_cost), Decimal(expected_adoption), total)


def fee(
    kind: str, parameters: Mapping, population: int, *, basis: RecoveryBasis | None = None
) -> Decimal:
    """The access fee in whole kroner (Decimal with two places) for a member of `population`.

    Computed with 60 significant digits, so parameters stored before the bounds (a rate of
    1e30) cannot make the rounding raise; a fee above MONEY_MAX (which no access agreement can
    store) or one that cannot be computed is a PriceModelError, never a crash."""
    try:
        with localcontext() as context:
            context.prec = 60
            amount = _fee(kind, parameters, population, basis=basis)
    except (ArithmeticError, TypeError, ValueError):
        raise PriceModelError(
            _("Prismodellen gir et beløp som ikke kan regnes ut: rett parametrene.")
        ) from None
    if amount > MONEY_MAX:
        raise PriceModelError(
            _("Tilknytningskostnaden blir over %(max)s: rett parametrene.")
            % {"max": format_nok(MONEY_MAX)}
        )
    return amount


def _fee(kind: str, parameters: Mapping, population, *, basis) -> Decimal:
    if kind == FLAT:  # the only model that needs no population
        return round_kroner(Decimal(parameters["amount"]))
    if population is None or population < 0:
        raise PriceModelError(_("Innbyggertall mangler."))
    if kind == PER_INHABITANT:
        amount = round_kroner(Decimal(parameters["rate"]) * population)
        if parameters.get("floor") is not None:
            amount = max(amount, Decimal(parameters["floor"]))
        if parameters.get("ceiling") is not None:
            amount = min(amount, Decimal(parameters["ceiling"]))
        return amount.quantize(ORE)
    if kind == SIZE_CLASS:
        return round_kroner(_class_value(parameters["classes"], population, "amount"))
    if kind == COST_RECOVERY:
        if basis is None or basis.total_weight <= 0 or basis.expected_adoption <= 0:
            raise PriceModelError(
                _("Kostnadsdekning krever utviklingskostnad, utbredelse og medlemmer.")
            )
        raw = (
            basis.development_cost
            * weight(parameters, population)
            / (basis.expected_adoption * basis.total_weight)
        )
        return raw.quantize(KRONE, rounding=ROUND_CEILING).quantize(ORE)
    raise PriceModelError(_("Ukjent prismodell: %(kind)s") % {"kind": kind})


def total_at_adoption(fees: Iterable[Decimal], adoption: Decimal) -> Decimal:
    """Expected recovery when a share `adoption` of the members, evenly spread over sizes, has
    joined: adoption × Σ fees, rounded half up to whole kroner."""
    total = sum(fees, Decimal(0))
    return (total * Decimal(adoption)).quantize(KRONE, rounding=ROUND_HALF_UP).quantize(ORE)


def split_exact(total: Decimal, weights: list[Decimal], *, unit: Decimal = KRONE) -> list[Decimal]:
    """Split `total` over `weights` so the parts sum to `total` exactly (largest remainder):
    each part is floored to `unit`, then the leftover units go to the largest remainders
    (ties: earliest first). Used for FDVU shares and contributor repayments."""
    total = Decimal(total)
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum <= 0:
        return [Decimal(0).quantize(ORE) for _ in weights]
    exact = [total * w / weight_sum for w in weights]
    floors = [(x / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for x in exact]
    leftover = int(((total - sum(floors, Decimal(0))) / unit).to_integral_value(ROUND_HALF_UP))
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: max(leftover, 0)]:
        floors[i] += unit
    return [f.quantize(ORE) for f in floors]


def describe(kind: str, parameters: Mapping) -> str:
    """A short description in the active language, for lists and the preview. Each variant is
    one translatable sentence with named placeholders; amounts are formatted by format_nok."""
    if kind == FLAT:
        return _("Fast beløp %(amount)s") % {"amount": format_nok(parameters["amount"])}
    if kind == PER_INHABITANT:
        floor, ceiling = parameters.get("floor"), parameters.get("ceiling")
        if floor and ceiling:
            text = _("%(rate)s kr per innbygger, minst %(floor)s, høyst %(ceiling)s")
        elif floor:
            text = _("%(rate)s kr per innbygger, minst %(floor)s")
        elif ceiling:
            text = _("%(rate)s kr per innbygger, høyst %(ceiling)s")
        else:
            text = _("%(rate)s kr per innbygger")
        return text % {
            "rate": str(parameters["rate"]).replace(".", ","),
            "floor": format_nok(floor) if floor else "",
            "ceiling": format_nok(ceiling) if ceiling else "",
        }
    if kind == SIZE_CLASS:
        classes = "; ".join(
            _("fra %(population)s innb.: %(amount)s")
            % {
                "population": format_nok(int(r["min_population"]), suffix=False),
                "amount": format_nok(r["amount"]),
            }
            for r in parameters["classes"]
        )
        return _("Størrelsesklasser: %(classes)s") % {"classes": classes}
    if kind == COST_RECOVERY:
        weighting = parameters["weighting"]
        if weighting == WEIGHT_EQUAL:
            return _("Kostnadsdekning ved forventet utbredelse, lik vekt")
        if weighting == WEIGHT_PER_INHABITANT:
            return _("Kostnadsdekning ved forventet utbredelse, vektet per innbygger")
        return _("Kostnadsdekning ved forventet utbredelse, vektet etter størrelsesklasse")
    return kind


def validate_fdvu(key: str, parameters: Mapping, yearly_cost) -> dict:
    """FDVU key parameters: `tariff` needs monthly_fixed and monthly_per_inhabitant (kroner);
    `size_class` needs a weights table; `equal` and `per_inhabitant` need a yearly cost."""
    parameters = parameters or {}
    if key == "tariff":
        return {
            "monthly_fixed": str(_decimal(parameters.get("monthly_fixed"), _("Fast månedspris"))),
            "monthly_per_inhabitant": str(
                _rate(parameters.get("monthly_per_inhabitant"), _("Månedspris per innbygger"))
            ),
        }
    if key not in ("equal", "per_inhabitant", "size_class"):
        raise PriceModelError(_("Ukjent fordelingsnøkkel: %(key)s") % {"key": key})
    if yearly_cost in (None, ""):
        raise PriceModelError(_("Oppgi årlig FDVU-kostnad for denne fordelingsnøkkelen."))
    if key == "size_class":
        rows = _classes(parameters.get("weights"), value_key="weight", label=_("Vekt"))
        if any(Decimal(r["weight"]) <= 0 for r in rows):
            raise PriceModelError(_("Vekt må være større enn null."))
        return {"weights": rows}
    return {}


def fdvu_tariff_yearly(parameters: Mapping, population: int) -> Decimal:
    """A year of the tariff: 12 × (fixed + per-inhabitant × population), half up to kroner."""
    monthly = Decimal(parameters["monthly_fixed"]) + Decimal(
        parameters["monthly_per_inhabitant"]
    ) * Decimal(population)
    return round_kroner(monthly * 12)


def fdvu_weight(key: str, parameters: Mapping, population: int) -> Decimal:
    if key == "equal":
        return Decimal(1)
    if key == "per_inhabitant":
        return Decimal(population)
    return _class_value(parameters["weights"], population, "weight")
