"""The overview's own records: the reconciliation runs (overview/reconciliation.py).

The scenarios and annual reports the overview shows are models of the `fund` app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReconciliationRun(models.Model):
    """One run of the reconciliation: every check's status and the rows it names. Kept as
    history (the page lists the latest runs); a run is never edited after it finished."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nattlig")
        MANUAL = "manual", _("Startet av KS")
        COMMAND = "command", _("Kommando")

    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    ok = models.BooleanField(_("i orden"), null=True)
    trigger = models.CharField(_("startet av"), max_length=8, choices=Trigger.choices)
    # [{"name", "title", "ok", "rows": [str, ...], "count"}] in the order the checks ran.
    results = models.JSONField(_("resultater"), default=list, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kjørt av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("avstemming")
        verbose_name_plural = _("avstemminger")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at"], name="recon_started_idx")]

    def __str__(self):
        return f"Avstemming {self.started_at:%d.%m.%Y %H:%M}"

    @property
    def failed_checks(self) -> list[dict]:
        return [r for r in self.results if not r.get("ok")]
