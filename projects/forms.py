"""Forms validate input only; the services decide."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.bounds import (
    TEXT_LONG,
    FiniteDecimalField,
    MoneyField,
    YearField,
    money_validators,
    planned_date_validators,
    year_validators,
)
from fund.services import booked_date_problem
from members.models import Member

from .models import (
    SECTIONS,
    AgendaItem,
    BenefitYear,
    ContactPerson,
    CostYear,
    Proposal,
    ProposalStatus,
    QualificationAnswer,
    StatusReport,
)
from .selectors import counties

SECTION_NAMES = [name for name, *_rest in SECTIONS]
MONEY_COLUMNS = ["development", "operating", "own_contribution", "other_funding"]


def _bound_row(form, money_fields):
    """Years within the fund's span and amounts within the money bounds (core.bounds)."""
    form.fields["year"].validators.extend(year_validators())
    for name in money_fields:
        form.fields[name].validators.extend(money_validators())


class ProposalCreateForm(forms.Form):
    title = forms.CharField(label=_("Prosjektnavn"), max_length=200)


class SearchableCheckboxes(forms.CheckboxSelectMultiple):
    """Hundreds of choices (every kommune and fylkeskommune) as a checkbox list in a scroll box
    with a search field above it (issue 20 §4). Without JavaScript it is a plain list of
    checkboxes that submits as any multiple choice; static/js/projects-coapplicants.js adds the
    search field, which filters the list as one types (chosen members stay visible) and says
    how many are shown and chosen. The options are joined in Python, as LongSelect does."""

    template_name = "projects/widgets/searchable_checkboxes.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base = context["widget"]["attrs"].get("id") or f"id_{name}"
        options = [
            option
            for _group, group_options, _index in context["widget"]["optgroups"]
            for option in group_options
        ]
        context["widget"]["base_id"] = base
        context["widget"]["total"] = len(options)
        context["widget"]["options_html"] = format_html_join(
            "",
            '<li class="df-picker__option"><input type="checkbox" class="ds-input" name="{}" '
            'value="{}" id="{}_{}"{}> <label class="ds-label" data-weight="regular" '
            'for="{}_{}">{}</label></li>',
            (
                (
                    name,
                    option["value"],
                    base,
                    i,
                    " checked" if option["selected"] else "",
                    base,
                    i,
                    option["label"],
                )
                for i, option in enumerate(options)
            ),
        )
        return context

    def id_for_label(self, id_, index=None):
        # The label of the whole group is the fieldset's legend; the search field is labelled.
        return f"{id_}_filter" if index is None and id_ else super().id_for_label(id_, index)


