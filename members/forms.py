import datetime
import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import booked_date_validators, population_validators


class ConfirmParticipationForm(forms.Form):
    """The member's formal decision to join DigiFin (replaces the e-mail to KS)."""

    decided_on = forms.DateField(
        label=_("Vedtaksdato"),
        help_text=_("Datoen kommunestyret, fylkestinget eller den med fullmakt vedtok å delta."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decision_reference = forms.CharField(
        label=_("Vedtaksreferanse"),
        max_length=120,
        help_text=_("For eksempel saksnummer eller arkivsak: «PS 45/17»."),
    )
    fakturareferanse = forms.CharField(
        label=_("Fakturareferanse"),
        max_length=120,
        help_text=_("Referansen fakturaen må merkes med (bestillerreferanse)."),
    )
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=120)
    contact_email = forms.EmailField(label=_("Kontaktens e-post"))

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value > datetime.date.today():
            raise forms.ValidationError(_("Vedtaksdatoen kan ikke være fram i tid."))
        if value < datetime.date(2017, 1, 1):
            raise forms.ValidationError(_("Ordningen ble opprettet i 2017."))
        return value

    def clean_fakturareferanse(self):
        value = self.cleaned_data["fakturareferanse"].strip()
        if not value:
            raise forms.ValidationError(_("Fakturareferanse må oppgis."))
        return value


class PopulationImportForm(forms.Form):
    file = forms.FileField(label=_("CSV-fil fra SSBs statistikkbank"))
    period = forms.CharField(
        label=_("Periode"),
        max_length=8,
        required=False,
        help_text=_("For eksempel 2017 (1. januar, tabell 07459) eller 2017K2 (tabell 01222)."),
    )
    source = forms.CharField(label=_("Kilde"), max_length=200, required=False)
    replace_basis = forms.BooleanField(
        label=_("Bruk tallene som beregningsgrunnlag for andelene"),
        required=False,
        help_text=_("Fakturerte andeler endres ikke."),
    )
    # Set by the page that listed the differences: the fingerprint of that file. The stored
    # figures are replaced only when the same file comes back with the box ticked.
    confirm = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    replace = forms.BooleanField(
        label=_("Erstatt de lagrede tallene som er forskjellige (se listen)"),
        required=False,
    )

    MAX_BYTES = 20 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.initial.get("confirm") or self.data.get("confirm")):
            self.fields["replace"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Filen er for stor (over 20 MB)."))
        return upload


class PopulationFigureAdminForm(forms.ModelForm):
    """The admin's add/change form: a population within core.bounds (a normal form error for
    1e20, not a database overflow)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "population" in self.fields:
            self.fields["population"].validators.extend(population_validators())


def file_fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class _EmailAnswerForm(forms.Form):
    """An answer that reached KS by e-mail, recorded by KS staff with its document."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    received_on = forms.DateField(
        label=_("Mottatt dato"),
        help_text=_("Datoen e-posten kom til KS."),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=booked_date_validators(),
    )
    reference = forms.CharField(
        label=_("Deres referanse"),
        max_length=120,
        help_text=_("Medlemmets saksnummer eller e-postens referanse."),
    )
    document = forms.FileField(
        label=_("Dokument"),
        help_text=_("E-posten eller vedtaket som PDF, DOCX, ODT, PNG eller JPEG (maks 10 MB)."),
    )

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip()
        if not value:
            raise forms.ValidationError(_("Referansen må oppgis."))
        return value


class EmailConfirmationForm(_EmailAnswerForm):
    """A member's confirmation that came by e-mail."""

    fakturareferanse = forms.CharField(
        label=_("Fakturareferanse"),
        max_length=120,
        help_text=_("Referansen fakturaen må merkes med (bestillerreferanse)."),
    )
    decided_on = forms.DateField(
        label=_("Vedtaksdato"),
        required=False,
        help_text=_("Hvis e-posten oppgir når vedtaket ble gjort."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Kontaktens e-post"), required=False)

    def clean_fakturareferanse(self):
        value = self.cleaned_data["fakturareferanse"].strip()
        if not value:
            raise forms.ValidationError(_("Fakturareferanse må oppgis."))
        return value

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value and value > datetime.date.today():
            raise forms.ValidationError(_("Vedtaksdatoen kan ikke være fram i tid."))
        return value


class EmailDeclineForm(_EmailAnswerForm):
    """A member's decline that came by e-mail."""
