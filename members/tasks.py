"""Celery tasks of the member register: thin, take ids, idempotent."""

from celery import shared_task

from .models import RegisterRefresh
from .register import register_refresh_fetch


@shared_task(acks_late=True)
def register_refresh_fetch_task(refresh_id: int) -> None:
    """Look the members up in Enhetsregisteret for one RegisterRefresh (a second run of a
    fetched look-up does nothing)."""
    register_refresh_fetch(refresh=RegisterRefresh.objects.get(pk=refresh_id))
