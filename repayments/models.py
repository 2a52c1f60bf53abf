"""Solutions (fellesløsninger), their price models, access agreements, FDVU and repayments of
capital to contributors. Money moves through fund.services.ledger_record only (access fees,
refunds, contributor repayments); FDVU never touches the fund."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.bounds import money_q, population_q, year_q
from core.money import format_nok

from . import price_models as pm


class Audience(models.TextChoices):
    KOMMUNE = "kommune", _("Kommuner")
    FYLKESKOMMUNE = "fylkeskommune", _("Fylkeskommuner")
    BOTH = "both", _("Kommuner og fylkeskommuner")


class FdvuKey(models.TextChoices):
    """How a solution's FDVU cost is shared among its current users (figure 6)."""

    EQUAL = "equal", _("Likt mellom brukerne")
    PER_INHABITANT = "per_inhabitant", _("Etter innbyggertall")
    SIZE_CLASS = "size_class", _("Etter størrelsesklasse")
    TARIFF = "tariff", _("Fast månedspris + pris per innbygger per måned")


class Solution(models.Model):
    """A finished shared solution: from a project, or an existing municipal solution that KS
    registered as shared (then there is no project)."""

    name = models.CharField(_("navn"), max_length=160, unique=True)
    description = models.TextField(_("beskrivelse"))
    # The project this came from; none for an existing municipal solution made shared.
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("prosjekt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solutions",
    )
    development_cost = models.DecimalField(
        _("utviklingskostnad som skal dekkes"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Brukes når løsningen ikke har et prosjekt med utbetalinger i fondet."),
    )
    audience = models.CharField(
        _("for hvem"), max_length=16, choices=Audience.choices, default=Audience.KOMMUNE
    )
    expected_adoption = models.DecimalField(
        _("forventet utbredelse (%)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        help_text=_("Andel av medlemmene som forventes å ta løsningen i bruk (utbredelsesgrad)."),
    )
    available_on = models.DateField(_("tilgjengelig fra"))
    fdvu_terms = models.TextField(_("vilkår for forvaltning, drift og videreutvikling (FDVU)"))
    fdvu_key = models.CharField(
        _("fordelingsnøkkel for FDVU"), max_length=16, choices=FdvuKey.choices
    )
    fdvu_yearly_cost = models.DecimalField(
        _("årlig FDVU-kostnad"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fdvu_parameters = models.JSONField(_("FDVU-parametre"), default=dict, blank=True)
    is_published = models.BooleanField(_("publisert"), default=False)
    published_on = models.DateField(_("publisert"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fellesløsning")
        verbose_name_plural = _("fellesløsninger")
        ordering = ["name"]
        # The latest published solutions (the public page): read by the index.
        indexes = [
            models.Index(
                fields=["-available_on", "name"],
                condition=Q(is_published=True),
                name="solution_published_latest_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(development_cost__gte=0), name="solution_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(expected_adoption__gt=0) & Q(expected_adoption__lte=100),
                name="solution_adoption_in_range",
            ),
            models.CheckConstraint(
                condition=Q(fdvu_yearly_cost__isnull=True) | Q(fdvu_yearly_cost__gte=0),
                name="solution_fdvu_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_on__isnull=False),
                name="solution_published_has_date",
            ),
            models.CheckConstraint(
                condition=money_q("development_cost") & money_q("fdvu_yearly_cost", nullable=True),
                name="solution_money_bounded",
            ),
        ]

    def __str__(self):
        return self.name


class PriceModel(models.Model):
    """The access-fee model KS chose for one solution: a kind and its validated parameters
    (repayments/price_models.py). Frozen once the solution is published."""

    class Kind(models.TextChoices):
        FLAT = pm.FLAT, _("Fast beløp")
        PER_INHABITANT = pm.PER_INHABITANT, _("Per innbygger (med gulv og tak)")
        SIZE_CLASS = pm.SIZE_CLASS, _("Tabell etter størrelsesklasse")
        COST_RECOVERY = pm.COST_RECOVERY, _("Kostnadsdekning ved forventet utbredelse")

    solution = models.OneToOneField(
        Solution, on_delete=models.PROTECT, related_name="price_model", verbose_name=_("løsning")
    )
    kind = models.CharField(_("prismodell"), max_length=20, choices=Kind.choices)
    parameters = models.JSONField(_("parametre"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prismodell")
        verbose_name_plural = _("prismodeller")

    def __str__(self):
        return f"{self.solution}: {self.get_kind_display()}"

    def describe(self) -> str:
        return pm.describe(self.kind, self.parameters)


class AccessAgreement(models.Model):
    """A member's access to a solution, with its accepted FDVU terms and its access fee.

    Exactly one per member and solution (UniqueConstraint): double clicks, two users of the same
    municipality and retried tasks all land on the same row."""

    class Status(models.TextChoices):
        WAITING_FOR_SHARE = "waiting_for_share", _("Venter på betalt andel")
        ACTIVE = "active", _("Tilgang gitt")
        ENDED = "ended", _("Avsluttet")

    class FeeStatus(models.TextChoices):
        NOT_DUE = "not_due", _("Ikke fakturert ennå")
        PENDING_INVOICE = "pending_invoice", _("Klar til fakturering")
        INVOICED = "invoiced", _("Fakturert")
        PAID = "paid", _("Betalt")
        REFUNDED = "refunded", _("Refundert")

    solution = models.ForeignKey(
        Solution, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("løsning")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="access_agreements",
        verbose_name=_("medlem"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    fdvu_accepted_at = models.DateTimeField(_("FDVU-vilkår akseptert"))
    fdvu_terms_accepted = models.TextField(_("aksepterte FDVU-vilkår"))
    # What the member was shown and accepted (selectors.fdvu_part): its yearly FDVU part with
    # the key and the number of users it was computed for. Null on agreements made before the
    # amount was shown.
    fdvu_amount_accepted = models.DecimalField(
        _("akseptert årlig FDVU-andel"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fdvu_key_accepted = models.CharField(
        _("akseptert fordelingsnøkkel for FDVU"),
        max_length=16,
        choices=FdvuKey.choices,
        blank=True,
    )
    fdvu_users_accepted = models.PositiveIntegerField(
        _("antall brukere da FDVU-andelen ble akseptert"), null=True, blank=True
    )
    activated_on = models.DateField(_("tilgang fra"), null=True, blank=True)
    # Frozen when access is granted: a later population import never changes an issued fee.
    population = models.PositiveIntegerField(_("innbyggertall brukt"), null=True, blank=True)
    fee_amount = models.DecimalField(
        _("tilknytningskostnad"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_status = models.CharField(
        _("status for tilknytningskostnad"),
        max_length=20,
        choices=FeeStatus.choices,
        default=FeeStatus.NOT_DUE,
    )
    fee_invoice_id = models.PositiveBigIntegerField(_("faktura-id"), null=True, blank=True)
    fee_paid_on = models.DateField(_("betalt"), null=True, blank=True)
    left_on = models.DateField(_("avsluttet"), null=True, blank=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tilgangsavtale")
        verbose_name_plural = _("tilgangsavtaler")
        ordering = ["solution__name", "member__name"]
        indexes = [
            # Members with access per solution (the forecast's "adopted so far" for every
            # solution): an index-only count instead of reading every agreement (issue 22).
            models.Index(
                fields=["solution"], condition=Q(status="active"), name="access_active_by_solution"
            ),
            # The few fees waiting to be invoiced among every agreement there is: KS's task
            # list counts them on every request (issue 22, docs/bench.md).
            models.Index(
                fields=["solution"],
                condition=Q(fee_status="pending_invoice"),
                name="access_fee_pending_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "member"], name="access_one_agreement_per_member"
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__isnull=True) | Q(fee_amount__gte=0),
                name="access_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(activated_on__isnull=False),
                name="access_active_has_date",
            ),
            models.CheckConstraint(
                condition=money_q("fee_amount", nullable=True)
                & population_q("population", nullable=True),
                name="access_fee_population_bounded",
            ),
            models.CheckConstraint(
                condition=Q(fdvu_amount_accepted__isnull=True) | Q(fdvu_amount_accepted__gte=0),
                name="access_fdvu_accepted_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.solution}"


class FdvuPeriod(models.Model):
    """One year of a solution's FDVU cost and how it was shared. Outside the fund: no ledger."""

    class Status(models.TextChoices):
        ALLOCATED = "allocated", _("Fordelt")
        PENDING_INVOICE = "pending_invoice", _("Klar til fakturering")
        INVOICED = "invoiced", _("Fakturert")

    solution = models.ForeignKey(
        Solution, on_delete=models.PROTECT, related_name="fdvu_periods", verbose_name=_("løsning")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    total_cost = models.DecimalField(_("kostnad"), max_digits=14, decimal_places=2)
    key = models.CharField(_("fordelingsnøkkel"), max_length=16, choices=FdvuKey.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ALLOCATED
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("FDVU-periode")
        verbose_name_plural = _("FDVU-perioder")
        ordering = ["solution__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "year"], name="fdvu_one_period_per_year"),
            models.CheckConstraint(condition=Q(total_cost__gte=0), name="fdvu_cost_not_negative"),
            models.CheckConstraint(
                condition=year_q("year") & money_q("total_cost"), name="fdvu_period_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.solution} FDVU {self.year}"


class FdvuShare(models.Model):
    """One user's share of a year's FDVU cost."""

    period = models.ForeignKey(FdvuPeriod, on_delete=models.PROTECT, related_name="shares")
    agreement = models.ForeignKey(AccessAgreement, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(_("innbyggertall"), null=True, blank=True)
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    invoice_id = models.PositiveBigIntegerField(_("faktura-id"), null=True, blank=True)

    class Meta:
        verbose_name = _("FDVU-andel")
        verbose_name_plural = _("FDVU-andeler")
        ordering = ["period", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "member"], name="fdvu_one_share_per_member"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fdvu_share_not_negative"),
            models.CheckConstraint(
                condition=money_q("amount") & population_q("population", nullable=True),
                name="fdvu_share_bounded",
            ),
        ]


class CapitalRepayment(models.Model):
    """A repayment of contributed capital that KS confirmed; its lines are ledger entries of
    kind CONTRIBUTOR_REPAYMENT (subject = this row)."""

    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("dato"))
    reference = models.CharField(_("vedtak/hjemmel"), max_length=200)
    fingerprint = models.CharField(max_length=64, unique=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tilbakebetaling til bidragsytere")
        verbose_name_plural = _("tilbakebetalinger til bidragsytere")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.CheckConstraint(condition=money_q("amount"), name="repayment_amount_bounded"),
        ]

    def __str__(self):
        return f"{self.occurred_on:%d.%m.%Y} {format_nok(self.amount, decimals=True)}"


class AccessEvent(models.Model):
    """The log of what happened to an access agreement: who, when, what."""

    agreement = models.ForeignKey(AccessAgreement, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("hendelse"), max_length=40)
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")
        ordering = ["at", "id"]
