import redis
from django.conf import settings


def broker_status() -> str:
    """'ok', 'not configured' or 'error: …' for the Celery broker (Redis)."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
