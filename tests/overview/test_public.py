"""The public transparency page: open to all, and nothing on it that is not public."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRIVATE = ["Hemmelig Kontaktperson", "hemmelig@example.no", "REF-1", "PS 1/17", "@example.no"]


def _all_public(client):
    pages = [
        client.get(reverse("public:transparency")),
        client.get(reverse("public:json")),
        client.get(reverse("public:csv", args=["deltakere"])),
        client.get(reverse("public:csv", args=["prosjekter"])),
        client.get(reverse("public:csv", args=["losninger"])),
    ]
    return pages


def test_public_page_and_downloads_are_open_without_login(client, fund):
    for response in _all_public(client):
        assert response.status_code == 200


def test_public_page_shows_who_participates_and_has_paid(client, fund):
    html = client.get(reverse("public:transparency")).content.decode()
    assert "Lillehammer" in html and "Øyer" in html and "Bergen" in html
    assert "Utenfor" not in html  # not a participant
    assert "555\xa0700\xa0kr" in html


def test_public_outputs_contain_no_private_fields(client, fund, ks_user):
    for response in _all_public(client):
        text = response.content.decode("utf-8-sig")
        for secret in [*PRIVATE, ks_user.username, ks_user.email]:
            assert secret not in text, (response.request["PATH_INFO"], secret)


def test_public_json_has_only_public_keys(client, fund):
    payload = json.loads(client.get(reverse("public:json")).content)
    participant = next(p for p in payload["participants"] if p["name"] == "Øyer")
    assert set(participant) == {
        "number",
        "name",
        "kind",
        "status",
        "decided_on",
        "share",
        "paid",
        "own_paid",
        "predecessors",
    }
    assert participant["predecessors"] == []
    assert participant["paid"] == "50000.00" or participant["paid"] == "50000"
    # Only projects KS has granted are published (the fixture's ledger refs have none).
    assert payload["projects"] == []


def test_public_csv_of_participants_lists_paid_amounts(client, fund):
    text = client.get(reverse("public:csv", args=["deltakere"])).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "nummer;navn;type;status;vedtatt;andel;innbetalt;forgjengere"
    oyer = next(line for line in lines if ";Øyer;" in line)
    assert oyer.endswith(";101680.00;50000.00;")


def test_unknown_public_table_is_404(client):
    assert client.get(reverse("public:csv", args=["brukere"])).status_code == 404


def test_unpublished_proposals_never_appear(client, fund, municipal_user):
    Proposal = pytest.importorskip("projects.models").Proposal
    Proposal.objects.create(
        title="Hemmelig utkast", lead_member=municipal_user.organisation, created_by=municipal_user
    )
    for response in _all_public(client):
        assert "Hemmelig utkast" not in response.content.decode("utf-8-sig")
