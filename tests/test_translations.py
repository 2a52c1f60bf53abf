"""The English catalogue: complete, in step with the code, and used when the user chooses English.

The UI's gettext source strings are Norwegian bokmål; English is the translation
(locale/en/LC_MESSAGES/django.po). The .mo file is git-ignored, so these tests compile the
committed .po themselves (a few lines of Python, no msgfmt needed) into a temporary LOCALE_PATHS:
they check the catalogue in the repository, never a stale compiled file.
"""

import ast
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import trim_whitespace

ROOT = Path(settings.BASE_DIR)
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
APPS = ["accounts", "members", "digifin", "projects", "repayments", "invoicing"]


# --- a small .po reader and .mo writer ------------------------------------------------------


def _unquote(text):
    return ast.literal_eval(text)  # a .po string literal is a valid Python string literal


def parse_po(path=PO_FILE):
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line
            ):
                word, index, value = match.groups()
                if word == "msgstr":
                    key = ("msgstr", int(index or 0))
                    entry["msgstr"][key[1]] = _unquote(value)
                else:
                    key = (word, None)
                    entry[word] = _unquote(value)
            elif line.startswith('"'):
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += _unquote(line)
                else:
                    entry[key[0]] += _unquote(line)
        entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
        entries.append(entry)
    return entries


def write_mo(entries, path):
    """GNU .mo format: header, sorted original and translation tables, no hash table."""
    pairs = {}
    for e in entries:
        if e["obsolete"] or "fuzzy" in e["flags"] and e["msgid"]:
            continue
        key = e["msgid"] if e["msgid_plural"] is None else f"{e['msgid']}\0{e['msgid_plural']}"
        if e.get("msgctxt") is not None:
            key = f"{e['msgctxt']}\x04{key}"  # gettext's context separator
        pairs[key.encode()] = "\0".join(e["msgstr"]).encode()
    keys = sorted(pairs)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(pairs[k] + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets, pos = [], 0
    for k in keys:
        offsets += [len(k), start + pos]
        pos += len(k) + 1
    trans, pos = [], 0
    for k in keys:
        trans += [len(pairs[k]), start + len(ids) + pos]
        pos += len(pairs[k]) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    path.write_bytes(
        header
        + struct.pack(f"{len(offsets)}i", *offsets)
        + struct.pack(f"{len(trans)}i", *trans)
        + ids
        + strs
    )


@pytest.fixture(scope="module")
def catalogue():
    return [e for e in parse_po() if not e["obsolete"]]


@pytest.fixture
def english_catalogue(catalogue, tmp_path):
    """LOCALE_PATHS pointing at a fresh compile of the committed .po (clears Django's cache)."""
    directory = tmp_path / "locale" / "en" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    write_mo(catalogue, directory / "django.mo")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


# --- (a) the catalogue is complete and in step with the source -------------------------------


def test_catalogue_header_declares_english_and_two_plural_forms(catalogue):
    header = catalogue[0]["msgstr"][0]
    assert catalogue[0]["msgid"] == ""
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "fuzzy" not in catalogue[0]["flags"]


def test_every_catalogue_entry_is_translated_and_not_fuzzy(catalogue):
    untranslated = [e["msgid"] for e in catalogue[1:] if not all(e["msgstr"]) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in catalogue[1:] if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 1000  # the whole UI, not a stub


def test_plural_entries_have_both_english_forms(catalogue):
    plurals = [e for e in catalogue if e["msgid_plural"] is not None]
    assert plurals
    for e in plurals:
        assert len(e["msgstr"]) == 2 and e["msgstr"][0] != e["msgstr"][1], e["msgid"]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%")


def test_translations_keep_every_placeholder_and_html_tag(catalogue):
    for e in catalogue[1:]:
        sources = [e["msgid"]] if e["msgid_plural"] is None else [e["msgid"], e["msgid_plural"]]
        for i, text in enumerate(e["msgstr"]):
            source = sources[min(i, len(sources) - 1)]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), e[
                "msgid"
            ]
            assert sorted(re.findall(r"<[^>]+>", text)) == sorted(re.findall(r"<[^>]+>", source)), (
                e["msgid"]
            )


def _template_files():
    dirs = [ROOT / "templates"] + [ROOT / app / "templates" for app in APPS]
    dirs.append(ROOT / "digifin" / "overview" / "templates")
    return sorted(
        {
            p
            for d in dirs
            if d.is_dir()
            for p in d.rglob("*")
            if p.suffix in {".html", ".txt", ".xml"}
        }
    )


TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%\}(.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)


