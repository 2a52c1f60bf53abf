from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_status


@require_GET
def home(request):
    """The public start page; signed-in users see their role's entry points."""
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    """Database and broker status. A broker that is not configured (the embedded default,
    tasks run eagerly) is healthy."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        database = f"error: {exc.__class__.__name__}"
    broker = broker_status()
    healthy = database == "ok" and broker in ("ok", "not configured")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
