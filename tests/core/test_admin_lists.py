"""The change lists' quick row checkbox is Django's own element, byte for byte."""

import pytest
from django.contrib import admin
from django.utils import translation

from core.admin_lists import QuickRowCheckbox
from fund.models import LedgerEntry
from invoicing.models import Invoice, Payment
from members.models import Member


class _Named:
    """An object whose str needs escaping, as a member's or entry's name may."""

    pk = 4711

    def __str__(self):
        return 'Aure & «Smøla» <b>"x"</b>'


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_quick_checkbox_renders_what_django_renders(language):
    django_admin = admin.ModelAdmin(Member, admin.site)
    quick = type("Quick", (QuickRowCheckbox, admin.ModelAdmin), {})(Member, admin.site)
    with translation.override(language):
        expected = django_admin.action_checkbox(_Named())
        assert quick.action_checkbox(_Named()) == expected
    assert 'value="4711"' in expected and "&amp;" in expected


@pytest.mark.parametrize("model", [LedgerEntry, Member, Invoice, Payment])
def test_the_long_change_lists_use_the_quick_checkbox(model):
    assert isinstance(admin.site._registry[model], QuickRowCheckbox)
