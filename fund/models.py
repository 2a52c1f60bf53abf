"""The fund's core: an append-only ledger of every krone in and out, and the capital sources.

The balance is never stored. It is the sum of the ledger, computed by the database
(fund/selectors.py). A correction is a reversing entry; rows are never updated or deleted
(enforced here and, on PostgreSQL, by a trigger: migration 0002)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bounds import money_q, year_q
from core.money import format_nok


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger entry."""


class LedgerEntryQuerySet(models.QuerySet):
    def net_of(self, kinds):
        """Entries of `kinds` (a kind or an iterable of kinds) and the reversals of such
        entries: summed, they give the net figure of those kinds. The ledger's one filter for
        "what counts as kind K"; fund.selectors.ledger_net / ledger_net_by sum over it."""
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        if "reversal" in kinds:
            raise ValueError("Reversals are counted with the kind they reverse; name that kind.")
        return self.filter(Q(kind__in=kinds) | Q(kind="reversal", reverses__kind__in=kinds))

    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only; record a reversing entry.")

    def delete(self):
        raise AppendOnlyError("Ledger entries are append-only; record a reversing entry.")


class CapitalSource(models.TextChoices):
    """Who the money comes from or goes to, for balances by source."""

    KMD = "kmd", _("KMD (staten)")
    KS = "ks", _("KS")
    MEMBERS = "members", _("Kommuner og fylkeskommuner")
    ACCESS_FEES = "access_fees", _("Tilknytningskostnader")
    PROJECTS = "projects", _("Prosjekter")
    CONTRIBUTORS = "contributors", _("Tilbakebetaling til bidragsytere")


class LedgerEntry(models.Model):
    """One movement of money into (positive) or out of (negative) the fund's capital."""

    class Kind(models.TextChoices):
        MEMBER_SHARE = "member_share", _("Andel fra medlem")
        STATE_GRANT = "state_grant", _("Tilskudd fra KMD")
        KS_CAPITAL = "ks_capital", _("Kapital fra KS")
        DISBURSEMENT = "disbursement", _("Utbetaling til prosjekt")
        ACCESS_FEE = "access_fee", _("Tilknytningskostnad")
        ACCESS_FEE_REFUND = "access_fee_refund", _("Refusjon av tilknytningskostnad")
        CONTRIBUTOR_REPAYMENT = "contributor_repayment", _("Tilbakebetaling til bidragsyter")
        REVERSAL = "reversal", _("Korrigering (reversering)")

    # The sign each kind must carry; a reversal carries the opposite sign of what it reverses.
    INFLOW_KINDS = {Kind.MEMBER_SHARE, Kind.STATE_GRANT, Kind.KS_CAPITAL, Kind.ACCESS_FEE}
    OUTFLOW_KINDS = {Kind.DISBURSEMENT, Kind.ACCESS_FEE_REFUND, Kind.CONTRIBUTOR_REPAYMENT}

    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    source = models.CharField(_("kilde"), max_length=16, choices=CapitalSource.choices)
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("bokført dato"))
    description = models.CharField(_("tekst"), max_length=300)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("medlem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    # What the entry refers to (an invoice, a project, a solution, ...), without the ledger
    # importing those apps.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # Secondary attribution, e.g. an access fee is attributed to its solution and its project.
    project_ref = models.PositiveBigIntegerField(_("prosjekt-id"), null=True, blank=True)
    solution_ref = models.PositiveBigIntegerField(_("løsnings-id"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverserer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("posteringer i fondet")
        verbose_name_plural = _("fondsregnskap (posteringer)")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=money_q("amount", signed=True), name="ledger_amount_bounded"
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_reversal_has_target",
            ),
        ]
        indexes = [
            # Serves the ledger's ordering (-occurred_on, -id) and date ranges.
            models.Index(fields=["occurred_on", "id"], name="fund_ledger_occurred_id_idx"),
            models.Index(fields=["source", "occurred_on"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self):
        amount = format_nok(self.amount, decimals=True)
        return f"{self.occurred_on:%d.%m.%Y} {self.get_kind_display()} {amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Ledger entries are append-only; record a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only; record a reversing entry.")


class CapitalCommitment(models.Model):
    """Capital promised to the fund (KMD's grant, KS's ceiling). What is actually paid is in
    the ledger; committed and paid are separate numbers.

    A commitment of the members' source names the members that promised (the ten largest
    kommuner's 35 M, Storbynettverket's letter of 2 June 2017): it is their shares promised
    early, not extra money. It is fulfilled by those members' share payments and never added
    to the members' committed total (docs/decisions/fund-capital-sources-and-matching.md).
    The members are referred to by string, as LedgerEntry.member is: the ledger imports no app."""

    source = models.CharField(_("kilde"), max_length=16, choices=CapitalSource.choices)
    year = models.PositiveSmallIntegerField(_("år"))
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    is_ceiling = models.BooleanField(_("er et tak («inntil»)"), default=False)
    reference = models.CharField(_("vedtak/hjemmel"), max_length=200, blank=True)
    conditions = models.TextField(_("vilkår"), blank=True)
    members = models.ManyToManyField(
        "members.Member",
        verbose_name=_("medlemmer som ga tilsagnet"),
        blank=True,
        related_name="capital_commitments",
        help_text=_("Bare for tilsagn fra medlemmer: oppfylles av disse medlemmenes andeler."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kapitaltilsagn")
        verbose_name_plural = _("kapitaltilsagn")
        ordering = ["year", "source"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
            models.CheckConstraint(
                condition=year_q("year") & money_q("amount"), name="commitment_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.year}: {format_nok(self.amount, decimals=True)}"


class ForecastScenario(models.Model):
    """A named, saved set of assumptions for the self-financing forecast (digifin/overview).

    The numbers that come from the ledger and the portfolio (capital today, what granted
    projects may still draw) are read fresh on every run; the scenario stores only what a
    person assumes: the horizon, the pipeline and each solution's adoption curve."""

    name = models.CharField(_("navn"), max_length=120, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    years = models.PositiveSmallIntegerField(_("antall år"), default=5)
    grant_quarters = models.PositiveSmallIntegerField(
        _("kvartaler for utbetaling av innvilgede midler"), default=4
    )
    other_inflow_per_quarter = models.DecimalField(
        _("andre innbetalinger per kvartal"), max_digits=14, decimal_places=2, default=0
    )
    # {"pipeline": [{label, development_cost, start_offset, quarters}],
    #  "solutions": [{label, fee_per_adopter, potential_adopters, adopted_so_far, saturation,
    #                 launch_offset, ramp_quarters}]}; amounts as strings (Decimal, never float).
    assumptions = models.JSONField(_("forutsetninger"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("prognosescenario")
        verbose_name_plural = _("prognosescenarioer")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(years__gte=1) & Q(years__lte=30), name="scenario_years_range"
            ),
            models.CheckConstraint(
                condition=Q(grant_quarters__gte=1) & Q(grant_quarters__lte=40),
                name="scenario_grant_quarters_range",
            ),
            models.CheckConstraint(
                condition=Q(other_inflow_per_quarter__gte=0), name="scenario_other_inflow_ge_0"
            ),
        ]

    def __str__(self):
        return self.name


class FundReport(models.Model):
    """An annual fund report rendered to PDF by a Celery task (one per year; re-rendering
    replaces the file)."""

    year = models.PositiveSmallIntegerField(_("år"), unique=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("laget"), null=True, blank=True)

    class Meta:
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        ordering = ["-year"]

    def __str__(self):
        return f"Årsrapport {self.year}"
