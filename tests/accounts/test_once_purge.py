"""Consumed one-time form tokens are purged nightly once their signature has expired, and a
token that old is refused by its signature, so the purge never lets a form be sent twice."""

import datetime
import time

import pytest
from django.core import signing
from django.test import RequestFactory
from django.utils import timezone

from accounts import once
from accounts.models import OnceToken
from accounts.tasks import once_tokens_purge
from tests.accounts.factories import KsStaffFactory

pytestmark = pytest.mark.django_db


def _consumed(user, *, days_ago: float, token: str) -> OnceToken:
    row = OnceToken.objects.create(token=token, user=user, purpose="test")
    at = timezone.now() - datetime.timedelta(days=days_ago)
    OnceToken.objects.filter(pk=row.pk).update(consumed_at=at)
    return row


def test_the_nightly_purge_deletes_only_rows_older_than_the_tokens_lifetime():
    user = KsStaffFactory()
    old = _consumed(user, days_ago=7.1, token="old")
    recent = _consumed(user, days_ago=6.9, token="recent")
    assert once_tokens_purge() == 1
    assert list(OnceToken.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OnceToken.objects.filter(pk=old.pk).exists()
    assert once_tokens_purge() == 0  # a second run finds nothing more


def test_a_token_older_than_the_purge_window_is_refused_by_its_signature(monkeypatch):
    user = KsStaffFactory()
    signed_at = time.time() - once.MAX_AGE - 60
    monkeypatch.setattr(signing.time, "time", lambda: signed_at)
    token = once.issue_token(user)
    monkeypatch.undo()
    request = RequestFactory().post("/", {once.FIELD: token})
    request.user = user
    with pytest.raises(once.OnceMissing):
        once._verified_nonce(request)
    fresh = RequestFactory().post("/", {once.FIELD: once.issue_token(user)})
    fresh.user = user
    assert once._verified_nonce(fresh)  # the same path accepts a token inside its lifetime
