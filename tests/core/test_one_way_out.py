"""The house: every CSV/Excel export goes through core/exports.py, every PDF through
invoicing/pdf.py and every e-mail through invoicing/mail.py (bench/ times bare WeasyPrint and
is not an app)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["digifin", "overview", "repayments", "projects", "members", "invoicing", "fund"]
APPS += ["accounts", "core"]

RULES = {
    "core/exports.py": re.compile(r"\bcsv\.(writer|DictWriter)\b|^\s*(from|import) openpyxl", re.M),
    "invoicing/pdf.py": re.compile(r"^\s*(from|import) weasyprint", re.M),
    "invoicing/mail.py": re.compile(
        r"\b(send_mail|send_mass_mail|EmailMessage|EmailMultiAlternatives)\b"
    ),
}
# Below invoicing in the import contract, so they cannot use its mail module: the log-in codes
# of accounts (like Django's own password-reset mail) are sent at once to the person logging in,
# never queued or kept as correspondence.
EXEMPT = {"invoicing/mail.py": {"accounts/emailcodes.py"}}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("owner", sorted(RULES))
def test_only_the_owner_writes(owner):
    pattern = RULES[owner]
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if str(path.relative_to(ROOT)) != owner and pattern.search(path.read_text("utf-8"))
    ]
    offenders = [path for path in offenders if path not in EXEMPT.get(owner, set())]
    assert offenders == []
