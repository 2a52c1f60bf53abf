"""The foundation: start page, health check, roles and navigation, configuration files."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_sees_public_start_page_in_norwegian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert "Slik fungerer ordningen" in html
    assert reverse("accounts:login") in html


def test_english_is_available_through_the_language_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    if settings.CELERY_BROKER_URL:
        assert body["broker"] == "ok"
    else:
        assert body["broker"] == "not configured"
    assert response.status_code == 200


def test_healthz_is_unhealthy_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.parametrize(
    ("fixture", "expected", "absent"),
    [
        ("ks_user", ["Medlemmer", "Administrasjon"], ["Min organisasjon"]),
        ("municipal_user", ["Min organisasjon"], ["Administrasjon", "Medlemmer"]),
    ],
)
def test_navigation_differs_per_role(client, request, fixture, expected, absent):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html.split('class="df-nav"', 1)[1].split("</nav>", 1)[0]
    for label in expected:
        assert label in nav
    for label in absent:
        assert label not in nav


def test_login_and_logout(client, municipal_user):
    response = client.post(
        reverse("accounts:login"),
        {"username": municipal_user.username, "password": "passord-123"},
        follow=True,
    )
    assert response.context["user"].is_authenticated
    response = client.post(reverse("accounts:logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_wrong_password_shows_an_error_and_does_not_log_in(client, municipal_user):
    response = client.post(
        reverse("accounts:login"), {"username": municipal_user.username, "password": "feil"}
    )
    assert response.status_code == 200
    assert "Feil brukernavn eller passord" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_password_reset_sends_a_mail_with_a_working_link(client, municipal_user, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": municipal_user.email})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "nytt-passord" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


def test_ks_staff_can_open_the_admin(ks_client):
    assert ks_client.get("/admin/").status_code == 200
    assert ks_client.get("/admin/members/member/").status_code == 200


@pytest.mark.parametrize("fixture", ["municipal_user", "council_user"])
def test_non_staff_cannot_open_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_load_demo_is_idempotent_and_creates_all_three_roles():
    from django.core.management import call_command

    from accounts.models import Role, User

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = User.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.count() == count
    roles = set(User.objects.values_list("role", flat=True))
    assert {Role.KS_STAFF, Role.MUNICIPAL, Role.COUNCIL} <= roles
    assert User.objects.get(username="lillehammer").organisation.name == "Lillehammer"


def test_browser_language_does_not_override_norwegian(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nb"' in response.content.decode()
