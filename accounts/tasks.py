"""Celery tasks for accounts: the nightly clean-up of consumed one-time form tokens."""

from celery import shared_task

from .once import purge_consumed


@shared_task(name="accounts.tasks.once_tokens_purge")
def once_tokens_purge() -> int:
    """Delete consumed form tokens older than their signature's lifetime (CELERY_BEAT_SCHEDULE).
    Idempotent: a second run finds nothing more to delete."""
    return purge_consumed()
