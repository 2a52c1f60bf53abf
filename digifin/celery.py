"""The Celery app. Broker and result backend come from the environment (see settings.base).

Without CELERY_BROKER_URL the tasks run eagerly in-process (the embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digifin.settings.local")

# DjangoTask gives every task .delay_on_commit(): enqueue only after the transaction commits.
app = Celery("digifin", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
if app.conf.task_always_eager and not app.conf.broker_url:
    # An eager apply_async still takes a producer from the pool: in memory, instead of a
    # connection object to a default localhost broker (and kombu's "No hostname" warning).
    app.conf.broker_url = "memory://localhost/"
app.autodiscover_tasks()
