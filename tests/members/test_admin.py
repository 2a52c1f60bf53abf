"""KS staff's admin: members, population import (with every bad line named), exports."""

import io

import pytest
from django.urls import reverse

from members.models import PopulationFigure
from tests.members.factories import Member2017Factory, basis

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, ks_user):
    ks_user.is_superuser = True
    ks_user.save()
    client.force_login(ks_user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "member",
        "participation",
        "populationfigure",
        "contributionbasis",
        "membersuccession",
        "contributionrate",
    ],
)
def test_members_admin_pages_load(admin_client, model):
    Member2017Factory()
    response = admin_client.get(reverse(f"admin:members_{model}_changelist"), {"q": "0"})
    assert response.status_code == 200


def test_fund_admin_pages_load(admin_client):
    ledger = reverse("admin:fund_ledgerentry_changelist")
    assert admin_client.get(ledger, {"retning": "inn", "korrigert": "nei"}).status_code == 200
    commitments = reverse("admin:fund_capitalcommitment_changelist")
    assert admin_client.get(commitments, {"is_ceiling__exact": "1"}).status_code == 200


def test_admin_import_rejects_bad_file_naming_lines(admin_client):
    Member2017Factory(number="0501")
    upload = io.BytesIO(
        b"region;2017K2\n0501 Lillehammer;27785\n9999 Atlantis;5\n0501 Lillehammer;1\n"
    )
    upload.name = "bad.csv"
    response = admin_client.post(reverse("admin:members_population_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Linje 3" in html and "Linje 4" in html
    assert not PopulationFigure.objects.exists()


def test_admin_import_good_file_replaces_basis(admin_client):
    member = Member2017Factory(number="0501")
    basis(member, 27781, period="2017")
    upload = io.BytesIO("region;2017K2\n0501 Lillehammer;27785\n".encode("iso-8859-1"))
    upload.name = "ok.csv"
    response = admin_client.post(
        reverse("admin:members_population_import"), {"file": upload, "replace_basis": "on"}
    )
    assert response.status_code == 302
    member.contribution_basis.refresh_from_db()
    assert member.contribution_basis.population == 27785


def test_admin_contribution_table_export(admin_client):
    member = Member2017Factory(number="0521", name="Øyer", valid_to=None)
    basis(member, 5084)
    response = admin_client.get(
        reverse("admin:members_contribution_table", kwargs={"structure": "2017", "fmt": "csv"})
    )
    assert "0521;Øyer;kommune;5084;101680;;0.00" in response.content.decode()


def test_ledger_export_csv_action(admin_client):
    import datetime
    from decimal import Decimal

    from fund.models import LedgerEntry
    from fund.services import ledger_record

    entry = ledger_record(
        kind="state_grant",
        source="kmd",
        amount=Decimal("25000000"),
        occurred_on=datetime.date(2017, 12, 14),
        description="KMD tilskudd 2017",
    )
    response = admin_client.post(
        reverse("admin:fund_ledgerentry_changelist"),
        {"action": "export_ledger_csv", "_selected_action": [entry.pk]},
    )
    assert "KMD tilskudd 2017" in response.content.decode()
    assert "25000000.00" in response.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_admin_decline_action_logs_the_actor_and_refuses_invoiced(admin_client, ks_user):
    from members.models import Participation, ParticipationEvent

    invited = Participation.objects.create(member=Member2017Factory())
    invoiced = Participation.objects.create(
        member=Member2017Factory(), status=Participation.Status.INVOICED, share_amount=100
    )
    admin_client.post(
        reverse("admin:members_participation_changelist"),
        {"action": "decline", "_selected_action": [invited.pk, invoiced.pk]},
    )
    assert Participation.objects.get(pk=invited.pk).status == Participation.Status.DECLINED
    assert Participation.objects.get(pk=invoiced.pk).status == Participation.Status.INVOICED
    assert ParticipationEvent.objects.get(participation=invited).actor == ks_user


def test_sqlite_float_sums_do_not_leave_a_paid_share_owing():
    """0.1 + 0.2 style sums must still make a share fully paid (rounded to øre)."""
    import datetime
    from decimal import Decimal

    from members.models import Participation
    from members.selectors import effective_participation
    from members.services import participation_register_payment

    member = Member2017Factory()
    basis(member, 1)  # 20 kr
    participation = Participation.objects.create(
        member=member, status=Participation.Status.INVOICED, share_amount=Decimal("20.00")
    )
    for amount in ("0.10", "0.20", "19.70"):
        participation_register_payment(
            participation=participation,
            amount=Decimal(amount),
            paid_on=datetime.date(2018, 3, 1),
            actor=None,
        )
    effective = effective_participation(member=member)
    assert effective.paid_amount == Decimal("20.00")
    assert effective.has_paid_share and effective.owed_amount == 0
    assert Participation.objects.get(pk=participation.pk).status == Participation.Status.PAID
