"""Issue 16 §2: one definition of matching, shown identically on every page, and the members'
committed capital as one figure (the ten cities' 35 M inside it, not on top)."""

import re
from decimal import Decimal as D

from django.template.loader import render_to_string
from django.urls import reverse

from fund.models import CapitalSource
from fund.selectors import matching_condition
from fund.services import commitment_record
from members.models import Member
from members.selectors import capital_sources
from overview import reports, selectors
from overview.annual import annual_report_context

FIGURE = re.compile(r'data-figure="matching">([^<]+)<')


def _figures(html: str) -> list[str]:
    return FIGURE.findall(html)


def test_every_page_shows_the_one_matching_figure_in_one_form(client, fund, ks_user):
    expected = matching_condition()
    assert expected.percent == D("25.2")  # members 6 305 700 kr against KMD 25 000 000 kr
    client.force_login(ks_user)
    pages = {
        "overview": client.get(reverse("overview:fund_overview")).content.decode(),
        "members": client.get(reverse("members:staff_member_list")).content.decode(),
        "public": client.get(reverse("public:transparency")).content.decode(),
        "reports": client.get(reverse("overview:reports")).content.decode(),
        "kmd_pdf": render_to_string(
            "overview/pdf/kmd_report.html",
            {"kmd": reports.kmd_grant_use(), "matching": expected},
        ),
        "annual_pdf": render_to_string(
            "overview/pdf/annual_report.html", annual_report_context(year=2026)
        ),
    }
    shown = {name: _figures(html) for name, html in pages.items()}
    assert all(len(found) == 1 for found in shown.values()), shown
    assert {found[0] for found in shown.values()} == {"25,2\xa0%"} or {
        found[0] for found in shown.values()
    } == {"25,2 %"}
    assert not any("kr per krone" in html for html in pages.values())


def test_members_committed_is_one_figure_with_the_cities_commitment_inside(client, fund, ks_user):
    members = list(Member.objects.filter(kind=Member.Kind.KOMMUNE))
    commitment_record(
        source=CapitalSource.MEMBERS,
        year=2017,
        amount=D("35000000"),
        reference="Storbynettverket, brev 2. juni 2017",
        members=members[:2],
        actor=ks_user,
    )
    overview = {s.source: s.committed for s in selectors.fund_overview().sources}
    member_page = {r["source"]: r["committed"] for r in capital_sources()}
    shares = D("555700") + D("101680") + D("5700000")  # the participants' invoiced shares
    assert overview[CapitalSource.MEMBERS] == member_page[CapitalSource.MEMBERS] == shares
    assert overview[CapitalSource.KS] == member_page[CapitalSource.KS] == D("40000000")
    client.force_login(ks_user)
    html = client.get(reverse("members:staff_member_list")).content.decode()
    assert "inntil" in html and 'data-testid="pledge"' in html
    assert "35\xa0000\xa0000\xa0kr" in html  # promised, shown apart from the committed total
