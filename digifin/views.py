from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_status
from .task_list import tasks_for

HOME_TASKS = 5  # the start page shows the first few; /oppgaver/ shows them all

# The statement's facts, changed when it is revised (docs/accessibility.md says how).
ACCESSIBILITY_STATEMENT = {
    "issued": date(2026, 12, 3),
    "last_tested": date(2026, 12, 3),
    "standard": "WCAG 2.1 AA",
}


@require_GET
def home(request):
    """The public start page; signed-in users see their role's entry points and the first of
    the tasks waiting for them («Mine oppgaver»)."""
    context = {}
    if request.user.is_authenticated:
        tasks = tasks_for(request.user)
        context = {"tasks": tasks[:HOME_TASKS], "task_total": len(tasks)}
    return render(request, "home.html", context)


@login_required
@require_GET
def my_tasks(request):
    """«Mine oppgaver»: everything waiting for the user (digifin/task_list.py)."""
    return render(request, "my_tasks.html", {"tasks": tasks_for(request.user)})


@require_GET
def accessibility_statement(request):
    """The accessibility statement (tilgjengelighetserklæring) in the uustatus format:
    solution, conformance against WCAG 2.1 AA, known deviations, how it was tested, feedback and
    the complaint route. Public, linked from every page's footer."""
    return render(
        request,
        "accessibility.html",
        {"contact_email": settings.DIGIFIN_CONTACT_EMAIL, "statement": ACCESSIBILITY_STATEMENT},
    )


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
