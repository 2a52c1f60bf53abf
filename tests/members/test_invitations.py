"""Invitation letters only to members that do not take part, after a page that lists them."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from invoicing import batch
from invoicing.forms import BatchStartForm
from invoicing.models import BatchItem, BatchJob, Document
from members.invitations import invitation_plan, invitations_send
from members.invoicing import InvitationBatch
from members.models import Participation
from tests.invoicing.factories import member_with_address
from tests.members.factories import Member2017Factory, ParticipationFactory, succession

pytestmark = pytest.mark.django_db
S = Participation.Status


@pytest.fixture
def world():
    """Bergen has paid through its 2017 predecessor; Gausdal paid itself; Utsira declined;
    Røst is invited without an answer; Vega has never been invited; Oslo fylke is billed with
    Oslo kommune (confirmed)."""
    bergen_1201 = Member2017Factory(name="Bergen kommune (1201)", number="1201")
    ParticipationFactory(member=bergen_1201, status=S.PAID)
    bergen = member_with_address(name="Bergen kommune", number="4601")
    succession(bergen_1201, bergen)
    gausdal = member_with_address(name="Gausdal kommune", number="3407")
    ParticipationFactory(member=gausdal, status=S.PAID)
    utsira = member_with_address(name="Utsira kommune", number="1151")
    ParticipationFactory(member=utsira, status=S.DECLINED)
    rost = member_with_address(name="Røst kommune", number="1856")
    ParticipationFactory(member=rost, status=S.INVITED)
    vega = member_with_address(name="Vega kommune", number="1815")
    oslo = member_with_address(name="Oslo kommune", number="0301")
    ParticipationFactory(member=oslo, status=S.CONFIRMED)
    member_with_address(name="Oslo fylke", number="03", kind="fylkeskommune", billed_with=oslo)
    member_with_address(name="KS", number="", kind="ks")
    old = Member2017Factory(name="Tysfjord kommune", number="1850")  # no longer exists
    return {
        "bergen": bergen,
        "gausdal": gausdal,
        "utsira": utsira,
        "rost": rost,
        "vega": vega,
        "old": old,
    }


def _ids(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="members" value="(\d+)"', html)}


def test_the_plan_leaves_out_participants_declined_and_former_members(world):
    plan = invitation_plan()
    assert sorted(m.name for m, _e in plan.recipients) == ["Røst kommune", "Vega kommune"]
    assert world["bergen"] in [m for m, _e in plan.participants]
    assert [m for m, _e in plan.declined] == [world["utsira"]]


def test_the_confirmation_page_lists_and_counts_the_recipients_not_bergen(ks_client, world):
    response = ks_client.get(reverse("members:invitations_confirm"))
    html = response.content.decode()
    assert response.status_code == 200
    assert _ids(html) == {world["rost"].pk, world["vega"].pk}
    assert "Send 2 invitasjonsbrev" in html
    assert "2 medlemmer får invitasjonsbrev" in html
    recipients = html.split('data-testid="recipients"')[1].split("</table>")[0]
    assert "Bergen" not in recipients and "Gausdal" not in recipients
    assert "Utsira" not in recipients


def test_sending_goes_only_to_the_listed_set(
    ks_client, ks_user, world, django_capture_on_commit_callbacks
):  # noqa: E501
    # The page listed Røst only (say, Vega was added afterwards): Vega gets no letter.
    with django_capture_on_commit_callbacks(execute=True):
        response = ks_client.post(
            reverse("members:invitations_send"), {"members": [world["rost"].pk]}
        )
    job = BatchJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoicing:job_detail", args=[job.pk])
    assert job.kind == BatchJob.Kind.INVITATIONS and job.started_by == ks_user
    assert list(job.items.values_list("object_id", flat=True)) == [world["rost"].pk]
    for item_id in job.items.values_list("pk", flat=True):
        batch.item_run(item_id=item_id)
    letters = Document.objects.filter(kind=Document.Kind.INVITATION)
    assert [d.member_id for d in letters] == [world["rost"].pk]
    assert len(mail.outbox) == 1


def test_a_listed_member_that_paid_in_the_meantime_gets_no_letter(ks_user, world):
    job, targets = invitations_send(
        member_ids=[world["bergen"].pk, world["gausdal"].pk, world["vega"].pk], actor=ks_user
    )
    assert targets == [world["vega"].pk]
    assert list(job.items.values_list("object_id", flat=True)) == [world["vega"].pk]


def test_sending_the_same_list_twice_makes_one_job(ks_client, world):
    data = {"members": [world["rost"].pk, world["vega"].pk]}
    ks_client.post(reverse("members:invitations_send"), data)
    second = ks_client.post(reverse("members:invitations_send"), data, follow=True)
    assert BatchJob.objects.count() == 1
    assert BatchItem.objects.count() == 2
    assert "Ingen invitasjonsbrev sendt" in second.content.decode()
    # and the page now lists nobody
    html = ks_client.get(reverse("members:invitations_confirm")).content.decode()
    assert _ids(html) == set()


def test_an_empty_or_garbled_post_sends_nothing(ks_client, world):
    response = ks_client.post(reverse("members:invitations_send"), {"members": ["x"]})
    assert response.status_code == 302
    assert not BatchJob.objects.exists()


def test_the_member_list_links_to_the_confirmation_page(ks_client, world):
    html = ks_client.get(reverse("members:staff_member_list")).content.decode()
    assert reverse("members:invitations_confirm") in html


def test_a_member_with_a_letter_is_not_listed_again(ks_user, world):
    Document.objects.create(
        member=world["vega"],
        kind=Document.Kind.INVITATION,
        title="Invitasjon – Vega kommune",
        source_key=f"invitation:{world['vega'].pk}",
        file="documents/2026/x.pdf",
        created_by=ks_user,
    )
    plan = invitation_plan()
    assert [m for m, _e in plan.recipients] == [world["rost"]]
    assert [m for m, _e in plan.already_invited] == [world["vega"]]


def test_the_confirmation_page_and_the_staff_page_are_english(ks_client, world, english):
    ks_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = ks_client.get(reverse("members:invitations_confirm")).content.decode()
    assert "2 members get an invitation letter." in html and "Send 2 invitation letters" in html
    assert "invitasjonsbrev" not in html
    page = ks_client.get(reverse("members:staff_member_detail", args=[world["rost"].pk]))
    text = page.content.decode()
    assert "Record a confirmation received by e-mail" in text and "Date received" in text
    assert "Registrer" not in text


def test_the_invitation_batch_writes_only_to_the_plan_s_recipients(world):
    """The batch source invoicing runs is the same list KS confirms: no letter to Bergen
    (paid through its predecessor), Gausdal (paid) or Utsira (declined)."""
    targets = InvitationBatch().targets()
    assert sorted(targets) == sorted([world["rost"].pk, world["vega"].pk])


def test_the_invoicing_batch_form_does_not_start_invitations():
    """Invitations start from the members' page that lists the recipients first."""
    choices = [value for value, _label in BatchStartForm().fields["kind"].choices]
    assert BatchJob.Kind.INVITATIONS not in choices
    assert not BatchStartForm({"kind": BatchJob.Kind.INVITATIONS}).is_valid()
