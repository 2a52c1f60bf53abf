"""Settings for the drill's own processes (tests/drills/drill.py): the test settings on the
drill's dedicated PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL from the environment),
real Celery, files and e-mail in the drill's temp dir, and the batch sweep (Celery beat) on a
short clock so that a lost task is picked up within the drill's time."""

import os

from digifin.settings.test import *  # noqa: F403
from digifin.settings.test import CELERY_BEAT_SCHEDULE, DATABASES

# As production: a reused connection is checked before use (a restarted PostgreSQL).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
MEDIA_ROOT = os.environ["DIGIFIN_MEDIA_ROOT"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["DIGIFIN_DRILL_MAIL_DIR"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = "drill"
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 2.0}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name == "invoicing-sweep-batches"
}
DIGIFIN_BATCH_STALE_SECONDS = 4
