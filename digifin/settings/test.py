"""Test settings. The test command sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis);
`make test-fast` runs on SQLite without them."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")  # noqa: S105

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STATIC_ROOT = None  # nothing is collected in tests
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; tests marked for the real worker switch this off
# (tests/conftest.py: the `celery_worker` fixture).
CELERY_TASK_ALWAYS_EAGER = True
# Login throttling is tested on its own (tests/accounts/test_login_throttling.py enables it);
# elsewhere client.login() carries no request, which django-axes would refuse.
AXES_ENABLED = False
TEST_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Tests never reach data.brreg.no: a refused local port unless a test serves the register
# (tests/members/conftest.py: `register_server`).
ENHETSREGISTERET_URL = "http://127.0.0.1:9/enhetsregisteret/api"
ENHETSREGISTERET_TIMEOUT = 1.0
ENHETSREGISTERET_RETRIES = 0

# The keyed hash of persons' identifiers (ID-porten pid); production sets its own.
DIGIFIN_IDENTITY_HASH_KEY = "test-identity-hash-key"
