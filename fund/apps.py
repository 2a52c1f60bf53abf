from django.apps import AppConfig


class FundConfig(AppConfig):
    """The fund itself: the append-only ledger and the capital sources."""

    name = "fund"
    label = "fund"
    verbose_name = "Fondet"
    default_auto_field = "django.db.models.BigAutoField"
