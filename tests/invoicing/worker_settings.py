"""Settings for the real Celery worker the kill test starts: the test settings, pointed at
pytest's test database, with files and e-mail in the test's temp dir (e-mail as files, so the
test can count every message the worker sent)."""

import os

from digifin.settings.test import *  # noqa: F403
from digifin.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["DIGIFIN_WORKER_DB_NAME"]
DATABASES["default"]["TEST"] = {"NAME": os.environ["DIGIFIN_WORKER_DB_NAME"]}
MEDIA_ROOT = os.environ["DIGIFIN_WORKER_MEDIA_ROOT"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["DIGIFIN_WORKER_MAIL_DIR"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["DIGIFIN_WORKER_QUEUE"]