def template_msgids():
    """Msgids the templates ask for: {% translate "…" %} literals, and the bodies of
    {% blocktranslate %} without plural ({{ var }} → %(var)s, % → %%, as makemessages does)."""
    found = {}
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in TRANSLATE_TAG.finditer(text):
            found.setdefault(match.group(1) if match.group(1) is not None else match.group(2), path)
        for match in BLOCK_TAG.finditer(text):
            options, body = match.groups()
            if "{% plural" in body or "{%plural" in body:
                continue
            if "trimmed" in options.split():
                body = trim_whitespace(body)
            body = body.replace("%", "%%")
            body = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)
            found.setdefault(body, path)
    return found


GETTEXT_NAMES = ["_", "gettext", "gettext_lazy", "gettext_noop"]
ALIAS = re.compile(r"\b(?:gettext|gettext_lazy|gettext_noop)\s+as\s+(\w+)")


def python_msgids():
    """Msgids of single-literal gettext calls in the apps' Python code, including calls through
    an import alias (``gettext_lazy as _l``), which makemessages does not see by itself."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            names = "|".join(map(re.escape, GETTEXT_NAMES + ALIAS.findall(text)))
            call = re.compile(
                rf"""(?<![\w.])(?:{names})\(\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*[,)]"""
            )
            for match in call.finditer(text):
                found.setdefault(
                    match.group(1) if match.group(1) is not None else match.group(2), path
                )
    return found


def test_heuristics_find_strings_in_templates_and_python():
    # Guards the two tests below against a regex that silently matches nothing.
    assert "Logg inn" in template_msgids()
    assert "Slik fungerer ordningen" in template_msgids()
    assert "Brukere" in python_msgids()
    assert "Kvalifiser" in python_msgids()  # projects/services/workflow.py: gettext_lazy as _l


def test_every_translate_literal_in_the_templates_is_in_the_catalogue(catalogue):
    msgids = {e["msgid"] for e in catalogue}
    missing = {m: str(p.relative_to(ROOT)) for m, p in template_msgids().items() if m not in msgids}
    assert missing == {}, "run makemessages -l en and translate the new entries"


def test_every_gettext_literal_in_the_python_code_is_in_the_catalogue(catalogue):
    msgids = {e["msgid"] for e in catalogue}
    missing = {m: str(p.relative_to(ROOT)) for m, p in python_msgids().items() if m not in msgids}
    assert missing == {}, "run makemessages -l en and translate the new entries"


# --- (b) choosing English gives English pages ------------------------------------------------


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_language_switch_turns_the_start_page_english(client, english_catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "How the scheme works" in html
    assert "Skip to main content" in html
    assert "Slik fungerer ordningen" not in html


@pytest.mark.django_db
def test_login_page_is_english_after_choosing_english(client, english_catalogue):
    html = _english(client).get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in html
    assert '<h1 class="ds-heading" data-size="lg">Log in</h1>' in html
    assert "Forgotten your password?" in html
    assert "Password" in html  # Django's own form label, from Django's English catalogue
    assert "Logg inn" not in html
    assert "Passord" not in html


@pytest.mark.django_db
def test_municipal_organisation_page_is_english(municipal_client, english_catalogue):
    html = _english(municipal_client).get(reverse("members:my_organisation")).content.decode()
    assert '<html lang="en"' in html
    assert "Share in DigiFin" in html
    assert "My organisation" in html  # navigation declared on the AppConfig (gettext_lazy)
    assert "Andel i DigiFin" not in html


@pytest.mark.django_db
def test_council_queue_is_english(council_client, english_catalogue):
    html = _english(council_client).get(reverse("projects:council_queue")).content.decode()
    assert '<html lang="en"' in html
    assert "The KommIT council’s queue" in html
    assert "KommIT-rådets kø" not in html


@pytest.mark.django_db
def test_staff_member_list_is_english(ks_client, english_catalogue):
    html = _english(ks_client).get(reverse("members:staff_member_list")).content.decode()
    assert '<html lang="en"' in html
    assert "Matching funds: the municipal sector against KMD" in html
    assert "Motfinansiering" not in html


# --- (c) Norwegian stays the default ---------------------------------------------------------


@pytest.mark.django_db
def test_norwegian_is_the_default_even_for_an_english_browser(client, english_catalogue):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="nb"' in html
    assert "Slik fungerer ordningen" in html
    assert "How the scheme works" not in html


@pytest.mark.django_db
def test_switching_back_to_norwegian_gives_norwegian_again(client, english_catalogue):
    _english(client)
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="nb"' in html
    assert "Slik fungerer ordningen" in html
