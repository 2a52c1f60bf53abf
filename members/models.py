"""Who is in the fund: kommuner, fylkeskommuner (and KS), and their participation."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.no import orgnr as orgnr_std

from core.bounds import RATE_MAX, money_q, population_q
from core.formatting import format_number
from core.money import format_nok


def validate_orgnr(value: str):
    if value and not orgnr_std.is_valid(value):
        raise ValidationError(
            _("%(value)s er ikke et gyldig organisasjonsnummer (MOD11)."),
            params={"value": value},
        )


class Maalform(models.TextChoices):
    """Written standard of a member's letters and invoices (målform)."""

    BOKMAL = "bokmal", _("Bokmål")
    NYNORSK = "nynorsk", _("Nynorsk")
    NOYTRAL = "noytral", _("Nøytral")


class Member(models.Model):
    class Kind(models.TextChoices):
        KOMMUNE = "kommune", _("Kommune")
        FYLKESKOMMUNE = "fylkeskommune", _("Fylkeskommune")
        KS = "ks", _("KS")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    # kommunenummer (4 digits) or fylkesnummer (2 digits); text so that 0301 keeps its zero.
    number = models.CharField(_("nummer"), max_length=4)
    name = models.CharField(_("navn"), max_length=120)
    orgnr = models.CharField(
        _("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_orgnr]
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    county = models.ForeignKey(
        "self",
        verbose_name=_("fylke"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        limit_choices_to={"kind": "fylkeskommune"},
    )
    # Oslo 2017 was both kommune (0301) and fylke (03): the fylke's share is billed with the
    # kommune, one legal entity and one invoice (docs/decisions/members-oslo.md).
    billed_with = models.ForeignKey(
        "self",
        verbose_name=_("faktureres sammen med"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billed_members",
    )
    email = models.EmailField(_("e-post (post og faktura)"), blank=True)
    # The address printed on invoices, EHF and letters: composed from Enhetsregisteret's
    # postadresse (else forretningsadresse) when a refresh is applied; KS may correct it, and
    # the next refresh shows the difference before overwriting (members/register.py).
    address = models.TextField(_("postadresse"), blank=True)

    # --- from Enhetsregisteret (docs/decisions/members-enhetsregisteret.md) ---
    register_name = models.CharField(_("navn i Enhetsregisteret"), max_length=200, blank=True)
    postal_address = models.TextField(_("adresselinjer"), blank=True)
    postnummer = models.CharField(_("postnummer"), max_length=10, blank=True)
    poststed = models.CharField(_("poststed"), max_length=100, blank=True)
    organisasjonsform = models.CharField(_("organisasjonsform"), max_length=8, blank=True)
    register_deleted = models.BooleanField(_("slettet i Enhetsregisteret"), default=False)
    register_deleted_on = models.DateField(_("slettedato"), null=True, blank=True)
    register_bankrupt = models.BooleanField(_("konkurs"), default=False)
    register_winding_up = models.BooleanField(_("under avvikling"), default=False)
    register_maalform = models.CharField(
        _("målform i Enhetsregisteret"),
        max_length=8,
        blank=True,
        choices=[
            (Maalform.BOKMAL, Maalform.BOKMAL.label),
            (Maalform.NYNORSK, Maalform.NYNORSK.label),
        ],
    )
    # KS's own setting wins over the register; only KS sets «nøytral».
    maalform = models.CharField(
        _("målform (KS)"),
        max_length=8,
        blank=True,
        choices=Maalform.choices,
        help_text=_("Tom: følger Enhetsregisteret."),
    )
    refreshed_at = models.DateTimeField(_("hentet fra Enhetsregisteret"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medlem")
        verbose_name_plural = _("medlemmer")
        ordering = ["number", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number", "valid_from"], name="member_unique_number_period"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="member_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["kind", "number"])]

    def __str__(self):
        return self.option_label(self.number, self.name)

    @staticmethod
    def option_label(number, name) -> str:
        """How a member is named in lists and choices: "number name" (the name alone without
        a number). Long member choices build it from the two columns without a Member."""
        return f"{number} {name}" if number else name

    @property
    def effective_maalform(self) -> str:
        """The målform letters and invoices follow: KS's setting, else the register's, else
        bokmål."""
        return self.maalform or self.register_maalform or Maalform.BOKMAL

    def get_effective_maalform_display(self) -> str:
        return Maalform(self.effective_maalform).label


class Participation(models.Model):
    """A member's participation in the fund: invited → confirmed → invoiced → paid, or declined.

    A member is a participant (may apply for support) from its confirmation; it may take
    solutions into use only when its share is fully paid. The allowed transitions are the table
    in members/workflow.py; every change of status goes through its perform_transition (called
    from members/services.py), which logs each one as a ParticipationEvent."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invitert")
        CONFIRMED = "confirmed", _("Bekreftet")
        INVOICED = "invoiced", _("Fakturert")
        PAID = "paid", _("Betalt")
        DECLINED = "declined", _("Takket nei")

    PARTICIPANT_STATUSES = (Status.CONFIRMED, Status.INVOICED, Status.PAID)

    member = models.OneToOneField(
        Member, verbose_name=_("medlem"), on_delete=models.PROTECT, related_name="participation"
    )
    # Changed only through members.workflow (read-only in the admin), so each change is logged.
    status = models.CharField(
        _("status"), max_length=50, default=Status.INVITED, choices=Status.choices
    )
    invited_on = models.DateField(_("invitert"), null=True, blank=True)
    decided_on = models.DateField(_("vedtaksdato"), null=True, blank=True)
    decision_reference = models.CharField(_("vedtaksreferanse"), max_length=120, blank=True)
    fakturareferanse = models.CharField(_("fakturareferanse"), max_length=120, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=120, blank=True)
    contact_email = models.EmailField(_("kontaktens e-post"), blank=True)
    # Frozen when invoiced: later population imports never change an issued amount.
    share_amount = models.DecimalField(
        _("andel (fakturert)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    invoiced_on = models.DateField(_("fakturert"), null=True, blank=True)
    paid_on = models.DateField(_("betalt"), null=True, blank=True)
    declined_on = models.DateField(_("takket nei"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deltakelse")
        verbose_name_plural = _("deltakelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_amount__isnull=True) | Q(share_amount__gte=0),
                name="participation_share_not_negative",
            ),
            models.CheckConstraint(
                condition=money_q("share_amount", nullable=True),
                name="participation_share_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"

    @property
    def is_participant(self) -> bool:
        return self.status in self.PARTICIPANT_STATUSES


class ParticipationEvent(models.Model):
    """The log of a participation's transitions: who, when, from, to, and a note."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=16, choices=Participation.Status.choices)
    to_status = models.CharField(max_length=16, choices=Participation.Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")


class MemberSuccession(models.Model):
    """A predecessor → successor link from a merge, split or renumbering (2018, 2020, 2024).

    `fraction` is the part of the predecessor that went to the successor: 1 for a merge or a
    renumbering; for a split (Tysfjord 2020, Snillfjord 2020, Ålesund/Haram 2024) the part of its
    population, so that the predecessor's share and payments are divided by population
    (docs/decisions/members-splits.md)."""

    predecessor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="predecessor_links"
    )
    changed_on = models.DateField(_("endret fra"))
    fraction = models.DecimalField(
        _("andel av forgjengeren"), max_digits=5, decimal_places=4, default=1
    )
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sammenslåing/deling")
        verbose_name_plural = _("sammenslåinger og delinger")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="member_succession_unique"
            ),
            models.CheckConstraint(
                condition=Q(fraction__gt=0) & Q(fraction__lte=1),
                name="member_succession_fraction_range",
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="member_succession_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.changed_on:%Y})"


class PopulationFigure(models.Model):
    """A population figure from SSB for one member and one reference period.

    Periods: `2017` = 1 January 2017 (table 07459), `2017K2` = end of 2nd quarter 2017
    (table 01222)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="population")
    period = models.CharField(_("periode"), max_length=8)
    population = models.PositiveIntegerField(_("innbyggere"))
    table = models.CharField(_("SSB-tabell"), max_length=16, blank=True)
    source = models.CharField(_("kilde"), max_length=200)
    imported_at = models.DateTimeField(_("importert"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("innbyggertall")
        verbose_name_plural = _("innbyggertall")
        ordering = ["member__number", "period"]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="population_unique_period"),
            models.CheckConstraint(
                condition=population_q("population"), name="population_figure_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.period}: {format_number(self.population)}"


def period_label(period: str) -> str:
    """`2017` → `1.1.2017`; `2017K2` → `2. kvartal 2017`; anything else as is."""
    if len(period) == 4 and period.isdigit():
        return f"1.1.{period}"
    if len(period) == 6 and period[4] == "K" and period[:4].isdigit():
        return f"{period[5]}. kvartal {period[:4]}"
    return period


class ContributionBasis(models.Model):
    """The recorded population a member's share is computed from: a fact, not a recomputation.

    Only members of the 2017 structure have one; a successor's share is the sum of its
    predecessors' shares."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="contribution_basis"
    )
    population = models.PositiveIntegerField(_("innbyggere"))
    period = models.CharField(_("periode"), max_length=8)
    source = models.CharField(_("kilde"), max_length=200)
    recorded_at = models.DateTimeField(_("registrert"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("beregningsgrunnlag")
        verbose_name_plural = _("beregningsgrunnlag")
        constraints = [
            models.CheckConstraint(
                condition=population_q("population"), name="basis_population_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {format_number(self.population)} ({self.period})"

    @property
    def period_label(self) -> str:
        return period_label(self.period)


class ContributionRate(models.Model):
    """Kroner per inhabitant for a kind of member (data, not code): 20 kommune, 5 fylke."""

    kind = models.CharField(_("type"), max_length=16, choices=Member.Kind.choices)
    per_inhabitant = models.DecimalField(_("kroner per innbygger"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("gyldig fra"))
    reference = models.CharField(_("vedtak"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sats")
        verbose_name_plural = _("satser")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="rate_unique_kind_from"),
            models.CheckConstraint(condition=Q(per_inhabitant__gte=0), name="rate_not_negative"),
            models.CheckConstraint(condition=Q(per_inhabitant__lte=RATE_MAX), name="rate_bounded"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {format_nok(self.per_inhabitant, decimals=True)}"


class ParticipationCorrespondence(models.Model):
    """A confirmation or a decline that reached KS by e-mail, recorded by a KS user with the
    document that came with it. The status change itself goes through the transition table
    (members/workflow.py); `event` is the ParticipationEvent it wrote. `submission_key` comes
    from the form, so a second submission of the same form is recognised and changes nothing."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Bekreftelse")
        DECLINE = "decline", _("Takker nei")

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="correspondence"
    )
    event = models.OneToOneField(
        ParticipationEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    received_on = models.DateField(_("mottatt"))
    reference = models.CharField(_("deres referanse"), max_length=120)
    fakturareferanse = models.CharField(_("fakturareferanse"), max_length=120, blank=True)
    file = models.FileField(_("dokument"), upload_to="members/correspondence/%Y/")
    original_name = models.CharField(_("filnavn"), max_length=200)
    content_type = models.CharField(_("filtype"), max_length=100)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    submission_key = models.UUIDField(unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("innkommende e-post")
        verbose_name_plural = _("innkommende e-poster")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.participation.member}: {self.get_kind_display()} {self.received_on}"


class RegisterRefresh(models.Model):
    """One look-up of members in Enhetsregisteret: the differences it found (field, old, new),
    shown to KS before anything changes, the members it could not refresh and why, and when
    KS applied the differences (members/register.py)."""

    class Status(models.TextChoices):
        FETCHING = "fetching", _("Henter")
        READY = "ready", _("Klar til kontroll")
        APPLIED = "applied", _("Brukt")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FETCHING
    )
    # The members asked for (ids); empty = every member with an organisasjonsnummer.
    member_ids = models.JSONField(default=list, blank=True)
    checked = models.PositiveIntegerField(_("kontrollert"), default=0)
    # [{"member": id, "name": str, "orgnr": str, "fields": [[field, old, new], ...]}]
    changes = models.JSONField(default=list, blank=True)
    # [{"member": id, "name": str, "orgnr": str, "reason": str}]
    failures = models.JSONField(default=list, blank=True)
    # After applying: [{"member": id, "name": str, "reason": str}] for members skipped because
    # they were changed after the look-up.
    skipped = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("hentet"), auto_now_add=True)
    fetched_at = models.DateTimeField(_("ferdig hentet"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("brukt"), null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("henting fra Enhetsregisteret")
        verbose_name_plural = _("hentinger fra Enhetsregisteret")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.created_at:%d.%m.%Y %H:%M}"
