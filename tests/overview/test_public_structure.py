"""Issue 16 §6: the public page on today's structure (2024 members with their predecessors'
payments), the fund's capital by source with the overview's figures, and continuous years."""

import datetime
import io
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.money import round_kroner
from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from members.models import ContributionBasis, ContributionRate, Member, MemberSuccession
from members.selectors import structure_digest, structure_lineage
from members.services import (
    participation_confirm,
    participation_mark_invoiced,
    participation_register_payment,
)
from overview import selectors
from tests.members.factories import MemberFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    call_command("load_reference_data", stdout=io.StringIO())


def _member_2017(number, kind=Member.Kind.KOMMUNE):
    return Member.objects.get(kind=kind, number=number, valid_from__lte=datetime.date(2017, 1, 1))


def _pay(actor, member, amount, *, paid_on=datetime.date(2018, 2, 1)):
    p = ParticipationFactory(member=member)
    participation_confirm(
        participation=p,
        decided_on=datetime.date(2017, 11, 1),
        decision_reference="PS 1/17",
        fakturareferanse="REF-9",
        contact_name="Kontakt",
        contact_email="kontakt@example.no",
        actor=actor,
    )
    participation_mark_invoiced(
        participation=p, amount=D(amount), invoiced_on=datetime.date(2017, 12, 1), actor=actor
    )
    participation_register_payment(participation=p, amount=D(amount), paid_on=paid_on, actor=actor)
    return p


