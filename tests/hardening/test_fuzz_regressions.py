"""What the fuzz test (test_fuzz_forms.py) found, pinned as plain tests."""

import pytest
from django.urls import reverse

from core.bounds import ID_MAX, object_id
from invoicing.models import BatchJob


def test_object_id_refuses_what_cannot_be_an_id():
    assert object_id("17") == 17
    assert object_id(str(ID_MAX)) == ID_MAX
    for value in (str(ID_MAX + 1), str(10**30), "0", "-1", "abc", "", None, "1.5"):
        assert object_id(value) is None


@pytest.mark.django_db
def test_invitations_with_an_id_beyond_the_database_integer_is_not_a_500(ks_client):
    """Found: members=2**63 overflowed the database integer (500 on SQLite)."""
    response = ks_client.post(
        reverse("members:invitations_send"), {"members": [str(2**63), str(10**30)]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:invitations_confirm")
    assert not BatchJob.objects.exists()
