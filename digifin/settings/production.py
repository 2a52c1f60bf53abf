"""Production: PostgreSQL, Redis, real Celery workers, HTTPS behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DIGIFIN_IDENTITY_HASH_KEY, DIGIFIN_OIDC_PROVIDERS, SECRET_KEY, env

# ------------------------------------------------------------------------------
# The secret key signs sessions, password reset links and CSRF tokens: production refuses to
# start with a key anyone can read (the example in .env.example, the local and test defaults)
# or a short one.
# ------------------------------------------------------------------------------
KNOWN_EXAMPLE_SECRET_KEYS = {
    "change-me",  # .env.example
    "local-dev-only-not-secret",  # digifin/settings/local.py
    "test-only-not-secret",  # digifin/settings/test.py
}
SECRET_KEY_MIN_LENGTH = 50
_GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
if SECRET_KEY.strip() in KNOWN_EXAMPLE_SECRET_KEYS:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the example key from .env.example or the local/test settings, "
        f"which is public. Set a random key of at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"e.g. from: {_GENERATE}"
    )
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is too short ({len(SECRET_KEY)} characters): production needs a "
        f"random key of at least {SECRET_KEY_MIN_LENGTH} characters, e.g. from: {_GENERATE}"
    )

# ID-porten's pid (a fødselsnummer) is kept only as a keyed hash: with ID-porten on, production
# needs its own long random key for it, not the secret key.
if "idporten" in DIGIFIN_OIDC_PROVIDERS and (
    len(DIGIFIN_IDENTITY_HASH_KEY) < 32
    or DIGIFIN_IDENTITY_HASH_KEY == SECRET_KEY
    or DIGIFIN_IDENTITY_HASH_KEY == "change-me-too"  # .env.example
):
    raise ImproperlyConfigured(
        "DIGIFIN_IDENTITY_HASH_KEY must be a random key of at least 32 characters, different "
        f"from DJANGO_SECRET_KEY, when ID-porten is configured, e.g. from: {_GENERATE}"
    )

DEBUG = False
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A persistent connection is checked before reuse (a restarted PostgreSQL is reconnected to).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Two-factor authentication for KS staff is on in production unless explicitly switched off.
DIGIFIN_STAFF_REQUIRE_2FA = env.bool("DIGIFIN_STAFF_REQUIRE_2FA", default=True)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
