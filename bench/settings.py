"""Settings for the benchmark and its Celery worker: the test settings (DEBUG off, fast password
hashing) on the database in DATABASE_URL, real Celery on CELERY_BROKER_URL, files and e-mail in
a temp dir (scripts/bench.sh sets DIGIFIN_BENCH_DIR)."""

import os

from digifin.settings.test import *  # noqa: F403

_dir = os.environ.get("DIGIFIN_BENCH_DIR", "/tmp/digifin-bench")  # noqa: S108
MEDIA_ROOT = os.path.join(_dir, "media")
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.path.join(_dir, "mail")
# The pages are requested through Django's test Client in-process, without
# setup_test_environment(): its template instrumentation (a signal and a context copy per
# rendered template and widget) is test machinery that no served request pays.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
# Persistent database connections as in production (digifin/settings/production.py): with the
# default of 0 the worker opened a new PostgreSQL connection (a new backend with cold caches)
# for every task.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
