"""Refreshing members from Enhetsregisteret over real HTTP: the differences are shown before
anything changes, applied once on KS's confirmation; failures are listed and change nothing;
KS's målform wins over the register's."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from members.models import Maalform, Member, RegisterRefresh
from members.register import register_refresh_apply, register_refresh_fetch
from tests.members.factories import MemberFactory
from tests.once_support import with_once

pytestmark = pytest.mark.django_db

LILLEHAMMER, OYER, BERGEN, VOSS = "945578564", "961381185", "964338531", None


@pytest.fixture
def members():
    """Three members with real orgnr and what DigiFin knew before the register was asked."""
    return {
        "lillehammer": MemberFactory(
            name="Lillehammer", number="3405", orgnr=LILLEHAMMER, address="Gammel adresse 1"
        ),
        "oyer": MemberFactory(name="Øyer", number="3440", orgnr=OYER, address="Kongsvegen 351"),
        "bergen": MemberFactory(name="Bergen", number="4601", orgnr=BERGEN, address=""),
    }


def _fields(refresh, member):
    change = next(c for c in refresh.changes if c["member"] == member.pk)
    return {field: (old, new) for field, old, new in change["fields"]}


def test_look_up_shows_differences_and_changes_nothing(register_server, members):
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    assert refresh.status == RegisterRefresh.Status.READY
    assert refresh.checked == 3 and refresh.failures == []
    fields = _fields(refresh, members["lillehammer"])
    assert fields["address"] == ("Gammel adresse 1", "Postboks 986\n2626 LILLEHAMMER")
    assert fields["organisasjonsform"] == ("", "KOMM")
    assert fields["register_maalform"] == ("", "bokmal")
    members["lillehammer"].refresh_from_db()
    assert members["lillehammer"].address == "Gammel adresse 1"
    assert members["lillehammer"].refreshed_at is None


def test_apply_writes_what_was_shown(register_server, members, ks_user):
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    register_refresh_apply(refresh=refresh, actor=ks_user)
    lillehammer = Member.objects.get(pk=members["lillehammer"].pk)
    assert lillehammer.address == "Postboks 986\n2626 LILLEHAMMER"
    assert (lillehammer.postal_address, lillehammer.postnummer) == ("Postboks 986", "2626")
    assert lillehammer.register_name == "LILLEHAMMER KOMMUNE"
    assert lillehammer.refreshed_at is not None
    assert lillehammer.history.first().history_change_reason.startswith("Enhetsregisteret")
    # A second look-up finds nothing more to change.
    again = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    assert again.changes == []


def test_failures_are_listed_and_those_members_keep_their_data(register_server, members, ks_user):
    register_server.behaviour[OYER] = "slow"
    register_server.behaviour[BERGEN] = "malformed"
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    reasons = {f["orgnr"]: f["reason"] for f in refresh.failures}
    assert set(reasons) == {OYER, BERGEN}
    assert "svarte ikke innen" in reasons[OYER] and "ikke JSON" in reasons[BERGEN]
    register_refresh_apply(refresh=refresh, actor=ks_user)
    oyer = Member.objects.get(pk=members["oyer"].pk)
    assert (oyer.address, oyer.refreshed_at) == ("Kongsvegen 351", None)
    assert Member.objects.get(pk=members["lillehammer"].pk).refreshed_at is not None


def test_a_unit_gone_from_the_register_is_flagged_and_keeps_its_address(register_server, members):
    register_server.behaviour[OYER] = "404"
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    assert _fields(refresh, members["oyer"]) == {"register_deleted": (False, True)}
    register_refresh_apply(refresh=refresh, actor=None)
    oyer = Member.objects.get(pk=members["oyer"].pk)
    assert oyer.register_deleted and oyer.address == "Kongsvegen 351"


def test_deleted_predecessor_gets_its_deletion_date(register_server):
    documents = register_server.documents
    orgnr = next(k for k, d in documents.items() if "slettedato" in d)
    member = MemberFactory(orgnr=orgnr)
    register_refresh_apply(
        refresh=register_refresh_fetch(refresh=RegisterRefresh.objects.create()), actor=None
    )
    member.refresh_from_db()
    assert member.register_deleted
    assert member.register_deleted_on == datetime.date.fromisoformat(documents[orgnr]["slettedato"])


def test_member_changed_after_the_look_up_is_skipped(register_server, members, ks_user):
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    Member.objects.filter(pk=members["lillehammer"].pk).update(address="Rettet av KS")
    refresh = register_refresh_apply(refresh=refresh, actor=ks_user)
    assert [s["member"] for s in refresh.skipped] == [members["lillehammer"].pk]
    assert Member.objects.get(pk=members["lillehammer"].pk).address == "Rettet av KS"
    assert Member.objects.get(pk=members["bergen"].pk).address == "Postboks 7700\n5020 BERGEN"


def test_invalid_orgnr_is_listed_and_never_sent(register_server):
    bad = MemberFactory(orgnr="945578564")
    Member.objects.filter(pk=bad.pk).update(orgnr="945578565")  # past the model's validator
    refresh = register_refresh_fetch(refresh=RegisterRefresh.objects.create())
    assert refresh.failures[0]["orgnr"] == "945578565"
    assert "MOD11" in refresh.failures[0]["reason"]
    assert register_server.requests == []


def test_ks_maalform_wins_over_the_register(register_server):
    voss_orgnr = next(
        k for k, d in register_server.documents.items() if d["navn"] == "VOSS KOMMUNE"
    )
    voss = MemberFactory(name="Voss", orgnr=voss_orgnr)
    register_refresh_apply(
        refresh=register_refresh_fetch(refresh=RegisterRefresh.objects.create()), actor=None
    )
    voss.refresh_from_db()
    assert voss.register_maalform == Maalform.NYNORSK
    assert voss.effective_maalform == Maalform.NYNORSK
    voss.maalform = Maalform.NOYTRAL
    voss.save()
    assert voss.effective_maalform == Maalform.NOYTRAL
    # A later refresh never touches KS's own setting.
    register_refresh_apply(
        refresh=register_refresh_fetch(refresh=RegisterRefresh.objects.create()), actor=None
    )
    voss.refresh_from_db()
    assert (voss.maalform, voss.effective_maalform) == (Maalform.NOYTRAL, Maalform.NOYTRAL)
    assert MemberFactory(orgnr="").effective_maalform == Maalform.BOKMAL


def test_ks_previews_then_applies_on_the_page(
    register_server, members, ks_client, ks_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ks_client.post(reverse("members:register_refresh_start"), with_once(ks_user, {}))
    refresh = RegisterRefresh.objects.get()
    assert response.url == reverse("members:register_refresh_detail", args=[refresh.pk])
    page = ks_client.get(response.url).content.decode()
    assert "Gammel adresse 1" in page and "Postboks 986" in page
    assert Member.objects.get(pk=members["lillehammer"].pk).address == "Gammel adresse 1"
    apply_url = reverse("members:register_refresh_apply", args=[refresh.pk])
    body = with_once(ks_user, {})
    ks_client.post(apply_url, body)
    assert Member.objects.get(pk=members["lillehammer"].pk).address.startswith("Postboks 986")
    refresh.refresh_from_db()
    assert refresh.status == RegisterRefresh.Status.APPLIED and refresh.applied_by == ks_user
    # The same form sent twice (a double click) does nothing more.
    Member.objects.filter(pk=members["lillehammer"].pk).update(address="Rettet etterpå")
    ks_client.post(apply_url, body)
    assert Member.objects.get(pk=members["lillehammer"].pk).address == "Rettet etterpå"


def test_the_page_lists_members_that_could_not_be_refreshed(
    register_server, members, ks_client, ks_user, django_capture_on_commit_callbacks
):
    register_server.behaviour[BERGEN] = "500"
    with django_capture_on_commit_callbacks(execute=True):
        response = ks_client.post(reverse("members:register_refresh_start"), with_once(ks_user, {}))
    page = ks_client.get(response.url).content.decode()
    assert 'data-testid="failures"' in page and "feil 500" in page


def test_command_shows_and_applies_only_with_apply(register_server, members):
    out = io.StringIO()
    call_command("refresh_register", stdout=out)  # no terminal to ask: shows only
    assert "Gammel adresse 1 → Postboks 986 / 2626 LILLEHAMMER" in out.getvalue()
    assert Member.objects.get(pk=members["lillehammer"].pk).address == "Gammel adresse 1"
    register_server.behaviour[BERGEN] = "500"
    out = io.StringIO()
    call_command("refresh_register", "--apply", stdout=out)
    assert "Kunne ikke oppdateres: " in out.getvalue() and BERGEN in out.getvalue()
    assert Member.objects.get(pk=members["lillehammer"].pk).address.startswith("Postboks 986")
    assert Member.objects.get(pk=members["bergen"].pk).address == ""


def test_admin_action_looks_up_the_selected_members_only(
    register_server, members, client, ks_user, django_capture_on_commit_callbacks
):
    client.force_login(ks_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_member_changelist"),
            {
                "action": "refresh_from_register",
                "_selected_action": [members["oyer"].pk],
            },
        )
    refresh = RegisterRefresh.objects.get()
    assert response.url == reverse("members:register_refresh_detail", args=[refresh.pk])
    assert refresh.checked == 1
    assert [c["member"] for c in refresh.changes] == [members["oyer"].pk]
    assert register_server.count(LILLEHAMMER) == 0
    # The member page shows the register's data once applied.
    register_refresh_apply(refresh=refresh, actor=ks_user)
    page = client.get(
        reverse("members:staff_member_detail", args=[members["oyer"].pk])
    ).content.decode()
    assert "Kongsvegen 351<br>2610 MESNALI" in page and "ØYER KOMMUNE (KOMM)" in page
