"""The accessibility statement (issue 20 §4): the uustatus sections, public, in every footer."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_statement_has_the_uustatus_sections(client):
    response = client.get("/tilgjengelighet/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Status",
        "Avvik fra kravene",
        "Slik har vi testet",
        "Tilbakemelding og kontakt",
        "Klage",
    ):
        assert f">{heading}</h2>" in html
    assert "WCAG 2.1 AA" in html
    assert "axe-core" in html and "tastaturet alene" in html
    assert f"mailto:{settings.DIGIFIN_CONTACT_EMAIL}" in html
    assert 'href="https://www.uutilsynet.no/"' in html and 'href="https://uustatus.no/"' in html
    assert "03.12.2026" in html  # the statement's date, Norwegian format


@pytest.mark.parametrize("url", ["/", "/konto/logg-inn/", "/apenhet/"])
def test_every_page_footer_links_the_statement(client, url):
    html = client.get(url).content.decode()
    footer = html[html.index('<footer class="df-footer">') :]
    assert 'href="/tilgjengelighet/"' in footer


def test_signed_in_page_footer_links_the_statement(municipal_client):
    html = municipal_client.get("/medlemmer/min-organisasjon/").content.decode()
    assert 'href="/tilgjengelighet/"' in html[html.index('<footer class="df-footer">') :]