def _row_html(html, name):
    """The participants' table row whose header cell is `name` (None when there is none)."""
    table = html[html.index('data-testid="public-participants"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr[^>]*>.*?</tr>", table, flags=re.S):
        if f'<th scope="row">{name}</th>' in row:
            return row
    return None


def _participant(rows, name):
    return next(r for r in rows if r["name"] == name)


# --------------------------------------------------------------------------- today's structure


def test_public_page_lists_todays_members_with_their_predecessors_payments(
    client, ks_user, reference
):
    _pay(ks_user, _member_2017("0104"), "100000")  # Moss 2017
    _pay(ks_user, _member_2017("0136"), "50000")  # Rygge 2017, merged into Moss 2020
    _pay(ks_user, _member_2017("1931"), "40000")  # Lenvik 2017, now Senja
    html = client.get(reverse("public:transparency")).content.decode()

    # Today's Moss (2024) carries what both its 2017 kommuner paid, and names them.
    moss = _row_html(html, "Moss")
    assert moss is not None
    assert "150\xa0000\xa0kr" in moss
    assert "Rygge (0136)" in moss and "Moss (0104)" in moss
    assert "100\xa0000\xa0kr" in moss and "50\xa0000\xa0kr" in moss
    senja = _row_html(html, "Senja")
    assert senja is not None and "Lenvik (1931)" in senja and "40\xa0000\xa0kr" in senja
    # The 2017 members are no rows of their own.
    for gone in ("Rygge", "Lenvik"):
        assert _row_html(html, gone) is None


def test_public_participants_are_members_valid_today(client, ks_user, reference):
    _pay(ks_user, _member_2017("05", Member.Kind.FYLKESKOMMUNE), "300000")  # Oppland
    rows = client.get(reverse("public:transparency")).context["participants"]
    today = datetime.date.today()
    numbers = {(r["kind"], r["number"]) for r in rows}
    valid_today = {
        (str(m.get_kind_display()), m.number)
        for m in Member.objects.filter(valid_from__lte=today, valid_to__isnull=True)
    }
    assert numbers and numbers <= valid_today
    html = client.get(reverse("public:transparency")).content.decode()
    assert _row_html(html, "Oppland") is None
    innlandet = _row_html(html, "Innlandet")
    assert innlandet is not None and "Oppland (05)" in innlandet


def test_a_split_predecessors_payment_is_divided_by_the_members_fractions(
    client, ks_user, reference
):
    tysfjord = _member_2017("1850")
    _pay(ks_user, tysfjord, "10000")
    fractions = dict(
        MemberSuccession.objects.filter(predecessor=tysfjord).values_list(
            "successor__number", "fraction"
        )
    )
    rows = selectors.public_participants()
    shares = {}
    for row in rows:
        tys = [p for p in row["predecessors"] if p["number"] == "1850"]
        if tys:
            shares[row["number"]] = (row["paid"], tys[0]["part"])
    assert set(shares) == {"1806", "1875"}  # Narvik, Hamarøy
    for number in shares:
        assert shares[number] == (round_kroner(D("10000") * fractions[number]), fractions[number])
    html = client.get(reverse("public:transparency")).content.decode()
    narvik = _row_html(html, "Narvik")
    pct = round(fractions["1806"] * 100)
    assert f"(1850), {pct} % av den: 10\xa0000\xa0kr" in narvik  # Tysfjord, in part


def test_lineage_paid_is_the_members_effective_paid(ks_user, reference):
    _pay(ks_user, _member_2017("0104"), "100000")
    _pay(ks_user, _member_2017("0136"), "50000")
    moss = next(r for r in structure_lineage() if r.member.name == "Moss")
    assert moss.effective.paid_amount == D("150000.00")
    assert {p.member.name for p in moss.predecessors} == {"Moss", "Rygge"}
    assert sum(p.inherited for p in moss.predecessors) + moss.own_paid == D("150000.00")


def test_public_csv_names_the_predecessors(client, ks_user, reference):
    _pay(ks_user, _member_2017("0104"), "100000")
    _pay(ks_user, _member_2017("0136"), "50000")
    text = client.get(reverse("public:csv", args=["deltakere"])).content.decode("utf-8-sig")
    moss = next(line for line in text.splitlines() if ";Moss;" in line)
    assert "0104 Moss: 100000.00" in moss and "0136 Rygge: 50000.00" in moss
    assert ";150000.00;" in moss


def test_public_page_queries_do_not_grow_with_members(client, ks_user, fund):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("public:transparency")).status_code == 200
        return len(captured)

    few = queries()
    for i in range(12):
        member = MemberFactory(name=f"Ekstra {i}", valid_from=datetime.date(2017, 1, 1))
        _pay(ks_user, member, "1000")
    # A change recomputes the list: the member rows' fingerprint (5) and the lineage.
    assert queries() == few <= 21
    client.get(reverse("public:transparency"))
    with CaptureQueriesContext(connection) as cached:
        client.get(reverse("public:transparency"))
    assert len(cached) <= 12  # the ledger's sums are cached until the ledger changes


# --------------------------------------------------------------------------- capital by source


def _capital_cells(html, testid):
    table = html[html.index(f'data-testid="{testid}"') :]
    table = table[: table.index("</table>")]
    return re.findall(
        r'<tr data-source="([^"]+)"><th scope="row">([^<]+)</th>'
        r'<td class="df-num" data-figure="committed">([^<]*)</td>'
        r'<td class="df-num" data-figure="paid">([^<]*)</td>',
        table,
    )


def test_public_capital_by_source_equals_the_fund_overview(client, ks_client, fund):
    overview = ks_client.get(reverse("overview:fund_overview"))
    public = client.get(reverse("public:transparency"))
    assert public.context["capital"] == overview.context["ov"].capital
    on_overview = _capital_cells(overview.content.decode(), "sources")
    on_public = _capital_cells(public.content.decode(), "public-capital")
    assert on_public == on_overview
    sources = [row[0] for row in on_public]
    assert sources == ["kmd", "ks", "members", "access_fees"]
    by_source = {row[0]: row[3] for row in on_public}
    assert by_source["kmd"] == "25\xa0000\xa0000\xa0kr"
    assert by_source["ks"] == "10\xa0000\xa0000\xa0kr"
    assert by_source["members"] == "6\xa0305\xa0700\xa0kr"
    assert by_source["access_fees"] == "55\xa0570\xa0kr"


def test_both_pages_call_the_one_capital_selector(client, ks_client, fund, monkeypatch):
    calls = []
    original = selectors.capital_by_source

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "capital_by_source", spy)
    ks_client.get(reverse("overview:fund_overview"))
    client.get(reverse("public:transparency"))
    assert len(calls) == 2


def test_public_capital_csv(client, fund):
    text = client.get(reverse("public:csv", args=["kapital"])).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "kilde;tilsagn;innbetalt"
    assert any(line.endswith(";55570.00") for line in lines)


# --------------------------------------------------------------------------- continuous years


def _entry(actor, year, amount, source=CapitalSource.KMD, kind=LedgerEntry.Kind.STATE_GRANT):
    ledger_record(
        kind=kind,
        source=source,
        amount=D(amount),
        occurred_on=datetime.date(year, 6, 1),
        description=f"{year}",
        actor=actor,
    )


