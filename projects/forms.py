"""Forms validate input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member

from .models import (
    SECTIONS,
    BenefitYear,
    ContactPerson,
    CostYear,
    Proposal,
    ProposalStatus,
    QualificationAnswer,
)


class ProposalCreateForm(forms.Form):
    title = forms.CharField(label=_("Prosjektnavn"), max_length=200)


class ProposalForm(forms.ModelForm):
    co_applicants = forms.ModelMultipleChoiceField(
        label=_("Medsøkere (kommuner og fylkeskommuner)"),
        queryset=Member.objects.filter(
            kind__in=[Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE], valid_to__isnull=True
        ).order_by("name"),
        required=False,
        help_text=_("Hver medsøker må bekrefte i portalen før forslaget kan sendes inn."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Proposal
        fields = ["title", "start_year", "company_kind", "company_name", "company_orgnr"] + [
            name for name, *_ in SECTIONS
        ]
        labels = {name: label for name, label, *_ in SECTIONS}
        help_texts = {name: help_ for name, _label, help_, _part in SECTIONS if help_}
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name, *_ in SECTIONS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company_kind"].help_text = _(
            "Fyll ut bare hvis et kommunalt eid foretak eller IKS er formell søker; "
            "organisasjonen din er da medsøker."
        )
        if self.instance.pk:
            self.fields["co_applicants"].initial = [
                c.member_id for c in self.instance.co_applicants.all()
            ]
            self.fields["co_applicants"].queryset = self.fields["co_applicants"].queryset.exclude(
                pk=self.instance.lead_member_id
            )

    def clean(self):
        data = super().clean()
        if data.get("company_kind") and not data.get("company_name"):
            self.add_error("company_name", _("Oppgi selskapets navn."))
        return data


class CostYearForm(forms.ModelForm):
    class Meta:
        model = CostYear
        fields = ["year", "development", "operating", "own_contribution", "other_funding"]

    def clean(self):
        data = super().clean()
        for name in ["development", "operating", "own_contribution", "other_funding"]:
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Beløpet kan ikke være negativt."))
        return data


class BenefitYearForm(forms.ModelForm):
    class Meta:
        model = BenefitYear
        fields = ["year", "kind", "beneficiary", "amount", "measurement"]

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("Beløpet kan ikke være negativt."))
        return value


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "email", "phone"]


CostFormSet = forms.modelformset_factory(CostYear, form=CostYearForm, extra=2, can_delete=True)
BenefitFormSet = forms.modelformset_factory(
    BenefitYear, form=BenefitYearForm, extra=2, can_delete=True
)
ContactFormSet = forms.modelformset_factory(
    ContactPerson, form=ContactForm, extra=1, can_delete=True
)


def formset_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        is_existing = form.instance.pk is not None
        if (not is_existing and not form.has_changed()) or form.cleaned_data.get("DELETE"):
            continue
        row = {k: v for k, v in form.cleaned_data.items() if k not in ("DELETE", "id")}
        rows.append(row)
    return rows


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fil som skal lastes opp"), help_text=_("PDF, DOCX, XLSX eller ODT, maks 10 MB.")
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Begrunnelse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Påkrevd ved retur og avvisning; søkeren ser begrunnelsen."),
    )


class ChecklistAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Vurdering"), choices=[("", "–")] + list(QualificationAnswer.Answer.choices)
    )
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle"))] + list(ProposalStatus.choices)
    )
    applicant = forms.ModelChoiceField(
        label=_("Søker"), required=False, queryset=Member.objects.none(), empty_label=_("Alle")
    )
    county = forms.ModelChoiceField(
        label=_("Fylke"), required=False, queryset=Member.objects.none(), empty_label=_("Alle")
    )
    year = forms.IntegerField(label=_("År"), required=False, min_value=2017, max_value=2100)
    q = forms.CharField(label=_("Søk"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Proposal as P
        from .selectors import counties

        applicant_ids = P.objects.values("lead_member_id")
        self.fields["applicant"].queryset = Member.objects.filter(pk__in=applicant_ids).order_by(
            "name"
        )
        self.fields["county"].queryset = counties()
