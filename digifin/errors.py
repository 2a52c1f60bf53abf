"""DigiFin's own error pages (400, 403, 404, 500 and CSRF failure) in the site's look and the
user's language, each with the way on: log in, back to the start page, contact KS.

400/403/404 and the CSRF page render with the request's context (navigation, signed-in user).
500 renders a plain template that extends a minimal base and runs no context processor: the
database or a processor may be what failed (docs/decisions/pages-errors-and-debug-off.md)."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


def _contact():
    return {"contact_email": settings.DIGIFIN_CONTACT_EMAIL}


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "errors/400.html", _contact(), status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", _contact(), status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", _contact(), status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: an expired or missing form token (often a form left open too long or
    cookies blocked), told in plain words with the way back."""
    return render(request, "errors/403_csrf.html", _contact(), status=403)


@requires_csrf_token
def server_error(request):
    template = loader.get_template("errors/500.html")
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    body = template.render({"contact_email": settings.DIGIFIN_CONTACT_EMAIL, "lang": language})
    return HttpResponseServerError(body)