def test_the_overview_years_are_continuous_with_zero_years(ks_client, ks_user):
    _entry(ks_user, 2021, "1000")
    _entry(ks_user, 2024, "500")
    _entry(ks_user, 2026, "250")
    response = ks_client.get(reverse("overview:fund_overview"))
    years = response.context["ov"].timeline["years"]
    assert [y["year"] for y in years] == [2021, 2022, 2023, 2024, 2025, 2026]
    by_year = {y["year"]: y for y in years}
    for empty in (2022, 2023, 2025):
        assert (by_year[empty]["in"], by_year[empty]["out"], by_year[empty]["back"]) == (0, 0, 0)
    assert by_year[2022]["capital"] == by_year[2023]["capital"] == D("1000")
    assert by_year[2025]["capital"] == D("1500")
    assert by_year[2025]["cumulative"][CapitalSource.KMD] == D("1500")
    chart = response.context["chart_data"]
    assert chart["years"] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert chart["flows"]["in"] == [1000.0, 0.0, 0.0, 500.0, 0.0, 250.0]
    html = response.content.decode()
    for year in (2022, 2023, 2025):
        assert f'<th scope="row">{year}</th>' in html
    export = ks_client.get(reverse("overview:overview_export", args=["tidslinje", "csv"]))
    lines = export.content.decode("utf-8-sig").splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == [str(y) for y in range(2021, 2027)]


def test_continuous_years_helper():
    assert selectors.continuous_years([]) == []
    assert selectors.continuous_years({2026, 2021}) == [2021, 2022, 2023, 2024, 2025, 2026]


def test_public_page_follows_member_rows_changed_without_history(client, ks_user, fund):
    """The participant list is kept until the ledger or a member row changes; a bulk update
    (an import leaves no history rows and no ledger entry) must still show on the next view."""
    member = MemberFactory(name="Gammelt navn", valid_from=datetime.date(2017, 1, 1))
    participation = _pay(ks_user, member, "1000")
    html = client.get(reverse("public:transparency")).content.decode()
    assert _row_html(html, "Gammelt navn") is not None

    Member.objects.filter(pk=member.pk).update(name="Nytt navn")
    html = client.get(reverse("public:transparency")).content.decode()
    assert _row_html(html, "Gammelt navn") is None
    assert _row_html(html, "Nytt navn") is not None

    type(participation).objects.filter(pk=participation.pk).update(status="declined")
    html = client.get(reverse("public:transparency")).content.decode()
    assert _row_html(html, "Nytt navn") is None


def test_structure_digest_changes_with_every_row_the_share_rules_read(ks_user, fund):
    """The fingerprint (computed in SQL on PostgreSQL, in Python elsewhere) changes when any
    of its tables changes by a bulk update, and stays the same when nothing changed."""
    member = MemberFactory(name="Før", valid_from=datetime.date(2017, 1, 1))
    participation = _pay(ks_user, member, "1000")
    other = MemberFactory(name="Etter", valid_from=datetime.date(2020, 1, 1))
    succession = MemberSuccession.objects.create(
        predecessor=member, successor=other, changed_on=datetime.date(2020, 1, 1)
    )
    basis = ContributionBasis.objects.filter(
        member=member
    ).first() or ContributionBasis.objects.create(member=member, population=1000, period=2017)
    rate = ContributionRate.objects.order_by("pk").first() or ContributionRate.objects.create(
        kind=member.kind, per_inhabitant="10.00", valid_from=datetime.date(2017, 1, 1)
    )
    seen = {structure_digest()}
    assert structure_digest() in seen  # stable while nothing changes
    changes = [
        lambda: Member.objects.filter(pk=member.pk).update(name="Før 2"),
        lambda: MemberSuccession.objects.filter(pk=succession.pk).update(fraction="0.5"),
        lambda: type(participation).objects.filter(pk=participation.pk).update(status="declined"),
        lambda: ContributionBasis.objects.filter(pk=basis.pk).update(population=1001),
        lambda: ContributionRate.objects.filter(pk=rate.pk).update(per_inhabitant="9.99"),
    ]
    for change in changes:
        change()
        digest = structure_digest()
        assert digest not in seen
        seen.add(digest)
