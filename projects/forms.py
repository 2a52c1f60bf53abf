"""Forms validate input only; the services decide."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.bounds import (
    TEXT_LONG,
    TEXT_SHORT,
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
    Milestone,
    PaymentRequest,
    PaymentRequestCost,
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
    Python straight from the choices: Django's own builds a dict per option (`optgroups`) and
    renders a template per option (~0.1 ms each, 871 members). No option groups and no
    per-option attributes; the first option whose value is the field's value is selected, as
    in Django; values and labels are escaped by format_html."""

    template_name = "projects/widgets/select.html"

    def get_context(self, name, value, attrs):
        # Widget's context (name, formatted value, attrs) without ChoiceWidget's optgroups.
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = set(context["widget"]["value"])
        rows = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = option_value in chosen
            if selected:
                chosen = set()  # one selected option (not a multiple select)
            rows.append((option_value, " selected" if selected else "", label))
        context["widget"]["options_html"] = format_html_join(
            "", '<option value="{}"{}>{}</option>', rows
        )
        return context


class MemberOptions(forms.models.ModelChoiceIterator):
    """A member choice's options as (pk, "number name") straight from two columns: no Member is
    built per option (~400 applicants and counties on KS's proposal list, issue 22)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, number, name in self.queryset.values_list("pk", "number", "name"):
            yield (pk, Member.option_label(number, name))


class MemberChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField of members whose options are read as MemberOptions."""

    iterator = MemberOptions


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle"))] + list(ProposalStatus.choices)
    )
    applicant = MemberChoiceField(
        label=_("Søker"),
        required=False,
        queryset=Member.objects.none(),
        empty_label=_("Alle"),
        widget=LongSelect,
    )
    county = MemberChoiceField(
        label=_("Fylke"),
        required=False,
        queryset=Member.objects.none(),
        empty_label=_("Alle"),
        widget=LongSelect,
    )
    year = YearField(label=_("År"), required=False)
    q = forms.CharField(label=_("Søk"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        applicant_ids = Proposal.objects.values("lead_member_id")
        # The options show number and name (Member.option_label): no other column is read.
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
    place = forms.CharField(label=_("Møtested"), max_length=120, required=False)
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


class MeetingCloseForm(forms.Form):
    """Closing a meeting: who attended (the minutes list them)."""

    attendees = forms.ModelMultipleChoiceField(
        label=_("Til stede"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Forhåndsvalgt: medlemmene som har gitt poeng, meldt inhabilitet eller ført "
            "konklusjon i møtets saker."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = (
            get_user_model()
            .objects.filter(role="council", is_active=True)
            .order_by("-is_council_chair", "last_name", "first_name")
        )
        self.fields["attendees"].label_from_instance = _council_member_label


def _council_member_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({_('leder')})" if user.is_council_chair else name


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


# --- the grant (tilsagn, issue 18) ------------------------------------------------------------
class GrantAcceptForm(forms.Form):
    signed_by_name = forms.CharField(
        label=_("Navn og stilling på den som signerer for søker"),
        max_length=TEXT_SHORT,
        help_text=_("Den som har fullmakt til å forplikte søkeren, f.eks. kommunedirektøren."),
    )
    confirm = forms.BooleanField(
        label=_("Vi aksepterer tilsagnet og vilkårene slik de står i tilsagnsbrevet."),
        required=True,
    )


class GrantDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse for å avslå tilsagnet"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(TEXT_LONG)],
    )


class GrantConditionsForm(forms.Form):
    """The grant's conditions, one title and text per row, plus an empty row to add one; an
    emptied row removes its condition."""

    def __init__(self, *args, conditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        rows = [*conditions, ("", "")]
        for n, (title, text) in enumerate(rows, start=1):
            self.fields[f"title_{n}"] = forms.CharField(
                label=_("Vilkår %(n)s") % {"n": n},
                max_length=TEXT_SHORT,
                required=False,
                initial=title,
            )
            self.fields[f"text_{n}"] = forms.CharField(
                label=_("Tekst for vilkår %(n)s") % {"n": n},
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[MaxLengthValidator(TEXT_LONG)],
                required=False,
                initial=text,
            )
        self.count = len(rows)

    def rows(self):
        for n in range(1, self.count + 1):
            yield self[f"title_{n}"], self[f"text_{n}"]

    def conditions(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data.get(f"title_{n}", ""), self.cleaned_data.get(f"text_{n}", ""))
            for n in range(1, self.count + 1)
        ]


# --- after the grant: payment requests, final report, benefit reports (issue 18) ---------------
def _long_text(label, *, required=True, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LONG,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _booked_date(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Datoen pengene ble betalt: ikke fram i tid og ikke før fondet startet."),
    )


class _BookedDateMixin:
    def clean_paid_on(self):
        # The ledger's rule with its name (fund.services.booked_date_problem).
        day = self.cleaned_data["paid_on"]
        if problem := booked_date_problem(day):
            raise forms.ValidationError(problem, code="booked_date")
        return day


COST_FIELDS = {f"cost_{c}": c for c in PaymentRequestCost.Category.values}


class PaymentRequestForm(forms.Form):
    """Utbetalingsanmodning with its report; `project` limits the milestones offered."""

    kind = forms.ChoiceField(label=_("Type"), choices=PaymentRequest.Kind.choices)
    amount = MoneyField(label=_("Beløp (kr)"), minimum=Decimal("0.01"))
    progress = _long_text(
        _("Framdrift"), help_text=_("Hva er gjort siden forrige anmodning, og hva gjenstår.")
    )
    milestones = forms.ModelMultipleChoiceField(
        label=_("Milepæler som er nådd"),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment = forms.FileField(
        label=_("Vedlegg (f.eks. regnskap)"),
        required=False,
        help_text=_("PDF, DOCX, XLSX eller ODT, maks 10 MB."),
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["milestones"].queryset = project.milestones.filter(done_on__isnull=True)
        for name, category in COST_FIELDS.items():
            self.fields[name] = MoneyField(
                label=_("Påløpt: %(category)s (kr)")
                % {"category": PaymentRequestCost.Category(category).label},
                required=False,
            )


class ApproveRequestForm(_BookedDateMixin, forms.Form):
    payment_request = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    paid_on = _booked_date(_("Utbetalt dato"))


class ReturnRequestForm(forms.Form):
    payment_request = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    reason = _long_text(_("Begrunnelse"), rows=2, help_text=_("Kommunen ser begrunnelsen."))


class FinalReportForm(forms.Form):
    results = _long_text(_("Resultater"))
    deliverables = _long_text(_("Leveranser"))
    benefits_so_far = _long_text(_("Gevinster hittil"))
    solution_name = forms.CharField(label=_("Løsningens navn"), max_length=160)
    solution_description = _long_text(_("Beskrivelse av løsningen"), rows=2)
    fdvu_owner = forms.CharField(
        label=_("Hvem overtar forvaltning, drift og videreutvikling (FDVU)"), max_length=200
    )
    fdvu_terms = _long_text(
        _("Vilkår for FDVU"),
        rows=2,
        help_text=_("FDVU betales av brukerne, utenfor fondet."),
    )
    fdvu_yearly_cost = MoneyField(label=_("Årlig FDVU-kostnad, anslag (kr)"))
    handed_over_on = forms.DateField(
        label=_("Overlevert til FDVU"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=planned_date_validators(),
    )


class BenefitReportForm(forms.Form):
    """Realised benefits of one year, one amount per kind of benefit in the plan."""

    year = YearField(label=_("År"))
    comment = _long_text(_("Kommentar"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in BenefitYear.Kind.choices:
            self.fields[f"realised_{kind}"] = MoneyField(
                label=_("Realisert: %(kind)s (kr)") % {"kind": label}, required=False
            )
