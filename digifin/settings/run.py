"""`make run`: the embedded default (SQLite, eager Celery) served as production serves it, so a
newcomer sees what users see: DEBUG off (DigiFin's own error pages, never Django's debug page),
static files collected and served by WhiteNoise with hashed names, gunicorn in front.

Developers who want the debug page and auto-reload use `make dev` (digifin.settings.local)."""

import os

# DEMO ONLY: a fixed, public key for the demo on 127.0.0.1. It is in production's list of
# refused keys (digifin/settings/production.py), so it can never sign a real session.
os.environ.setdefault("DJANGO_SECRET_KEY", "local-dev-only-not-secret")  # noqa: S105

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

# Off whatever the environment says: this command exists to show what users see.
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# STATIC_ROOT and the WhiteNoise manifest storage come from base, as in production;
# scripts/run.sh collects the files before it starts the server.
