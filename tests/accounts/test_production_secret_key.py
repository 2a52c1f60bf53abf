"""Production settings refuse a public or short secret key at start-up (ImproperlyConfigured),
and accept a generated one. Each case imports the settings in a fresh interpreter, as a server
process would."""

import os
import re
import secrets
import subprocess  # noqa: S404  (runs our own interpreter on our own settings)
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _start(secret_key):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="digifin.settings.production")
    environment.update(DATABASE_URL="sqlite:////tmp/digifin-secret-key-check.sqlite3")
    if secret_key is not None:
        environment["DJANGO_SECRET_KEY"] = secret_key
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _example_key():
    return re.search(r"^DJANGO_SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.M)[1]


@pytest.mark.parametrize(
    "key",
    [_example_key(), "local-dev-only-not-secret", "test-only-not-secret"],
    ids=["env-example", "local", "test"],
)
def test_the_public_example_keys_are_refused(key):
    result = _start(key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "example key" in result.stderr


@pytest.mark.parametrize("key", ["", "x" * 10, secrets.token_urlsafe(30)[:49]])
def test_short_keys_are_refused(key):
    result = _start(key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "too short" in result.stderr
    assert "at least 50 characters" in result.stderr


@pytest.mark.skipif((ROOT / ".env").exists(), reason="a local .env supplies the key")
def test_a_missing_key_is_refused():
    result = _start(None)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_generated_key_starts():
    result = _start(secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
