"""Forms validate input and nothing else; the services apply the rules."""

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.bounds import (
    TEXT_LONG,
    MoneyField,
    RateField,
    YearField,
    booked_date_validators,
    money_validators,
    planned_date_validators,
)
from core.money import format_nok

from . import price_models as pm
from .models import FdvuKey, PriceModel, Solution


def parse_table(text: str, value_key: str) -> list[dict]:
    """Lines of `nedre grense: verdi` (e.g. `5000: 40000`) → rows for price_models."""
    rows = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        low, sep, value = line.partition(":")
        if not sep:
            raise forms.ValidationError(
                _("Linje %(n)s: skriv «nedre grense: verdi», f.eks. «5000: 40000»."),
                params={"n": number},
            )
        rows.append({"min_population": low.strip(), value_key: value.strip()})
    return rows


def format_table(rows, value_key: str) -> str:
    return "\n".join(f"{r['min_population']}: {r[value_key]}" for r in rows or [])


TABLE_HELP = _("Én linje per klasse: nedre grense (innbyggere): verdi. Første linje starter på 0.")


class SolutionForm(forms.ModelForm):
    fdvu_monthly_fixed = MoneyField(label=_("FDVU: fast pris per måned (kr)"), required=False)
    fdvu_monthly_per_inhabitant = RateField(
        label=_("FDVU: pris per innbygger per måned (kr)"), required=False
    )
    fdvu_weights = forms.CharField(
        label=_("FDVU: vekter per størrelsesklasse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=TABLE_HELP,
    )

    class Meta:
        model = Solution
        fields = [
            "name",
            "description",
            "project",
            "development_cost",
            "audience",
            "expected_adoption",
            "available_on",
            "fdvu_terms",
            "fdvu_key",
            "fdvu_yearly_cost",
        ]
        widgets = {
            "available_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "fdvu_terms": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("development_cost", "fdvu_yearly_cost"):
            self.fields[name].validators.extend(money_validators())
        self.fields["available_on"].validators.extend(planned_date_validators())
        for name in ("description", "fdvu_terms"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_LONG))
        params = self.instance.fdvu_parameters or {}
        self.initial.setdefault("fdvu_monthly_fixed", params.get("monthly_fixed"))
        self.initial.setdefault("fdvu_monthly_per_inhabitant", params.get("monthly_per_inhabitant"))
        self.initial.setdefault("fdvu_weights", format_table(params.get("weights"), "weight"))

    def clean(self):
        data = super().clean()
        key = data.get("fdvu_key")
        params = {}
        if key == FdvuKey.TARIFF:
            params = {
                "monthly_fixed": data.get("fdvu_monthly_fixed"),
                "monthly_per_inhabitant": data.get("fdvu_monthly_per_inhabitant"),
            }
        elif key == FdvuKey.SIZE_CLASS:
            params = {"weights": parse_table(data.get("fdvu_weights") or "", "weight")}
        if key:
            try:
                data["fdvu_parameters"] = pm.validate_fdvu(
                    key, params, data.get("fdvu_yearly_cost")
                )
            except pm.PriceModelError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data

    def service_values(self) -> dict:
        values = {f: self.cleaned_data[f] for f in self.Meta.fields}
        values["fdvu_parameters"] = self.cleaned_data["fdvu_parameters"]
        return values


class PriceModelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Prismodell"), choices=PriceModel.Kind.choices)
    amount = MoneyField(label=_("Fast beløp (kr)"), required=False)
    rate = RateField(label=_("Sats per innbygger (kr)"), required=False)
    floor = MoneyField(label=_("Minstebeløp (kr)"), required=False)
    ceiling = MoneyField(label=_("Høyeste beløp (kr)"), required=False)
    classes = forms.CharField(
        label=_("Beløp per størrelsesklasse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=TABLE_HELP,
    )
    weighting = forms.ChoiceField(
        label=_("Vekting (kostnadsdekning)"),
        required=False,
        choices=[
            ("", "–"),
            (pm.WEIGHT_EQUAL, _("Lik for alle")),
            (pm.WEIGHT_PER_INHABITANT, _("Per innbygger")),
            (pm.WEIGHT_SIZE_CLASS, _("Etter størrelsesklasse")),
        ],
    )
    weights = forms.CharField(
        label=_("Vekter per størrelsesklasse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=TABLE_HELP,
    )

    @classmethod
    def initial_for(cls, price: PriceModel | None) -> dict:
        if price is None:
            return {}
        p = price.parameters
        return {
            "kind": price.kind,
            "amount": p.get("amount"),
            "rate": p.get("rate"),
            "floor": p.get("floor"),
            "ceiling": p.get("ceiling"),
            "classes": format_table(p.get("classes"), "amount"),
            "weighting": p.get("weighting", ""),
            "weights": format_table(p.get("weights"), "weight"),
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data

        def text(value):
            return None if value is None else str(value)

        raw = {
            pm.FLAT: lambda: {"amount": text(data.get("amount"))},
            pm.PER_INHABITANT: lambda: {
                "rate": text(data.get("rate")),
                "floor": text(data.get("floor")),
                "ceiling": text(data.get("ceiling")),
            },
            pm.SIZE_CLASS: lambda: {"classes": parse_table(data.get("classes") or "", "amount")},
            pm.COST_RECOVERY: lambda: {
                "weighting": data.get("weighting"),
                "weights": parse_table(data.get("weights") or "", "weight"),
            },
        }[kind]()
        try:
            data["parameters"] = pm.validate(kind, raw)
        except pm.PriceModelError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class AccessRequestForm(forms.Form):
    accept_fdvu_terms = forms.BooleanField(
        label=_("Vi godtar vilkårene for forvaltning, drift og videreutvikling (FDVU)"),
        required=True,
        error_messages={"required": _("Dere må godta FDVU-vilkårene for å få tilgang.")},
    )
    # The yearly FDVU part the page showed (selectors.fdvu_part): the service refuses if it has
    # changed since, so the amount recorded is the amount the member saw.
    fdvu_amount = forms.DecimalField(
        label=_("FDVU-andel per år"),
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("FDVU-andelen dere godtar mangler. Last siden på nytt og se over den.")
        },
        max_digits=14,
        decimal_places=2,
    )

    def show_fdvu_amount(self, amount: Decimal) -> None:
        """Name the yearly FDVU part in what the member ticks, and carry it in the form."""
        self.fields["accept_fdvu_terms"].label = _(
            "Vi godtar vilkårene for forvaltning, drift og videreutvikling (FDVU) og en "
            "FDVU-andel på %(amount)s i året"
        ) % {"amount": format_nok(amount)}
        self.initial["fdvu_amount"] = amount
        if self.is_bound:  # a refused form shown again carries the amount the page shows now
            self.data = self.data.copy()
            self.data["fdvu_amount"] = str(amount)


class RefundForm(forms.Form):
    amount = MoneyField(label=_("Beløp å refundere (kr)"), minimum=Decimal("0.01"))
    refunded_on = forms.DateField(
        label=_("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=booked_date_validators(),
    )
    reason = forms.CharField(label=_("Begrunnelse"), max_length=200)


class FdvuForm(forms.Form):
    year = YearField(label=_("År"), initial=lambda: datetime.date.today().year)


class RepaymentScenarioForm(forms.Form):
    amount = MoneyField(label=_("Beløp som skal tilbakebetales (kr)"), minimum=Decimal("0.01"))


class RepaymentConfirmForm(RepaymentScenarioForm):
    occurred_on = forms.DateField(
        label=_("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=booked_date_validators(),
    )
    reference = forms.CharField(label=_("Vedtak (f.eks. styresak)"), max_length=200)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
