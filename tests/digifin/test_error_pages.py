"""DigiFin's own error pages (issue 20 §2): 400, 403, 404, 500 and CSRF failure in the site's
look, with the navigation and the way on, in the user's language; DEBUG is off in tests."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from digifin import errors
from digifin.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("deliberate")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [*site_urls, path("test-boom/", _boom), path("test-forbidden/", _forbidden)]
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error


def _assert_digifin_page(response, status):
    assert response.status_code == status
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert 'aria-label="Hovedmeny"' in html  # the site's header and navigation
    assert 'href="/"' in html  # the way back to the start page
    assert settings.DIGIFIN_CONTACT_EMAIL in html
    assert "Tilgjengelighetserklæring" in html  # the site's footer
    return html


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


def test_unknown_url_renders_the_digifin_404(client):
    html = _assert_digifin_page(client.get("/finnes-ikke/"), 404)
    assert "Vi fant ikke siden" in html
    assert "URLconf" not in html
    assert "/konto/logg-inn/?next=/finnes-ikke/" in html  # anonymous: offered to log in


def test_404_speaks_the_users_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/finnes-ikke/").content.decode()
    assert "We could not find the page" in html
    assert 'lang="en"' in html


def test_403_for_a_role_without_access_is_the_digifin_page(municipal_client):
    html = _assert_digifin_page(municipal_client.get("/medlemmer/oversikt/"), 403)
    assert "Du har ikke tilgang til denne siden" in html
    assert "403 Forbidden" not in html
    assert "Min organisasjon" in html  # the user's own navigation, to go on from


@override_settings(ROOT_URLCONF=__name__)
def test_permission_denied_raised_in_any_view_shows_the_digifin_403(client):
    html = _assert_digifin_page(client.get("/test-forbidden/"), 403)
    assert "Du må logge inn" in html


def test_csrf_failure_is_the_digifin_page(municipal_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(municipal_user)
    html = _assert_digifin_page(
        client.post("/medlemmer/min-organisasjon/bekreft-deltakelse/", {}), 403
    )
    assert "Skjemaet kunne ikke sendes" in html
    assert "CSRF" not in html


def test_bad_request_handler_renders():
    request = RequestFactory().get("/")
    request.user = _anonymous()
    response = errors.bad_request(request)
    assert response.status_code == 400
    assert "Forespørselen kunne ikke behandles" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_500_renders_the_plain_digifin_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Noe gikk galt hos oss" in html
    assert 'href="/"' in html
    assert settings.DIGIFIN_CONTACT_EMAIL in html
    assert "Traceback" not in html


def test_500_renders_without_database_or_context_processors(django_assert_num_queries):
    request = RequestFactory().get("/")  # no user, no session: nothing a processor could read
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.content.decode()


def _anonymous():
    return AnonymousUser()
