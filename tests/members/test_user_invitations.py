"""KS invites a person to an organisation: the invitation is stored (its token only as a hash),
e-mailed once with its link, listed, and can be revoked while unused (issue 21 §1)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.identity import token_digest
from accounts.models import Invitation
from tests.members.factories import MemberFactory
from tests.once_support import with_once


def _form(member, **changes):
    return {
        "name": "Kari Nordmann",
        "email": "kari.nordmann@lillehammer.kommune.no",
        "organisation": member.pk,
        "expires_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        **changes,
    }


@pytest.mark.django_db
def test_ks_invites_a_person_and_the_email_carries_a_working_link(ks_client, ks_user, client):
    member = MemberFactory(name="Lillehammer kommune")
    data = with_once(ks_user, _form(member))

    response = ks_client.post(reverse("members:user_invitations"), data)
    again = ks_client.post(reverse("members:user_invitations"), data)  # a double click

    assert response.status_code == 302 and again.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.created_by) == (member, ks_user)
    assert timezone.localtime(
        invitation.expires_at
    ).date() == timezone.localdate() + datetime.timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari.nordmann@lillehammer.kommune.no"]
    assert "Lillehammer kommune" in message.subject
    link = re.search(r"http://testserver(/konto/invitasjon/[^/\s]+/)", message.body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only the token's hash is stored.
    assert invitation.token_digest == token_digest(token)
    assert token not in str(list(Invitation.objects.values()))
    page = client.get(link)
    assert page.status_code == 200 and "Lillehammer kommune" in page.content.decode()
    listing = ks_client.get(reverse("members:user_invitations")).content.decode()
    assert "Venter på innlogging" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"email": "ikke-en-adresse"},
        {"name": "x" * 201},
        {"expires_on": "2020-01-01"},
        {"expires_on": "2999-01-01"},
        {"organisation": "999999"},
    ],
)
def test_bad_invitation_input_is_refused_and_nothing_is_sent(ks_client, ks_user, changes):
    member = MemberFactory()
    response = ks_client.post(
        reverse("members:user_invitations"), with_once(ks_user, _form(member, **changes))
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_revoked_invitation_link_is_refused(ks_client, ks_user, client):
    member = MemberFactory()
    ks_client.post(reverse("members:user_invitations"), with_once(ks_user, _form(member)))
    invitation = Invitation.objects.get()
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)

    ks_client.post(
        reverse("members:user_invitation_revoke", args=[invitation.pk]), with_once(ks_user, {})
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = client.get(link)
    assert page.status_code == 410
    assert "trukket tilbake" in page.content.decode()


@pytest.mark.django_db
def test_demo_invitations_are_idempotent_and_their_waiting_link_works(client, ks_user):
    import io

    from members.demo import _user_invitations

    ks_user.username = "ks"
    ks_user.save()
    _user_invitations(stdout=io.StringIO())
    first = list(Invitation.objects.order_by("pk").values())
    _user_invitations(stdout=io.StringIO())
    assert list(Invitation.objects.order_by("pk").values()) == first
    assert len(first) == 4
    page = client.get(reverse("accounts:invitation", args=["demo-invitasjon-oyer"]))
    assert page.status_code == 200 and "Marte Lien" in page.content.decode()
    assert (
        client.get(reverse("accounts:invitation", args=["demo-invitasjon-bergen"])).status_code
        == 410
    )
