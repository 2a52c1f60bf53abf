"""Security headers and the no-inline-script rule that the CSP depends on."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_every_response_has_a_csp_without_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_of_ours_contains_inline_script():
    """Every <script> in our templates loads a file (src=) or is a json_script data block."""
    offenders = []
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    roots += list(Path(settings.BASE_DIR).glob("digifin/*/templates"))
    for root in roots:
        for path in root.rglob("*.html"):
            for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
                if "src=" not in tag and 'type="application/json"' not in tag:
                    offenders.append(f"{path}: {tag}")
    assert offenders == []
