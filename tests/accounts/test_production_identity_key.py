"""With ID-porten configured, production refuses to start without its own key for the keyed
hash of pid (not the secret key, not the example), and starts with one."""

import os
import secrets
import subprocess  # noqa: S404  (runs our own interpreter on our own settings)
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECRET = secrets.token_urlsafe(50)


def _start(identity_key):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "DIGIFIN_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="digifin.settings.production",
        DATABASE_URL="sqlite:////tmp/digifin-identity-key-check.sqlite3",
        DJANGO_SECRET_KEY=SECRET,
        DIGIFIN_IDPORTEN_ISSUER="https://test.idporten.no",
        DIGIFIN_IDPORTEN_CLIENT_ID="digifin-test",
    )
    if identity_key is not None:
        environment["DIGIFIN_IDENTITY_HASH_KEY"] = identity_key
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "identity_key",
    [None, "short", SECRET, "change-me-too"],
    ids=["unset", "short", "secret", "example"],
)
def test_production_with_idporten_refuses_a_missing_or_weak_identity_key(identity_key):
    result = _start(identity_key)
    assert result.returncode != 0
    assert "DIGIFIN_IDENTITY_HASH_KEY" in result.stderr


def test_production_with_idporten_starts_with_its_own_identity_key():
    result = _start(secrets.token_urlsafe(40))
    assert result.returncode == 0, result.stderr