class ProposalForm(forms.ModelForm):
    co_applicants = forms.ModelMultipleChoiceField(
        label=_("Medsøkere (kommuner og fylkeskommuner)"),
        queryset=Member.objects.filter(
            kind__in=[Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE], valid_to__isnull=True
        ).order_by("name"),
        required=False,
        help_text=_("Hver medsøker må bekrefte i portalen før forslaget kan sendes inn."),
        widget=forms.CheckboxSelectMultiple,  # SearchableCheckboxes, set in __init__
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
        self.fields["start_year"].validators.extend(year_validators())
        for name in SECTION_NAMES:
            self.fields[name].validators.append(MaxLengthValidator(TEXT_LONG))
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
        self.fields["co_applicants"].widget = SearchableCheckboxes(
            choices=self.fields["co_applicants"].choices
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
        field_classes = dict.fromkeys(MONEY_COLUMNS, FiniteDecimalField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_row(self, MONEY_COLUMNS)

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
        field_classes = {"amount": FiniteDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_row(self, ["amount"])

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


class LongSelect(forms.Select):
    """A select of hundreds of options (every applicant member) with its options joined in
    Python: Django's own renders a template per option (~0.1 ms each, 871 members). No option
    groups and no per-option attributes; values and labels are escaped by format_html."""

    template_name = "projects/widgets/select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, options, _index in context["widget"]["optgroups"]
                for option in options
            ),
        )
        return context


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle"))] + list(ProposalStatus.choices)
    )
    applicant = forms.ModelChoiceField(
        label=_("Søker"),
        required=False,
        queryset=Member.objects.none(),
        empty_label=_("Alle"),
        widget=LongSelect,
    )
    county = forms.ModelChoiceField(
        label=_("Fylke"), required=False, queryset=Member.objects.none(), empty_label=_("Alle")
    )
    year = YearField(label=_("År"), required=False)
    q = forms.CharField(label=_("Søk"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        applicant_ids = Proposal.objects.values("lead_member_id")
        self.fields["applicant"].queryset = Member.objects.filter(pk__in=applicant_ids).order_by(
            "name"
        )
        self.fields["county"].queryset = counties()


# ---------------------------------------------------------------------------------------------
# Council and portfolio (issue 5)
# ---------------------------------------------------------------------------------------------
class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Møte"), max_length=120, initial="KommIT-rådet")
    held_on = forms.DateField(
        label=_("Møtedato"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=planned_date_validators(),
    )
    deputy_chair = forms.ModelChoiceField(
        label=_("Nestleder"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Fører rådets konklusjon i saker der lederen er inhabil."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Beslutningsdyktighet (prosent)"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("Andelen av rådsmedlemmene som kan gi poeng, som må ha gitt poeng i en sak."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy_chair"].queryset = (
            get_user_model()
            .objects.filter(role="council", is_active=True, is_council_chair=False)
            .order_by("last_name", "first_name")
        )


class AgendaAddForm(forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("Kvalifisert forslag"), queryset=Proposal.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        on_open_agenda = AgendaItem.objects.filter(meeting__closed_at__isnull=True)
        self.fields["proposal"].queryset = Proposal.objects.filter(
            status=ProposalStatus.QUALIFIED
        ).exclude(pk__in=on_open_agenda.values("proposal_id"))


SCORE_CHOICES = [("", "–")] + [(str(i), str(i)) for i in range(1, 6)]


class ScoreForm(forms.Form):
    """One 1-5 field and one comment per active scoring criterion."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for c in self.criteria:
            value, comment = initial_scores.get(c.pk, ("", ""))
            self.fields[f"value_{c.pk}"] = forms.ChoiceField(
                label=f"{c.name} (vekt {c.weight.normalize()})",
                choices=SCORE_CHOICES,
                initial=str(value),
                help_text=c.description,
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Kommentar: %(c)s") % {"c": c.name},
                required=False,
                initial=comment,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def values(self):
        return {
            c: (int(self.cleaned_data[f"value_{c.pk}"]), self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse for inhabilitet"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Rådets konklusjon"), choices=[("", "–")] + list(AgendaItem.Outcome.choices)
    )
    minutes = forms.CharField(label=_("Protokolltekst"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    """One amount per project year, prefilled with what was asked of the fund that year."""

    comment = forms.CharField(
        label=_("Merknad i vedtaket"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = []
        for c in proposal.cost_years.all():
            if c.development <= 0:
                continue
            asked = max(c.development - c.own_contribution - c.other_funding, 0)
            self.years.append(c.year)
            self.fields[f"year_{c.year}"] = MoneyField(
                label=_("Innvilget %(year)s (kr)") % {"year": c.year}, initial=asked
            )

    def budget(self):
        return {y: self.cleaned_data[f"year_{y}"] for y in self.years}


class DisbursementForm(forms.Form):
    amount = MoneyField(label=_("Beløp (kr)"), minimum=Decimal("0.01"))
    paid_on = forms.DateField(
        label=_("Utbetalt dato"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Datoen pengene ble betalt: ikke fram i tid og ikke før fondet startet."),
    )

    def clean_paid_on(self):
        # The ledger's rule, with its name (fund.services.booked_date_problem: core.bounds'
        # booked-date bounds): a planned disbursement is a plan, not an entry.
        day = self.cleaned_data["paid_on"]
        if problem := booked_date_problem(day):
            raise forms.ValidationError(problem, code="booked_date")
        return day

    note = forms.CharField(label=_("Tekst"), required=False, max_length=200)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milepæl"), max_length=200)
    due_on = forms.DateField(
        label=_("Frist"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=planned_date_validators(),
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Avslutt som"),
        choices=[
            ("completed", _("Fullført")),
            ("stopped", _("Stoppet (ubrukt tilsagn frigjøres)")),
        ],
    )
    note = forms.CharField(label=_("Avslutningsnotat"), widget=forms.Textarea(attrs={"rows": 2}))


class StatusReportForm(forms.Form):
    period = forms.CharField(label=_("Periode (f.eks. 2027-T1)"), max_length=20)
    light = forms.ChoiceField(label=_("Status"), choices=StatusReport.Light.choices)
    progress = forms.CharField(label=_("Framdrift"), widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.CharField(
        label=_("Risiko"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    spent = MoneyField(label=_("Brukt hittil (kr)"))
