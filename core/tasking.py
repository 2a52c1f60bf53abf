"""Enqueueing Celery tasks so that nothing is lost when the broker is down.

`enqueue_on_commit` publishes a task after the transaction commits. If Redis is unreachable at
that moment the request still succeeds (the data is committed) and the failure is logged; the
app's own pending state (e.g. a transition row with `notified_at` unset) is its outbox, and a
periodic sweep task re-enqueues whatever is still pending once the broker is back. Tasks must
therefore be idempotent: claim the row first, then act."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def publish(task, *args, **kwargs) -> bool:
    """Publish now; False (and a log line) instead of an exception when the broker is down."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    except Exception:  # the broker's errors come from kombu, redis or sockets
        logger.exception("Could not publish %s; the periodic sweep will retry it", task.name)
        return False


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: publish(task, *args, **kwargs), robust=True)
