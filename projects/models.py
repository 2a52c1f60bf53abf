"""Project proposals (prosjektforslag) and their qualification by KS.

The proposal's text follows Digdir's templates *prosjektforslag* (nine parts) and
*prosjektbegrunnelse* (six parts) plus DigiFin's own parts; `SECTIONS` lists them once so that the
form, the read-only view, submit validation and the snapshots all use the same list. States and
transitions live in projects/services/workflow.py (one table); the models only hold data."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.bounds import money_q, year_q
from members.models import validate_orgnr


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt inn")
    RETURNED = "returned", _("Returnert for revisjon")
    QUALIFIED = "qualified", _("Kvalifisert")
    REJECTED = "rejected", _("Avvist")
    PRIORITISED = "prioritised", _("Prioritert av KommIT-rådet")
    NOT_PRIORITISED = "not_prioritised", _("Ikke prioritert")
    APPROVED = "approved", _("Innvilget")
    DECLINED = "declined", _("Ikke innvilget")


# (field name, label, help text, part). Parts: "forslag" = Digdir prosjektforslag (9 parts),
# "begrunnelse" = Digdir prosjektbegrunnelse (6 parts), "digifin" = DigiFin's additions.
SECTIONS = [
    ("background", _("1. Bakgrunn og formål"), _("Problemet og endringen dere ønsker."), "forslag"),
    (
        "concepts",
        _("2. Konsepter som er vurdert"),
        _("Hvilke konsepter er vurdert, og hvilket anbefales?"),
        "forslag",
    ),
    ("deliverables", _("3. Hovedleveranser"), "", "forslag"),
    ("stakeholders", _("4. Interessenter"), "", "forslag"),
    ("scope", _("5. Rammer og avgrensninger"), "", "forslag"),
    ("expected_benefits", _("6. Forventede gevinster"), "", "forslag"),
    ("organisation", _("7. Organisering og forankring"), "", "forslag"),
    ("dependencies", _("8. Avhengigheter og forutsetninger"), "", "forslag"),
    ("outline_plan", _("9. Overordnet plan"), "", "forslag"),
    ("justification_background", _("Begrunnelse 1. Bakgrunn"), "", "begrunnelse"),
    (
        "purpose",
        _("Begrunnelse 2. Formål"),
        _(
            "Situasjonen i dag, ønsket situasjon, situasjonen hvis ingenting gjøres, og strategisk forankring."  # noqa: E501
        ),
        "begrunnelse",
    ),
    ("drawbacks", _("Begrunnelse 3. Mulige ulemper for interessenter"), "", "begrunnelse"),
    ("cost_benefit", _("Begrunnelse 4. Nytte-kostnadsvurdering"), "", "begrunnelse"),
    (
        "investment_analysis",
        _("Begrunnelse 5. Investeringsanalyse"),
        _("Gevinster mot prosjektkostnad og kostnader til drift og vedlikehold."),
        "begrunnelse",
    ),
    ("financing", _("Begrunnelse 6. Finansiering"), "", "begrunnelse"),
    (
        "relevance_for_all",
        _("Relevans for alle kommuner og/eller fylkeskommuner"),
        _("Hvordan løsningen kan tas i bruk av hele kommunesektoren."),
        "digifin",
    ),
    (
        "expected_adoption",
        _("Forventet utbredelse"),
        _("Hvor mange medlemmer som forventes å ta løsningen i bruk, og når."),
        "digifin",
    ),
    (
        "repayment_model",
        _("Forslag til tilbakebetaling gjennom tilknytningskostnad"),
        _("Hvordan fondet får midlene tilbake når medlemmer tar løsningen i bruk."),
        "digifin",
    ),
]
SECTION_FIELDS = [name for name, *_rest in SECTIONS]


class Proposal(models.Model):
    """A proposal for a shared digitalisation project, owned by its lead member's organisation."""

    class CompanyKind(models.TextChoices):
        FORETAK = "foretak", _("Kommunalt eid foretak")
        IKS = "iks", _("Interkommunalt selskap (IKS)")

    reference = models.CharField(_("saksnummer"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("prosjektnavn"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    # The member whose users write the proposal (kommune, fylkeskommune or KS). When a company
    # is the formal applicant, this member is its municipal co-applicant.
    lead_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("søker (medlem)"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    company_kind = models.CharField(
        _("selskapstype"), max_length=16, choices=CompanyKind.choices, blank=True
    )
    company_name = models.CharField(_("selskapets navn"), max_length=200, blank=True)
    company_orgnr = models.CharField(
        _("selskapets organisasjonsnummer"),
        max_length=9,
        blank=True,
        validators=[validate_orgnr],
    )
    start_year = models.PositiveSmallIntegerField(_("første prosjektår"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    submitted_at = models.DateTimeField(_("sendt inn"), null=True, blank=True)

    background = models.TextField(blank=True)
    concepts = models.TextField(blank=True)
    deliverables = models.TextField(blank=True)
    stakeholders = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    expected_benefits = models.TextField(blank=True)
    organisation = models.TextField(blank=True)
    dependencies = models.TextField(blank=True)
    outline_plan = models.TextField(blank=True)
    justification_background = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    drawbacks = models.TextField(blank=True)
    cost_benefit = models.TextField(blank=True)
    investment_analysis = models.TextField(blank=True)
    financing = models.TextField(blank=True)
    relevance_for_all = models.TextField(blank=True)
    expected_adoption = models.TextField(blank=True)
    repayment_model = models.TextField(blank=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prosjektforslag")
        verbose_name_plural = _("prosjektforslag")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company_kind="") | ~Q(company_name=""),
                name="proposal_company_has_name",
            ),
            models.CheckConstraint(
                condition=year_q("start_year", nullable=True), name="proposal_start_year_sane"
            ),
        ]
        indexes = [
            # The KS list (newest first) and the qualification queue (oldest submitted first)
            # read 50 and 20 rows by index instead of sorting every proposal (docs/bench.md).
            models.Index(fields=["created_at", "id"], name="proposal_created_idx"),
            models.Index(fields=["status", "submitted_at", "id"], name="proposal_status_sub_idx"),
        ]

    def __str__(self):
        return f"{self.reference or '–'} {self.title}"

    @property
    def formal_applicant_name(self) -> str:
        return self.company_name if self.company_kind else self.lead_member.name


class CoApplicant(models.Model):
    """A member that applies together with the lead; one of its users confirms before submit."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="co_applicants")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("medsøker"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("bekreftet"), null=True, blank=True)

    class Meta:
        verbose_name = _("medsøker")
        verbose_name_plural = _("medsøkere")
        ordering = ["member__name"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="coapplicant_unique"),
        ]

    def __str__(self):
        return str(self.member)


class CostYear(models.Model):
    """One project year's costs and funding. Development costs are what the fund may finance;
    operating/FDVU costs are never financed by the fund."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cost_years")
    year = models.PositiveSmallIntegerField(_("år"))
    development = models.DecimalField(
        _("utviklingskostnader"), max_digits=14, decimal_places=2, default=0
    )
    operating = models.DecimalField(_("drift/FDVU"), max_digits=14, decimal_places=2, default=0)
    own_contribution = models.DecimalField(
        _("egeninnsats"), max_digits=14, decimal_places=2, default=0
    )
    other_funding = models.DecimalField(
        _("annen finansiering"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("kostnadsår")
        verbose_name_plural = _("kostnadsår")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "year"], name="costyear_unique_year"),
            models.CheckConstraint(
                condition=Q(development__gte=0)
                & Q(operating__gte=0)
                & Q(own_contribution__gte=0)
                & Q(other_funding__gte=0),
                name="costyear_amounts_not_negative",
            ),
            models.CheckConstraint(condition=year_q("year"), name="costyear_year_in_span"),
            models.CheckConstraint(
                condition=money_q("development")
                & money_q("operating")
                & money_q("own_contribution")
                & money_q("other_funding"),
                name="costyear_amounts_bounded",
            ),
        ]


class BenefitYear(models.Model):
    """One expected benefit in one year: what kind, for whom, how much (kroner), how measured."""

    class Kind(models.TextChoices):
        ECONOMIC = "economic", _("Økonomisk (sparte kostnader)")
        TIME = "time", _("Spart tid")
        QUALITY = "quality", _("Bedre kvalitet")
        OTHER = "other", _("Annet")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="benefit_years")
    year = models.PositiveSmallIntegerField(_("år"))
    kind = models.CharField(_("type gevinst"), max_length=16, choices=Kind.choices)
    beneficiary = models.CharField(_("hvem får gevinsten"), max_length=200)
    amount = models.DecimalField(_("beløp (kr)"), max_digits=14, decimal_places=2, default=0)
    measurement = models.CharField(_("hvordan måles den"), max_length=300)

    class Meta:
        verbose_name = _("gevinst")
        verbose_name_plural = _("gevinster")
        ordering = ["year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="benefit_amount_not_negative"),
            models.CheckConstraint(condition=year_q("year"), name="benefit_year_in_span"),
            models.CheckConstraint(condition=money_q("amount"), name="benefit_amount_bounded"),
        ]


class ContactPerson(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("navn"), max_length=120)
    role = models.CharField(_("rolle"), max_length=120, blank=True)
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktpersoner")
        ordering = ["id"]


def _attachment_path(instance, filename):
    # A random name with the extension of the DETECTED type: the user's file name never reaches
    # the file system.
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}{Path(filename).suffix}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("filnavn"), max_length=200)
    content_type = models.CharField(_("filtype"), max_length=120)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("lastet opp"), auto_now_add=True)

    class Meta:
        verbose_name = _("vedlegg")
        verbose_name_plural = _("vedlegg")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ProposalTransition(models.Model):
    """The log of every change of a proposal's state: who, when, from, to, comment."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("statusendring")
        verbose_name_plural = _("statusendringer")
        ordering = ["at", "id"]


class ProposalSnapshot(models.Model):
    """The proposal's full content as it was submitted; one per submitted version."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("innsendt versjon")
        verbose_name_plural = _("innsendte versjoner")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "version"], name="snapshot_unique_version"),
        ]


