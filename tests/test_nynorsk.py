"""Nynorsk (nn): a full third language beside bokmål (the source strings) and English.

The nynorsk catalogue (locale/nn/LC_MESSAGES/django.po) must hold every msgid of the English
catalogue, which lists the whole UI (scripts/nn_missing.py keeps them in step). Like
tests/test_translations.py, these tests compile the committed .po files themselves into a
temporary LOCALE_PATHS, so they check the catalogue in the repository, not a stale .mo.
"""

import datetime
import html
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests.test_translations import PO_FILE as EN_PO
from tests.test_translations import parse_po, write_mo

ROOT = Path(settings.BASE_DIR)
NN_PO = ROOT / "locale" / "nn" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%|\{\d*\}")
TAG = re.compile(r"<[^>]+>")


def _key(entry):
    return (entry.get("msgctxt"), entry["msgid"], entry["msgid_plural"])


def _entries(path):
    """The .po entries with their msgctxt (the shared reader keeps it under 'msgctxt')."""
    return [e for e in parse_po(path) if not e["obsolete"]]


@pytest.fixture(scope="module")
def nynorsk():
    return _entries(NN_PO)


@pytest.fixture(scope="module")
def english():
    return _entries(EN_PO)


@pytest.fixture
def nn_catalogue(nynorsk, english, tmp_path):
    """LOCALE_PATHS with fresh compiles of the committed nn and en catalogues."""
    for code, entries in (("nn", nynorsk), ("en", english)):
        directory = tmp_path / "locale" / code / "LC_MESSAGES"
        directory.mkdir(parents=True)
        write_mo(entries, directory / "django.mo")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


def _nynorsk(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    return client


# --- the catalogue ---------------------------------------------------------------------------


def test_header_declares_nynorsk_and_two_plural_forms(nynorsk):
    header = nynorsk[0]
    assert header["msgid"] == ""
    assert "Language: nn\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]


def test_every_english_msgid_is_translated_to_nynorsk(nynorsk, english):
    translated = {_key(e): e for e in nynorsk[1:]}
    missing = [e["msgid"] for e in english[1:] if _key(e) not in translated]
    empty = [e["msgid"] for e in nynorsk[1:] if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in nynorsk[1:] if "fuzzy" in e["flags"]]
    assert missing == []
    assert empty == []
    assert fuzzy == []
    assert len(nynorsk) == len(english)  # nothing extra either: one entry per English entry


def test_plural_entries_have_two_nynorsk_forms(nynorsk):
    plurals = [e for e in nynorsk if e["msgid_plural"] is not None]
    assert len(plurals) >= 10
    assert all(len(e["msgstr"]) == 2 for e in plurals)


def test_nynorsk_keeps_every_placeholder_tag_and_outer_whitespace(nynorsk):
    for e in nynorsk[1:]:
        sources = [e["msgid"]] if e["msgid_plural"] is None else [e["msgid"], e["msgid_plural"]]
        for i, text in enumerate(e["msgstr"]):
            source = sources[min(i, len(sources) - 1)]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), e[
                "msgid"
            ]
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(source)), e["msgid"]
            assert (
                text[: len(text) - len(text.lstrip())]
                == source[: len(source) - len(source.lstrip())]
            ), e["msgid"]
            assert text[len(text.rstrip()) :] == source[len(source.rstrip()) :], e["msgid"]


