"""Local development: the embedded default (SQLite, eager Celery) unless the environment says
otherwise."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-dev-only-not-secret")  # noqa: S105
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: E402,F403

# runserver serves static files from the finders; nothing is collected locally.
STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The keyed hash of persons' identifiers (ID-porten pid); production sets its own.
DIGIFIN_IDENTITY_HASH_KEY = os.environ.get(
    "DIGIFIN_IDENTITY_HASH_KEY", "local-dev-identity-hash-key"
)