class QualificationCriterion(models.Model):
    """One point of KS's principles or KMD's criteria that every proposal is checked against."""

    class Source(models.TextChoices):
        KMD = "kmd", _("KMDs kriterier")
        KS = "ks", _("KS' prinsipper")

    code = models.SlugField(unique=True)
    source = models.CharField(_("kilde"), max_length=8, choices=Source.choices)
    text = models.CharField(_("kriterium"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("kvalifiseringskriterium")
        verbose_name_plural = _("kvalifiseringskriterier")
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class QualificationAnswer(models.Model):
    class Answer(models.TextChoices):
        MET = "met", _("Oppfylt")
        PARTLY = "partly", _("Delvis oppfylt")
        NOT_MET = "not_met", _("Ikke oppfylt")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="qualification_answers"
    )
    criterion = models.ForeignKey(
        QualificationCriterion, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("vurdering"), max_length=8, choices=Answer.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kvalifiseringssvar")
        verbose_name_plural = _("kvalifiseringssvar")
        ordering = ["criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "criterion"], name="answer_unique_criterion"
            ),
        ]


# ---------------------------------------------------------------------------------------------
# KommIT-rådet: meetings, agenda, scoring (issue 5)
# ---------------------------------------------------------------------------------------------
class CouncilMeeting(models.Model):
    """A meeting of KommIT-rådet. The chair (a council member marked as chair) records the
    council's outcome per case; where the chair is recused, the meeting's deputy chair
    (nestleder) does. A case's outcome (prioritised or not) needs a quorum: at least
    `quorum_percent` % of the council members able to score it have scored it."""

    held_on = models.DateField(_("møtedato"))
    title = models.CharField(_("møte"), max_length=120)
    place = models.CharField(_("møtested"), max_length=120, blank=True)
    closed_at = models.DateTimeField(_("lukket"), null=True, blank=True)
    deputy_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nestleder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "council"},
        help_text=_("Fører rådets konklusjon i saker der lederen er inhabil."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("beslutningsdyktighet (prosent)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Andelen av rådsmedlemmene som kan gi poeng i en sak, som må ha gitt poeng før "
            "saken kan prioriteres eller ikke prioriteres."
        ),
    )
    # Who attended, as KS (or the chair) records it when closing; the minutes list them
    # (docs/decisions/projects-council-documents.md).
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("til stede"),
        blank=True,
        related_name="+",
        limit_choices_to={"role": "council"},
    )

    class Meta:
        verbose_name = _("rådsmøte")
        verbose_name_plural = _("rådsmøter")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="meeting_quorum_percent_bounded"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d.%m.%Y})"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AgendaItem(models.Model):
    """A qualified proposal on a meeting's agenda, with the council's case number `sak YY-NN`
    (YY = the year's last two digits, NN = the case's number in the year, e.g. sak 17-19)."""

    class Outcome(models.TextChoices):
        PRIORITISED = "prioritised", _("Prioritert")
        NOT_PRIORITISED = "not_prioritised", _("Ikke prioritert")
        DEFERRED = "deferred", _("Utsatt")

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.PROTECT, related_name="items")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="agenda_items")
    case_year = models.PositiveSmallIntegerField()
    case_number = models.PositiveSmallIntegerField()
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome.choices, blank=True)
    minutes = models.TextField(_("protokolltekst"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sak")
        verbose_name_plural = _("saker")
        ordering = ["case_year", "case_number"]
        constraints = [
            models.UniqueConstraint(fields=["case_year", "case_number"], name="agenda_case_unique"),
            models.UniqueConstraint(fields=["meeting", "proposal"], name="agenda_proposal_once"),
        ]

    def __str__(self):
        return f"{self.case_label} {self.proposal.title}"

    @property
    def case_label(self) -> str:
        """The council's case number as the seeds write it, year first: `sak 17-19` is the
        19th case of 2017 (KommIT-rådet, 22.08.2017)."""
        return f"sak {self.case_year % 100:02d}-{self.case_number:02d}"


def _meeting_document_path(instance, filename: str) -> str:
    return f"documents/council/{instance.meeting.held_on:%Y}/{filename}"


class MeetingDocument(models.Model):
    """A council meeting's agenda (sakskart) or minutes (protokoll) as a PDF. Each new agenda
    is a new version and the older ones are kept; the minutes exist once per meeting."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Sakskart")
        MINUTES = "minutes", _("Protokoll")

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("versjon"), default=1)
    file = models.FileField(_("fil"), upload_to=_meeting_document_path, max_length=300)
    created_at = models.DateTimeField(_("laget"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("møtedokument")
        verbose_name_plural = _("møtedokumenter")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "version"], name="meeting_document_version_once"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="minutes"), name="meeting_minutes_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.meeting} v{self.version}"

    @property
    def file_name(self) -> str:
        label = "sakskart" if self.kind == self.Kind.AGENDA else "protokoll"
        suffix = f"-v{self.version}" if self.kind == self.Kind.AGENDA else ""
        return f"{label}-{self.meeting.held_on:%Y-%m-%d}{suffix}.pdf"


class ScoringCriterion(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(_("kriterium"), max_length=120)
    description = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    weight = models.DecimalField(_("vekt"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("vurderingskriterium")
        verbose_name_plural = _("vurderingskriterier")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="scoring_weight_positive")
        ]

    def __str__(self):
        return self.name


class Score(models.Model):
    """One council member's score (1-5) of one case on one criterion."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("poeng"))
    comment = models.TextField(_("kommentar"), blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("poeng")
        verbose_name_plural = _("poeng")
        constraints = [
            models.UniqueConstraint(fields=["item", "member", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=5), name="score_1_to_5"
            ),
        ]


class ConflictDeclaration(models.Model):
    """A council member declares a conflict of interest (inhabilitet) on a case."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("begrunnelse"))
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inhabilitetserklæring")
        verbose_name_plural = _("inhabilitetserklæringer")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="conflict_once"),
        ]


# ---------------------------------------------------------------------------------------------
# KS decision and the portfolio (issue 5)
# ---------------------------------------------------------------------------------------------
class Project(models.Model):
    """An approved proposal in KS' portfolio. `granted` is the development-cost grant; money
    leaves the fund only as ledger disbursements (fund.services.ledger_record)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Pågår")
        COMPLETED = "completed", _("Fullført")
        STOPPED = "stopped", _("Stoppet")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="project")
    title = models.CharField(_("prosjekt"), max_length=200)
    responsible = models.ForeignKey(
        "members.Member",
        verbose_name=_("ansvarlig medlem"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted = models.DecimalField(_("innvilget"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("avslutningsnotat"), blank=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prosjekt")
        verbose_name_plural = _("prosjekter")
        ordering = ["-decided_at"]
        # The latest granted projects (the public page, the fund overview): read by the index.
        indexes = [models.Index(fields=["-decided_at", "-id"], name="project_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(granted__gt=0), name="project_granted_positive"),
            models.CheckConstraint(condition=money_q("granted"), name="project_granted_bounded"),
        ]

    def __str__(self):
        return self.title


class ProjectBudgetYear(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_years")
    year = models.PositiveSmallIntegerField(_("år"))
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("budsjettår")
        verbose_name_plural = _("budsjettår")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="budget_year_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(condition=year_q("year"), name="budget_year_in_span"),
            models.CheckConstraint(condition=money_q("amount"), name="budget_amount_bounded"),
        ]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milepæl"), max_length=200)
    due_on = models.DateField(_("frist"))
    done_on = models.DateField(_("nådd"), null=True, blank=True)

    class Meta:
        verbose_name = _("milepæl")
        verbose_name_plural = _("milepæler")
        ordering = ["due_on", "id"]


class StatusReport(models.Model):
    class Light(models.TextChoices):
        GREEN = "green", _("Grønn")
        YELLOW = "yellow", _("Gul")
        RED = "red", _("Rød")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("periode"), max_length=20)
    light = models.CharField(_("status"), max_length=8, choices=Light.choices)
    progress = models.TextField(_("framdrift"))
    risks = models.TextField(_("risiko"), blank=True)
    spent = models.DecimalField(_("brukt hittil"), max_digits=14, decimal_places=2, default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statusrapport")
        verbose_name_plural = _("statusrapporter")
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="report_once_per_period"),
            models.CheckConstraint(condition=money_q("spent"), name="report_spent_bounded"),
        ]


# ---------------------------------------------------------------------------------------------
# The grant (tilsagn) after KS's decision (issue 18)
# ---------------------------------------------------------------------------------------------
class StandardCondition(models.Model):
    """A standard condition of every grant (tilsagnsvilkår), from the principle note (seeds 002:
    development costs only, relevance for all, the sector owns the result, repayment through
    access fees, FDVU outside the fund, reporting duty). KS edits them in the admin; approval
    copies the active ones onto the grant, where KS may adjust them while the grant is offered."""

    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    title = models.CharField(_("vilkår"), max_length=200)
    text = models.TextField(_("tekst"))
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("standardvilkår")
        verbose_name_plural = _("standardvilkår")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class Grant(models.Model):
    """KS's grant to a project (tilsagn): offered by the approval, accepted or declined by the
    formal applicant before `accept_by`, or lapsed after it. Transitions in
    projects/services/grants.py (one table); each is logged in GrantTransition."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Tilbudt / venter på aksept")
        ACCEPTED = "accepted", _("Akseptert")
        DECLINED = "declined", _("Avslått av søker")
        LAPSED = "lapsed", _("Bortfalt")

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="grant")
    amount = models.DecimalField(_("tilsagnsbeløp"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OFFERED
    )
    decided_on = models.DateField(_("vedtaksdato"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vedtatt av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    accept_by = models.DateField(_("frist for aksept"))
    # The references as they stood at the decision (the proposal's DF number, the council's case).
    proposal_reference = models.CharField(_("forslagsnummer"), max_length=40, blank=True)
    council_case = models.CharField(_("rådssak"), max_length=20, blank=True)
    accepted_at = models.DateTimeField(_("akseptert"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("akseptert av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_by_name = models.CharField(_("signert av"), max_length=200, blank=True)
    declined_reason = models.TextField(_("begrunnelse for avslag"), blank=True)
    lapsed_at = models.DateTimeField(_("bortfalt"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tilsagn")
        verbose_name_plural = _("tilsagn")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(condition=money_q("amount"), name="grant_amount_bounded"),
            models.CheckConstraint(
                condition=Q(accept_by__gte=models.F("decided_on")), name="grant_deadline_after"
            ),
        ]
        indexes = [models.Index(fields=["status", "accept_by"], name="grant_status_deadline")]

    def __str__(self):
        return f"Tilsagn {self.project}"


class GrantCondition(models.Model):
    """One condition of one grant, copied from the standard conditions at approval."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(_("rekkefølge"))
    title = models.CharField(_("vilkår"), max_length=200)
    text = models.TextField(_("tekst"))

    class Meta:
        verbose_name = _("tilsagnsvilkår")
        verbose_name_plural = _("tilsagnsvilkår")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "position"], name="grant_condition_position")
        ]

    def __str__(self):
        return self.title


class GrantTransition(models.Model):
    """The log of every change of a grant's state: who (none when the deadline lapsed it), when,
    from, to and the signer's name or the reason. Shown on the project's timeline."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, choices=Grant.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Grant.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("tilsagnshendelse")
        verbose_name_plural = _("tilsagnshendelser")
        ordering = ["at", "id"]


# ---------------------------------------------------------------------------------------------
# After the grant: payment requests, the final report, benefits (issue 18 §4–§6)
# ---------------------------------------------------------------------------------------------
class ProjectEvent(models.Model):
    """The project's timeline: one row per step of its processes (payment requests, final report,
    benefit reports), with who took it. Written by the step's service in its transaction."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    process = models.CharField(_("prosess"), max_length=32)
    name = models.CharField(_("handling"), max_length=32)
    text = models.CharField(_("hendelse"), max_length=300)
    comment = models.TextField(_("kommentar"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prosjekthendelse")
        verbose_name_plural = _("prosjekthendelser")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["project", "at"], name="project_event_idx")]


def _payment_attachment_path(instance, filename):
    # As for proposals: a random name with the DETECTED type's extension.
    return f"payment_requests/{instance.project_id}/{uuid.uuid4().hex}{Path(filename).suffix}"


class PaymentRequest(models.Model):
    """Utbetalingsanmodning: the responsible municipality asks for part (partial) or the rest
    (final) of the grant, with a progress report. KS approves (the disbursement is booked in the
    ledger and linked here, once) or returns it with a reason; a returned request stays as it
    was and a corrected one is sent as a new request."""

    class Kind(models.TextChoices):
        PARTIAL = "partial", _("Delutbetaling")
        FINAL = "final", _("Sluttutbetaling")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Til behandling hos KS")
        APPROVED = "approved", _("Godkjent og utbetalt")
        RETURNED = "returned", _("Returnert")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payment_requests")
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    progress = models.TextField(_("framdrift"))
    milestones_reached = models.ManyToManyField(
        Milestone, verbose_name=_("milepæler nådd"), blank=True, related_name="+"
    )
    attachment = models.FileField(upload_to=_payment_attachment_path, max_length=300, blank=True)
    attachment_name = models.CharField(_("vedlegg"), max_length=200, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sendt"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    return_reason = models.TextField(_("begrunnelse for retur"), blank=True)
    # The disbursement this request was paid by: one entry per request, by the database.
    ledger_entry = models.OneToOneField(
        "fund.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_request",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("utbetalingsanmodning")
        verbose_name_plural = _("utbetalingsanmodninger")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payreq_amount_positive"),
            models.CheckConstraint(condition=money_q("amount"), name="payreq_amount_bounded"),
            # One final request that is not returned, per project.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="final") & ~Q(status="returned"),
                name="payreq_one_final",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(ledger_entry__isnull=False),
                name="payreq_approved_has_entry",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.project}"


class PaymentRequestCost(models.Model):
    """Development costs incurred since the last request, by category (the report's cost part)."""

    class Category(models.TextChoices):
        INTERNAL = "internal", _("Egne timer (utvikling)")
        EXTERNAL = "external", _("Innleide tjenester og konsulenter")
        SOFTWARE = "software", _("Programvare og lisenser i utviklingen")
        OTHER = "other", _("Andre utviklingskostnader")

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="costs")
    category = models.CharField(_("kategori"), max_length=16, choices=Category.choices)
    amount = models.DecimalField(_("påløpt"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "category"], name="payreq_cost_once"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & money_q("amount"), name="payreq_cost_bounded"
            ),
        ]


