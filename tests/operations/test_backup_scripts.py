"""scripts/backup.sh and scripts/restore.sh (docs/operations.md, "Sikkerhetskopi og
gjenoppretting"): a database with ledger entries, invoices with their PDFs in media, and payments
is backed up, restored into a fresh database and a fresh media directory, and every ledger entry,
invoice, payment and file is found again. A restore that does not match is refused."""

import datetime
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("DIGIFIN_PG_BIN"),
        reason="needs the PostgreSQL cluster that the test command starts",
    ),
]

SCRIPTS = settings.BASE_DIR / "scripts"


def _url(name):
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name}"


def _psql(name, sql):
    out = subprocess.run(
        ["psql", "-d", _url(name), "-XtAc", sql], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _run(*args, **env):
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.fixture
def demo_like_data(settings, tmp_path, ks_user):
    """Ledger entries (with a reversal), two invoices with PDF and EHF in media, a payment."""
    from fund.models import CapitalSource, LedgerEntry
    from fund.services import ledger_record, ledger_reverse
    from invoicing.services import invoice_render_files, register_payment
    from tests.invoicing.factories import issue_manual

    settings.MEDIA_ROOT = tmp_path / "media"
    day = datetime.date(2018, 1, 15)
    grant = ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("100000000"),
        occurred_on=day,
        description="KMD 2018",
    )
    ledger_reverse(entry=grant, actor=None, reason="Feil beløp")
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("99000000"),
        occurred_on=day,
        description="KMD 2018 (korrigert)",
    )
    invoices = [
        invoice_render_files(invoice=issue_manual(amount=amount, actor=ks_user))
        for amount in ("555700.00", "1234.50")
    ]
    register_payment(
        amount=Decimal("1234.50"),
        paid_on=datetime.date(2026, 11, 20),
        actor=ks_user,
        invoice=invoices[1],
        external_ref="bank:1",
    )
    assert all(i.pdf and i.ehf_xml for i in invoices)
    return invoices


@pytest.fixture
def restored_db():
    name = f"{connection.settings_dict['NAME']}_restored"
    _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    yield name
    _psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')


def _backup(tmp_path):
    result = _run(
        SCRIPTS / "backup.sh",
        tmp_path / "backups",
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DIGIFIN_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_backup_restores_every_ledger_entry_invoice_payment_and_pdf(
    demo_like_data, restored_db, tmp_path
):
    from fund.models import LedgerEntry
    from invoicing.models import Invoice, Payment

    backup = _backup(tmp_path)
    media = tmp_path / "restored-media"
    result = _run(SCRIPTS / "restore.sh", backup, _url(restored_db), media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gjenoppretting verifisert" in result.stdout

    # Checked here on their own too, not only by the script's manifest.
    rows = _psql(
        restored_db,
        "SELECT id, amount, kind, coalesce(reverses_id::text, '') FROM fund_ledgerentry "
        "ORDER BY id",
    )
    expected = LedgerEntry.objects.order_by("id").values_list("id", "amount", "kind", "reverses")
    assert rows.splitlines() == [f"{i}|{a:.2f}|{k}|{r or ''}" for i, a, k, r in expected]
    assert any(r for *_rest, r in expected)  # the reversal keeps its link to what it reverses
    assert len(rows.splitlines()) == 3
    assert Decimal(_psql(restored_db, "SELECT sum(amount) FROM fund_ledgerentry")) == Decimal(
        "99000000.00"
    )
    invoices = _psql(restored_db, "SELECT number, total, status, pdf FROM invoicing_invoice")
    assert sorted(invoices.splitlines()) == sorted(
        f"{n}|{t:.2f}|{s}|{p}"
        for n, t, s, p in Invoice.objects.values_list("number", "total", "status", "pdf")
    )
    assert _psql(restored_db, "SELECT external_ref FROM invoicing_payment") == "bank:1"
    assert Payment.objects.count() == 1
    for invoice in demo_like_data:
        for field in (invoice.pdf, invoice.ehf_xml):
            restored = media / field.name
            assert restored.read_bytes() == (settings.MEDIA_ROOT / field.name).read_bytes()
    assert (media / demo_like_data[0].pdf.name).read_bytes().startswith(b"%PDF")
    # The ledger's append-only trigger comes back with the restore.
    refused = _run("psql", "-d", _url(restored_db), "-v", "ON_ERROR_STOP=1", "-c",
                   "UPDATE fund_ledgerentry SET amount = 1")  # fmt: skip
    assert refused.returncode != 0


def test_restore_refuses_a_backup_that_does_not_match(demo_like_data, restored_db, tmp_path):
    backup = _backup(tmp_path)
    # A PDF lost from the archive: the restore must say so, not report success.
    lost = demo_like_data[0].pdf.name
    extracted = tmp_path / "edit"
    extracted.mkdir()
    subprocess.run(["tar", "-C", extracted, "-xzf", f"{backup}/media.tar.gz"], check=True)
    (extracted / lost).unlink()
    subprocess.run(["tar", "-C", extracted, "-czf", f"{backup}/media.tar.gz", "."], check=True)
    sums = subprocess.run(
        ["sha256sum", "digifin.dump", "media.tar.gz", "manifest.txt", "media.sha256"],
        cwd=backup,
        check=True,
        capture_output=True,
    ).stdout
    (Path(backup) / "SHA256SUMS").write_bytes(sums)
    result = _run(SCRIPTS / "restore.sh", backup, _url(restored_db), tmp_path / "m1")
    assert result.returncode != 0
    assert "media" in result.stderr

    # A restore into a database that is not empty is refused (nothing is overwritten).
    result = _run(SCRIPTS / "restore.sh", backup, _url(connection.settings_dict["NAME"]),
                  tmp_path / "m2")  # fmt: skip
    assert result.returncode != 0
    assert "not empty" in result.stderr
