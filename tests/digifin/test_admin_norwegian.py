"""The admin in Norwegian (issue 20): our models' and fields' names, django-axes, django-otp
and the Django 5.x admin strings that Django's own nb catalogue lacks (locale/nb), "1 medlem"."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from digifin.labels import APPS
from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from tests.test_translations import parse_po, write_mo

pytestmark = pytest.mark.django_db

ROOT_LOCALE = "locale"


@pytest.fixture
def catalogues(tmp_path, settings):
    """Fresh compiles of the committed nb and en catalogues (the .mo files are not committed)."""
    for language in ("nb", "en"):
        directory = tmp_path / "locale" / language / "LC_MESSAGES"
        directory.mkdir(parents=True)
        po = settings.BASE_DIR / ROOT_LOCALE / language / "LC_MESSAGES" / "django.po"
        write_mo(parse_po(po), directory / "django.mo")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


ENGLISH_IN_THE_ADMIN = [
    "Proposal snapshots",
    "Qualification answers",
    "Access attempts",
    "Access failures",
    "Access logs",
    "TOTP devices",
    "Show counts",
    "Get full name",
    "Password-based authentication",
    "Whether the user will be able to authenticate",
    "After you’ve created a user",
    "Created by",
    "Recorded by",
    "Model name",
]


def test_admin_pages_show_no_english_labels(ks_client, catalogues):
    pages = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_add"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_add"),
        reverse("admin:projects_proposal_add"),
        reverse("admin:members_populationfigure_add"),
    ]
    html = ""
    for url in pages:
        response = ks_client.get(url)
        assert response.status_code == 200, url
        html += response.content.decode()
    found = [text for text in ENGLISH_IN_THE_ADMIN if text.lower() in html.lower()]
    assert found == []
    for norwegian in ("Innsendte versjoner", "Innloggingsforsøk", "TOTP-enheter", "Vis antall"):
        assert norwegian in html
    assert ">Navn<" in html or "Navn</a>" in html  # the user list's name column


def test_every_field_of_our_models_has_a_norwegian_label():
    """A field declared without verbose_name would show its English name ("created by")."""
    # Norwegian terms of art kept as field names (STYLE.md, "Names"): their label is the name.
    same_in_norwegian = {
        "status",
        "data",
        "kid",
        "id",
        "fakturareferanse",
        "postnummer",
        "poststed",
        "organisasjonsform",
    }
    english = []
    with translation.override("nb"):
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                if model.__name__.startswith("Historical"):
                    continue
                for field in model._meta.get_fields():
                    if not getattr(field, "concrete", False) or field.auto_created:
                        continue
                    if field.name in same_in_norwegian:
                        continue
                    if str(field.verbose_name) == field.name.replace("_", " "):
                        english.append(f"{model.__name__}.{field.name}")
    assert english == [], english


def test_the_ranking_says_one_member_in_the_singular():
    template = Template(
        "{% load i18n %}{% blocktranslate with w=1 s=0 count n=count %}Vektet snitt {{ w }}, "
        "spredning {{ s }}, {{ n }} medlem.{% plural %}Vektet snitt {{ w }}, spredning {{ s }}, "
        "{{ n }} medlemmer.{% endblocktranslate %}"
    )
    assert template.render(Context({"count": 1})).endswith("1 medlem.")
    assert template.render(Context({"count": 2})).endswith("2 medlemmer.")


def test_admin_money_and_population_columns_use_the_one_format(ks_client):
    """`25000000,00` beside `125000000.00` in the admin (issue 20 §3): both read `… kr` now."""
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("25000000"),
        occurred_on=datetime.date(2017, 12, 1),
        description="KMD",
    )
    html = ks_client.get(reverse("admin:fund_ledgerentry_changelist")).content.decode()
    assert "25\xa0000\xa0000,00\xa0kr" in html
    assert "25000000" not in html  # neither `25000000,00` nor `25000000.00`
    assert "sum 25\xa0000\xa0000,00 kr" in html