class FinalReport(models.Model):
    """Sluttrapport: results, deliverables, benefits so far, and the hand-over of the solution
    to FDVU (forvaltning, drift, videreutvikling: outside the fund). Needed before the final
    payment request; KS's approval of that request approves it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Sendt til KS")
        APPROVED = "approved", _("Godkjent")

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="final_report")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    results = models.TextField(_("resultater"))
    deliverables = models.TextField(_("leveranser"))
    benefits_so_far = models.TextField(_("gevinster hittil"))
    solution_name = models.CharField(_("løsningens navn"), max_length=160)
    solution_description = models.TextField(_("beskrivelse av løsningen"))
    fdvu_owner = models.CharField(_("hvem overtar forvaltning og drift (FDVU)"), max_length=200)
    fdvu_terms = models.TextField(_("vilkår for FDVU"))
    fdvu_yearly_cost = models.DecimalField(
        _("årlig FDVU-kostnad (anslag)"), max_digits=14, decimal_places=2
    )
    handed_over_on = models.DateField(_("overlevert til FDVU"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sendt"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("godkjent"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sluttrapport")
        verbose_name_plural = _("sluttrapporter")
        constraints = [
            models.CheckConstraint(
                condition=Q(fdvu_yearly_cost__gte=0) & money_q("fdvu_yearly_cost"),
                name="final_report_fdvu_bounded",
            ),
        ]


class BenefitReport(models.Model):
    """Gevinstrapport: once a year after launch the responsible municipality reports the
    benefits realised that year, one line per kind of benefit in the plan."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="benefit_reports")
    year = models.PositiveSmallIntegerField(_("år"))
    comment = models.TextField(_("kommentar"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gevinstrapport")
        verbose_name_plural = _("gevinstrapporter")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="benefit_report_once"),
            models.CheckConstraint(condition=year_q("year"), name="benefit_report_year_in_span"),
        ]


class BenefitReportLine(models.Model):
    report = models.ForeignKey(BenefitReport, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("type gevinst"), max_length=16, choices=BenefitYear.Kind.choices)
    realised = models.DecimalField(_("realisert (kr)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="benefit_line_once"),
            models.CheckConstraint(
                condition=Q(realised__gte=0) & money_q("realised"), name="benefit_line_bounded"
            ),
        ]
