"""Every demo user's start page shows at least one task («Mine oppgaver», issue 19), and
loading the demo again adds no task and sends no e-mail twice."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import User
from digifin.demo import DEMO_USERS
from digifin.task_list import tasks_for
from invoicing.models import OutgoingEmail

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the demo on PostgreSQL"),
]


def test_every_demo_user_has_a_task_and_the_demo_stays_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    users = [User.objects.get(username=row[0]) for row in DEMO_USERS]
    before = {u.username: [t.text for t in tasks_for(u)] for u in users}
    emails = OutgoingEmail.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert {u.username: [t.text for t in tasks_for(u)] for u in users} == before
    assert OutgoingEmail.objects.count() == emails
    assert any(t.startswith("Bekreft medsøknad") for t in before["oyer"])
    assert any(t.startswith("Gi poeng i sak") for t in before["radet"])
    assert any(t.startswith("Gi poeng i sak") for t in before["radet2"])
    for user in users:
        client = Client()
        client.force_login(user)
        page = client.get("/").content.decode()
        assert 'data-testid="task-list"' in page, user.username
        assert before[user.username], user.username
