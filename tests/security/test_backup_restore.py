"""A pg_dump of the database restores into a fresh database with every ledger entry and
invoice intact (docs/operations.md describes the procedure this test follows)."""

import datetime
import os
import subprocess
from decimal import Decimal

import pytest
from django.db import connection

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record, ledger_reverse

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("DIGIFIN_PG_BIN"),
        reason="needs the PostgreSQL cluster that the test command starts",
    ),
]


def _pg(tool, *args, **kw):
    env = {**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""}
    s = connection.settings_dict
    cmd = [
        os.path.join(os.environ["DIGIFIN_PG_BIN"], tool),
        "-h",
        s["HOST"],
        "-p",
        str(s["PORT"]),
        "-U",
        s["USER"],
        *args,
    ]
    return subprocess.run(cmd, env=env, check=True, capture_output=True, **kw)


def _rows(dbname, sql):
    out = _pg("psql", "-d", dbname, "-tAc", sql, text=True).stdout.strip()
    return out


def test_dump_restores_every_ledger_entry_and_invoice(tmp_path):
    day = datetime.date(2018, 1, 15)
    grant = ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("100000000"),
        occurred_on=day,
        description="KMD 2018",
    )
    ledger_reverse(entry=grant, actor=None, reason="Test av reversering")
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("100000000"),
        occurred_on=day,
        description="KMD 2018 (korrigert)",
    )
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=Decimal("1234567.89"),
        occurred_on=day,
        description="Utbetaling",
    )
    invoice_count = 0
    try:
        from tests.invoicing.factories import issued_invoice  # noqa: PLC0415
    except ImportError:
        issued_invoice = None
    if issued_invoice is not None:
        issued_invoice()
        invoice_count = 1

    source_db = connection.settings_dict["NAME"]
    dump = tmp_path / "digifin.dump"
    _pg("pg_dump", "-Fc", "-f", str(dump), source_db)
    restored = f"{source_db}_restored"
    _pg("psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{restored}"')
    _pg("psql", "-d", "postgres", "-c", f'CREATE DATABASE "{restored}"')
    try:
        _pg("pg_restore", "--no-owner", "-d", restored, str(dump))
        expected = list(
            LedgerEntry.objects.order_by("id").values_list("id", "amount", "kind", "reverses_id")
        )
        got = _rows(
            restored,
            "SELECT id, amount, kind, coalesce(reverses_id::text, '') "
            "FROM fund_ledgerentry ORDER BY id",
        ).splitlines()
        assert [tuple(line.split("|")) for line in got] == [
            (str(i), f"{a:.2f}", k, str(r) if r else "") for i, a, k, r in expected
        ]
        assert Decimal(_rows(restored, "SELECT sum(amount) FROM fund_ledgerentry")) == Decimal(
            "98765432.11"
        )
        # The append-only trigger comes back with the restore.
        with pytest.raises(subprocess.CalledProcessError):
            _pg(
                "psql",
                "-d",
                restored,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "UPDATE fund_ledgerentry SET amount = 0",
            )
        if invoice_count:
            assert int(_rows(restored, "SELECT count(*) FROM invoicing_invoice")) == invoice_count
    finally:
        _pg("psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{restored}"')