def test_nynorsk_uses_the_glossary_terms(nynorsk):
    """The fund's key terms follow docs/glossary.md, not bokmål forms."""
    by_id = {(e.get("msgctxt"), e["msgid"]): e["msgstr"][0] for e in nynorsk[1:]}
    assert by_id[(None, "Mine prosjektforslag")] == "Mine prosjektframlegg"
    assert by_id[(None, "Innbyggere")] == "Innbyggjarar"
    assert by_id[(None, "Tilsagn")] == "Tilsegn"
    assert by_id[(None, "Medsøker")] == "Medsøkjar"
    assert by_id[(None, "Tilskudd fra KMD")] == "Tilskot frå KMD"
    bokmal_only = re.compile(r"\b(ikke|hvis|hvordan|hvilke|fra|løsning\w*|innbygger\w*)\b")
    offenders = [t for t in by_id.values() if bokmal_only.search(t)]
    assert offenders == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_nynorsk_catalogue(tmp_path):
    result = subprocess.run(
        ["msgfmt", "-c", "-o", str(tmp_path / "django.mo"), str(NN_PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_nn_missing_script_reports_nothing_missing():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import nn_missing
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert nn_missing.missing() == []


# --- settings and formats --------------------------------------------------------------------


def test_nynorsk_sits_between_bokmal_and_english():
    assert [code for code, _ in settings.LANGUAGES] == ["nb", "nn", "en"]


def test_nynorsk_formats_dates_and_amounts_the_norwegian_way():
    """digifin/formats/nn: the same display formats as bokmål (22.11.2026, 555 700 kr, 2,5)."""
    template = Template(
        '{% load digifin %}{{ day|date:"SHORT_DATE_FORMAT" }} {{ day|date }} {{ amount|nok }} '
        "{{ rate }} {{ when|date:'DATETIME_FORMAT' }}"
    )
    context = {
        "day": datetime.date(2026, 11, 22),
        "amount": Decimal("555700"),
        "rate": Decimal("2.5"),
        "when": datetime.datetime(2026, 11, 22, 9, 5),
    }
    with translation.override("nn"):
        nynorsk = template.render(Context(context))
    with translation.override("nb"):
        bokmal = template.render(Context(context))
    assert nynorsk == "22.11.2026 22.11.2026 555\xa0700\xa0kr 2,5 22.11.2026 09:05"
    assert nynorsk == bokmal


# --- pages in nynorsk ------------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_turns_the_start_page_nynorsk(client, nn_catalogue):
    html = client.get("/").content.decode()
    assert 'value="nn"' in html and ">Nynorsk<" in html  # offered on the bokmål page

    response = client.post("/i18n/setlang/", {"language": "nn", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"

    html = client.get("/").content.decode()
    assert '<html lang="nn"' in html
    assert "Slik fungerer ordninga" in html
    assert "Hopp til hovudinnhaldet" in html
    assert "Slik fungerer ordningen" not in html
    assert ">Bokmål<" in html and ">English<" in html  # the other two on the nynorsk page
    assert ">Nynorsk<" not in html


@pytest.mark.django_db
def test_municipal_organisation_page_is_nynorsk(municipal_client, nn_catalogue):
    html = _nynorsk(municipal_client).get(reverse("members:my_organisation")).content.decode()
    assert '<html lang="nn"' in html
    assert "Andel i DigiFin" in html  # the same word in nynorsk (Nynorskordboka: andel)
    assert "Innbyggjartal brukt" in html
    assert "Organisasjonen min" in html  # navigation declared on the AppConfig (gettext_lazy)
    assert "Mine prosjektframlegg" in html
    assert "Innbyggertall brukt" not in html
    assert "Mine prosjektforslag" not in html


@pytest.mark.django_db
def test_council_queue_is_nynorsk(council_client, nn_catalogue):
    html = _nynorsk(council_client).get(reverse("projects:council_queue")).content.decode()
    assert '<html lang="nn"' in html
    assert "Køen til KommIT-rådet" in html
    assert "Tilgjengeleg kapital i fondet" in html
    assert "KommIT-rådets kø" not in html
    assert "tilgjengelige kapital" not in html


@pytest.mark.django_db
def test_login_page_is_nynorsk_including_djangos_own_strings(client, nn_catalogue):
    html = _nynorsk(client).get(reverse("accounts:login")).content.decode()
    assert '<html lang="nn"' in html
    assert "Gløymt passordet?" in html
    assert "Glemt passordet?" not in html


def test_bounded_fields_validate_in_nynorsk(nn_catalogue):
    from django import forms

    from core.bounds import MoneyField, PopulationField

    class Form(forms.Form):
        amount = MoneyField("Beløp")
        population = PopulationField("Innbyggjarar")

    with translation.override("nn"):
        form = Form(data={"amount": "-5", "population": "-1"})
        assert not form.is_valid()
        errors = [str(m) for messages in form.errors.values() for m in messages]
    assert "Beløpet kan ikkje vere negativt." in errors
    assert "Innbyggjartalet kan ikkje vere negativt." in errors


@pytest.mark.django_db
def test_bokmal_stays_the_default(client, nn_catalogue):
    html = client.get("/").content.decode()
    assert '<html lang="nb"' in html
    assert "Slik fungerer ordningen" in html


# --- a crawl: no bokmål UI string left on the pages each role reaches ------------------------

SKIP_LINK = re.compile(
    r"^/(admin|static|media|i18n)|logout|\.(csv|xlsx|pdf|xml|zip|json)$|/(csv|pdf|ehf)"
)


def _text_nodes(page):
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S)
    nodes = [m.strip() for m in re.findall(r">([^<>]+)<", page)]
    nodes += re.findall(r'(?:aria-label|title|placeholder)="([^"]+)"', page)
    return {html.unescape(n) for n in nodes if n.strip()}


def _crawl(client, limit=40):
    """Pages reachable from the start page by links (GET only, no downloads), with text."""
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        page = response.content.decode()
        pages[url] = page
        for href in re.findall(r'href="(/[^"#]*)"', page):
            href = html.unescape(href)
            if not SKIP_LINK.search(href) and href not in seen:
                queue.append(href)
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["client", "ks_client", "municipal_client", "council_client"])
def test_no_bokmal_catalogue_string_left_on_the_pages_of_each_role(
    role, request, nynorsk, nn_catalogue
):
    """Every text node that is a bokmål msgid with a different nynorsk translation means a
    string rendered without the catalogue (or cached in bokmål). Data (names, what users typed)
    is not in the catalogue, so it is not compared."""
    translations = {e["msgid"]: e["msgstr"][0] for e in nynorsk[1:] if e["msgid_plural"] is None}
    nynorsk_texts = set(translations.values())
    bokmal_only = {
        msgid
        for msgid, text in translations.items()
        if text != msgid and msgid not in nynorsk_texts and len(msgid) > 3
    }
    client = _nynorsk(request.getfixturevalue(role))
    pages = _crawl(client)
    assert len(pages) >= (2 if role == "client" else 3)
    left = {
        f"{url}: {text}"
        for url, page in pages.items()
        for text in _text_nodes(page)
        if text in bokmal_only
    }
    assert sorted(left) == []
    # The check can see bokmål: the same start page in bokmål is full of such strings.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert len(_text_nodes(client.get("/").content.decode()) & bokmal_only) >= 5


@pytest.mark.django_db
def test_the_overview_charts_legends_are_nynorsk(ks_client, nn_catalogue):
    """overview-charts.js draws the legends from the page's chart data, not from bokmål in JS."""
    html_page = _nynorsk(ks_client).get(reverse("overview:fund_overview")).content.decode()
    data = json.loads(
        html.unescape(re.search(r'id="overview-data"[^>]*>(.*?)</script>', html_page, re.S)[1])
    )
    assert data["names"]["in"] == "Inn"
    assert data["names"]["participating"] == "Deltek"
    assert data["names"]["others"] == "Deltek ikkje"
    script = (ROOT / "static" / "js" / "overview-charts.js").read_text(encoding="utf-8")
    assert "names.others" in script and "names.capital" in script


@pytest.mark.django_db
def test_the_admin_is_nynorsk_with_djangos_own_nn_catalogue(ks_client, nn_catalogue):
    html_page = _nynorsk(ks_client).get(reverse("admin:index")).content.decode()
    assert '<html lang="nn"' in html_page
    assert "Siste handlingar" in html_page  # Django's nn catalogue
    assert "Brukarar" in html_page  # our app label (accounts/apps.py)
    assert "Siste handlinger" not in html_page  # Django's nb form
    assert ">Brukere<" not in html_page


def test_contextual_msgids_compile_apart(nn_catalogue):
    """msgctxt entries: the council queue's "Antall" column differs from an invoice's "Antall"."""
    with translation.override("nn"):
        assert translation.pgettext("number of council members who have scored", "Antall") == (
            "Har gitt poeng"
        )
        assert translation.gettext("Antall") == "Mengd"


@pytest.mark.django_db
def test_no_bokmal_catalogue_string_on_any_demo_users_pages_in_nynorsk(nynorsk, nn_catalogue):
    """Issue 20's Done-when: load_demo, then crawl as each demo user (and anonymously) with
    nynorsk chosen, through the navigation and the links of each page (tests/crawl_support.py:
    at most three pages per URL shape), and find no text that is a bokmål catalogue string
    with a different nynorsk translation. What stays bokmål is data, not catalogue strings:
    names and what users wrote, register data, stored notes (docs/i18n.md). Two kinds of data
    are also catalogue strings and are left out here on purpose: a grant's conditions (copied
    from KS's standard conditions at the decision and kept as decided, in the language they
    were written), and the letter preview, which shows the letter in the recipient member's
    målform, not in the reader's language (docs/decisions/i18n-documents-maalform.md)."""
    import io

    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from projects.models import GrantCondition
    from tests.crawl_support import crawl

    call_command("load_demo", stdout=io.StringIO())
    conditions = set(GrantCondition.objects.values_list("title", flat=True))
    conditions |= set(GrantCondition.objects.values_list("text", flat=True))
    conditions |= {f"{title}." for title in conditions}  # the grant page: «<title>.» <text>
    translations = {e["msgid"]: e["msgstr"][0] for e in nynorsk[1:] if e["msgid_plural"] is None}
    nynorsk_texts = set(translations.values())
    bokmal_only = {
        msgid
        for msgid, text in translations.items()
        if text != msgid and msgid not in nynorsk_texts and len(msgid) > 3
    }
    left, crawled = set(), 0
    for username in [None, "ks", "lillehammer", "oyer", "bergen", "radet", "radet2"]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        _nynorsk(client)
        for url, response in crawl(client, ["/"]):
            if response.status_code != 200 or url.startswith("/fakturaer/brev/forhandsvis/"):
                continue
            crawled += 1
            left |= {
                f"{username} {url}: {text}"
                for text in _text_nodes(response.content.decode())
                if text in bokmal_only and text not in conditions
            }
    assert sorted(left) == [], "\n".join(sorted(left))
    assert crawled > 100
