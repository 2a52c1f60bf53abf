from django.apps import AppConfig


class DigifinConfig(AppConfig):
    """The project package: settings, URLs, Celery, the site's template tags and `load_demo`.

    No models; it sits on top of every app (see the import contract in pyproject.toml)."""

    name = "digifin"
    label = "digifin"
    verbose_name = "DigiFin"
