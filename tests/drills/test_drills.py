"""The fault drills (tests/drills/drill.py, issue #17 §6): PostgreSQL restarted and Redis stopped
during an invoice batch and during a camt.054 import, on services of the drill's own; after
recovery nothing is lost, nothing doubled, numbers are gapless and the ledger agrees."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the drill copies the PostgreSQL test database"
    ),
    pytest.mark.skipif(
        not (Path("/usr/lib/postgresql").is_dir() and shutil.which("redis-server")),
        reason="needs PostgreSQL's binaries and redis-server (scripts/test.sh installs them)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


def test_fault_drills_lose_nothing_and_double_nothing(db):
    # pytest's migrated test database is the drill's schema (a copy, not a 30 s migrate); the
    # drill's services are its own, the test command's are left alone.
    s = connection.settings_dict
    schema = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    drill = subprocess.Popen(
        [sys.executable, "-m", "tests.drills.drill", "--members", "20", "--schema-from", schema],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = drill.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        drill.terminate()  # the drill stops its PostgreSQL, Redis and worker on SIGTERM
        stdout, stderr = drill.communicate(timeout=60)
        pytest.fail(f"the drill took more than 400 s:\n{stdout}\n{stderr[-3000:]}")
    out = subprocess.CompletedProcess(drill.args, drill.returncode, stdout, stderr)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    results = {r["fault"]: r for r in lines if "fault" in r}
    assert set(results) == {"postgres", "redis"}, out.stdout + out.stderr[-3000:]
    for fault, result in results.items():
        assert result["ok"], f"{fault}: {result}"
        assert result["invoices"] == result["payments"] == 20
        # The faults struck while there was work in flight, not after it.
        assert "struck after" in result["log"][0]
        struck_after = int(result["log"][0].split("struck after ")[1].split("/")[0])
        assert struck_after < 20
        assert "mid-import" in result["log"][1], result["log"]
    # A restart cut the import off: it rolled back whole and the upload again booked it once.
    assert "exit 1" in results["postgres"]["log"][1]
    assert out.returncode == 0
