"""Invoices (every kind), their lines, payments, bank imports, reminders, letters and batch jobs.

An issued invoice is never edited: its money fields are frozen by `Invoice.save` (only the
generated files, the status and the paid date may change afterwards). A correction is a credit
note, which is itself an `Invoice` with `document_type=credit_note` referring to the original."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import format_nok


class ImmutableInvoiceError(Exception):
    """Raised on an attempt to change an issued invoice; issue a credit note instead."""


class InvoiceNumberCounter(models.Model):
    """The last number used per series and year. Locked with SELECT … FOR UPDATE in the same
    transaction that creates the invoice, so numbers are gapless and unique."""

    series = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("fakturanummerteller")
        verbose_name_plural = _("fakturanummertellere")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="invoice_counter_unique")
        ]

    def __str__(self):
        return f"{self.series} {self.year}: {self.last_number}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        MEMBER_SHARE = "member_share", _("Andel i ordningen")
        ACCESS_FEE = "access_fee", _("Tilknytningskostnad")
        FDVU = "fdvu", _("FDVU-andel")
        MANUAL = "manual", _("Manuell faktura")

    class DocumentType(models.TextChoices):
        INVOICE = "invoice", _("Faktura")
        CREDIT_NOTE = "credit_note", _("Kreditnota")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Utstedt")
        PARTLY_PAID = "partly_paid", _("Delvis betalt")
        PAID = "paid", _("Betalt")
        CREDITED = "credited", _("Kreditert")

    # Fields that may change after issue; everything else is frozen.
    MUTABLE_FIELDS = frozenset({"status", "paid_on", "pdf", "ehf_xml", "emailed_at"})

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    document_type = models.CharField(
        _("dokumenttype"), max_length=16, choices=DocumentType.choices, default="invoice"
    )
    series = models.CharField(_("serie"), max_length=8)
    year = models.PositiveSmallIntegerField(_("år"))
    sequence = models.PositiveIntegerField(_("løpenummer"))
    number = models.CharField(_("fakturanummer"), max_length=32, unique=True)
    source_key = models.CharField(_("kildenøkkel"), max_length=120, unique=True)
    buyer = models.ForeignKey(
        "members.Member",
        verbose_name=_("kjøper"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # A snapshot of the buyer on the day of issue: later edits of the member never change it.
    buyer_name = models.CharField(_("kjøpers navn"), max_length=200)
    buyer_orgnr = models.CharField(_("kjøpers organisasjonsnummer"), max_length=9)
    buyer_address = models.TextField(_("kjøpers adresse"), blank=True)
    buyer_email = models.EmailField(_("kjøpers e-post"), blank=True)
    # The language of the PDF and the e-mail, from the buyer's målform on the day of issue
    # (docs/decisions/i18n-documents-maalform.md); the EHF is language-neutral.
    buyer_language = models.CharField(
        _("dokumentspråk"),
        max_length=8,
        choices=[("nb", _("bokmål")), ("nn", _("nynorsk"))],
        default="nb",
    )
    fakturareferanse = models.CharField(_("fakturareferanse"), max_length=120)
    issued_on = models.DateField(_("fakturadato"))
    due_on = models.DateField(_("forfallsdato"))
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    currency = models.CharField(_("valuta"), max_length=3, default="NOK")
    net_total = models.DecimalField(_("sum eks. mva."), max_digits=14, decimal_places=2)
    vat_total = models.DecimalField(_("mva."), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("å betale"), max_digits=14, decimal_places=2)
    credits = models.ForeignKey(
        "self",
        verbose_name=_("krediterer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    credit_reason = models.CharField(_("årsak til kreditering"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ISSUED
    )
    paid_on = models.DateField(_("betalt"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/pdf/%Y/", blank=True)
    ehf_xml = models.FileField(_("EHF"), upload_to="invoices/ehf/%Y/", blank=True)
    emailed_at = models.DateTimeField(_("sendt på e-post"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("faktura")
        verbose_name_plural = _("fakturaer")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="invoice_number_unique"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("issued_on")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=~Q(fakturareferanse=""), name="invoice_has_fakturareferanse"
            ),
            models.CheckConstraint(
                condition=Q(document_type="invoice", credits__isnull=True)
                | Q(document_type="credit_note", credits__isnull=False),
                name="invoice_credit_note_refers",
            ),
        ]
        indexes = [models.Index(fields=["kid"]), models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_document_type_display()} {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS:
                raise ImmutableInvoiceError(
                    gettext("En utstedt faktura kan ikke endres; lag en kreditnota.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableInvoiceError(
            gettext("En utstedt faktura kan ikke slettes; lag en kreditnota.")
        )

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == self.DocumentType.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("beskrivelse"), max_length=300)
    quantity = models.DecimalField(_("antall"), max_digits=14, decimal_places=2)
    unit_code = models.CharField(_("enhet"), max_length=8, default="EA")
    unit_price = models.DecimalField(_("enhetspris"), max_digits=14, decimal_places=2)
    net_amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(_("mva-kategori"), max_length=2, default="O")
    vat_rate = models.DecimalField(_("mva-sats"), max_digits=5, decimal_places=2, default=0)
    vat_exemption_reason = models.CharField(_("fritaksgrunn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fakturalinje")
        verbose_name_plural = _("fakturalinjer")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            models.CheckConstraint(condition=Q(net_amount__gte=0), name="invoice_line_not_neg"),
        ]

    def __str__(self):
        return self.description


class BankImport(models.Model):
    """One imported bank file (camt.054). The file's SHA-256 makes a re-import a no-op."""

    filename = models.CharField(_("filnavn"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(_("meldings-id"), max_length=120, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bankimport")
        verbose_name_plural = _("bankimporter")
        ordering = ["-imported_at"]

    def __str__(self):
        return self.filename


class Payment(models.Model):
    """Money received. Matched to an invoice (by KID or by hand), or left unmatched for a human."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Registrert manuelt")
        CAMT054 = "camt054", _("Bankfil (camt.054)")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    amount = models.DecimalField(_("beløp"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("betalt"))
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    reference = models.CharField(_("referanse"), max_length=200, blank=True)
    payer = models.CharField(_("betaler"), max_length=200, blank=True)
    source = models.CharField(_("kilde"), max_length=16, choices=Source.choices)
    # The bank's unique reference of the transaction (or a manual idempotency key).
    external_ref = models.CharField(max_length=160, unique=True, null=True, blank=True)
    bank_import = models.ForeignKey(
        BankImport, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    resolved = models.BooleanField(_("behandlet"), default=True)
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Audit trail: who changed what, when (visible to KS staff in the admin).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innbetaling")
        verbose_name_plural = _("innbetalinger")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            # The few bank lines left for a human among every payment there is: KS's task
            # list counts them on every request (issue 22, docs/bench.md).
            models.Index(
                fields=["-paid_on", "-id"],
                condition=Q(resolved=False),
                name="payment_unresolved_idx",
            ),
        ]

    def __str__(self):
        return f"{self.paid_on:%d.%m.%Y} {format_nok(self.amount, decimals=True)} {self.kid}"


class Document(models.Model):
    """A letter or invoice file kept on the member, downloadable by its users and KS staff."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Faktura")
        INVITATION = "invitation", _("Invitasjon")
        CONFIRMATION = "confirmation", _("Bekreftelse på deltakelse")
        DECISION = "decision", _("Vedtaksbrev")
        ACCESS_CONFIRMATION = "access_confirmation", _("Bekreftelse på tilgang")
        REMINDER = "reminder", _("Purring")
        MINUTES = "minutes", _("Protokoll")
        GRANT = "grant", _("Tilsagnsbrev")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="invoicing_documents"
    )
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    file = models.FileField(_("fil"), upload_to="documents/%Y/")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    # Natural idempotency key: "invitation:<member id>", "reminder:<invoice id>:<n>", ...
    source_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenter")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class OutgoingEmail(models.Model):
    """One e-mail we send, claimed by its natural key before sending: sent at most once."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    key = models.CharField(max_length=160, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("utgående e-post")
        verbose_name_plural = _("utgående e-post")

    def __str__(self):
        return f"{self.key} → {self.to}"


class Reminder(models.Model):
    """A purring for an overdue invoice; at most one per invoice and interval."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    sequence = models.PositiveSmallIntegerField(_("purring nr."))
    sent_on = models.DateField(_("dato"))
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="reminder"
    )

    class Meta:
        verbose_name = _("purring")
        verbose_name_plural = _("purringer")
        ordering = ["invoice", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "sequence"], name="reminder_unique_seq"),
        ]

    def __str__(self):
        return f"{self.invoice} purring {self.sequence}"


class BatchJob(models.Model):
    """A batch started by KS staff, one item per member; its progress is counted from items."""

    class Kind(models.TextChoices):
        INVOICE_SHARES = "invoice_shares", _("Fakturer alle bekreftede medlemmer")
        INVITATIONS = "invitations", _("Send invitasjonsbrev")
        REMINDERS = "reminders", _("Lag purringer")

    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("massejobb")
        verbose_name_plural = _("massejobber")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%d.%m.%Y %H:%M}"


class BatchItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    job = models.ForeignKey(BatchJob, on_delete=models.CASCADE, related_name="items")
    # What the item is about: a member id (invoices, invitations) or an invoice id (reminders).
    object_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.SET_NULL, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("massejobbelement")
        verbose_name_plural = _("massejobbelementer")
        constraints = [
            models.UniqueConstraint(fields=["job", "object_id"], name="batch_item_unique"),
        ]
        indexes = [models.Index(fields=["job", "status"])]

    def __str__(self):
        return f"{self.job_id}:{self.object_id} {self.status}"
