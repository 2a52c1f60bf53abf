"""Forms for forecast scenarios: they validate input and nothing else."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import FiniteDecimalField
from fund.models import ForecastScenario


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = ForecastScenario
        fields = ["name", "description", "years", "grant_quarters", "other_inflow_per_quarter"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "years": _("Hvor mange år prognosen skal gå (1–30)."),
            "grant_quarters": _(
                "Over hvor mange kvartaler det som er innvilget, men ikke utbetalt, betales ut."
            ),
            "other_inflow_per_quarter": _(
                "For eksempel forventede andeler fra nye deltakere, i kroner per kvartal."
            ),
        }

    def clean_years(self):
        years = self.cleaned_data["years"]
        if not 1 <= years <= 30:
            raise forms.ValidationError(_("Antall år må være mellom 1 og 30."))
        return years

    def clean_grant_quarters(self):
        value = self.cleaned_data["grant_quarters"]
        if not 1 <= value <= 40:
            raise forms.ValidationError(_("Antall kvartaler må være mellom 1 og 40."))
        return value

    def clean_other_inflow_per_quarter(self):
        value = self.cleaned_data["other_inflow_per_quarter"]
        if value < 0:
            raise forms.ValidationError(_("Beløpet kan ikke være negativt."))
        return value


class PipelineForm(forms.Form):
    label = forms.CharField(label=_("Prosjekt"), max_length=200)
    development_cost = FiniteDecimalField(
        label=_("Utviklingskostnad (kr)"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    start_offset = forms.IntegerField(
        label=_("Start (kvartaler fra nå)"), min_value=0, max_value=120, initial=1
    )
    quarters = forms.IntegerField(
        label=_("Varighet (kvartaler)"), min_value=1, max_value=40, initial=4
    )


class SolutionForm(forms.Form):
    label = forms.CharField(label=_("Løsning"), max_length=200)
    fee_per_adopter = FiniteDecimalField(
        label=_("Tilknytningskostnad per medlem (kr)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("Gjennomsnitt etter løsningens prismodell."),
    )
    potential_adopters = forms.IntegerField(
        label=_("Mulige brukere (medlemmer)"), min_value=0, max_value=1000
    )
    adopted_so_far = forms.IntegerField(
        label=_("Har tatt i bruk"), min_value=0, max_value=1000, initial=0
    )
    saturation = FiniteDecimalField(
        label=_("Utbredelse til slutt (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=1,
        initial=Decimal("80"),
    )
    launch_offset = forms.IntegerField(
        label=_("Lansering (kvartaler fra nå)"),
        min_value=0,
        max_value=120,
        initial=0,
        help_text=_("0 for en løsning som allerede er lansert."),
    )
    ramp_quarters = forms.IntegerField(
        label=_("Kvartaler til full utbredelse"), min_value=1, max_value=120, initial=12
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("adopted_so_far") is not None
            and data.get("potential_adopters") is not None
            and data["adopted_so_far"] > data["potential_adopters"]
        ):
            self.add_error("adopted_so_far", _("Kan ikke være flere enn mulige brukere."))
        return data


PipelineFormSet = forms.formset_factory(PipelineForm, extra=1, can_delete=True, max_num=50)
SolutionFormSet = forms.formset_factory(SolutionForm, extra=1, can_delete=True, max_num=50)


def rows_from_formset(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        if not form.has_changed() or form.cleaned_data.get("DELETE"):
            continue
        data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if "saturation" in data:
            data["saturation"] = (data["saturation"] / Decimal(100)).quantize(Decimal("0.001"))
        rows.append(data)
    return rows


def initial_solutions(rows: list[dict]) -> list[dict]:
    """Stored saturation (0..1) shown as percent."""
    out = []
    for row in rows:
        row = dict(row)
        if "saturation" in row:
            row["saturation"] = (Decimal(str(row["saturation"])) * 100).quantize(Decimal("0.1"))
        out.append(row)
    return out
