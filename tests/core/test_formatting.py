"""The one formatting path (issue 20 §3): counts, account numbers, orgnr, KID; the filters and
the admin use these."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.formatting import format_account_number, format_kid, format_number, format_orgnr
from tests.crawl_support import format_findings

NB = "\xa0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (699827, f"699{NB}827"),
        (5082, f"5{NB}082"),
        (999, "999"),
        (0, "0"),
        ("27785", f"27{NB}785"),
        (Decimal("1000000"), f"1{NB}000{NB}000"),
        (-1500, f"−1{NB}500"),
        (None, ""),
    ],
)
def test_format_number_groups_thousands(value, expected):
    assert format_number(value) == expected


def test_format_number_refuses_float():
    with pytest.raises(TypeError):
        format_number(1.5)


def test_account_number_orgnr_and_kid():
    assert format_account_number("12345678903") == f"1234{NB}56{NB}78903"
    assert format_account_number("1234 56 78903") == f"1234{NB}56{NB}78903"
    assert format_account_number("DE89370400440532013000") == "DE89370400440532013000"
    assert format_orgnr("961381096") == f"961{NB}381{NB}096"
    assert format_orgnr("12345") == "12345"
    assert format_kid(" 118000289 01") == "11800028901"


def test_template_filters_use_the_same_helpers():
    html = Template(
        "{% load digifin %}{{ p|number }}|{{ a|account_number }}|{{ o|orgnr }}|{{ k|kid }}|"
        "{{ m|nok_ore }}"
    ).render(
        Context(
            {
                "p": 699827,
                "a": "12345678903",
                "o": "961381096",
                "k": "11800028901",
                "m": Decimal("150000"),
            }
        )
    )
    assert html == (
        f"699{NB}827|1234{NB}56{NB}78903|961{NB}381{NB}096|"
        '<span class="df-ref" data-raw-number>11800028901</span>|'
        f"150{NB}000,00{NB}kr"
    )


def test_the_crawl_check_finds_raw_numbers_and_point_amounts_only():
    bad = "<p>Innbyggere 699827</p><p>Delbetaling: 150000.00 gjenstår.</p><p>12345678903</p>"
    assert len(format_findings(bad)) == 3
    good = (
        f"<p>699{NB}827 innbyggere, 22.11.2026, kl. 02.30, år 2026, 555{NB}700,00{NB}kr, "
        f"sak 17/2218</p><p><span data-raw-number>11800028901</span></p>"
        '<a href="/medlemmer/oversikt/12345/">x</a><script>var x = 123456;</script>'
    )
    assert format_findings(good) == []
