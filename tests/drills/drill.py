"""Fault drills on the real stack (issue #17 §6), on a PostgreSQL cluster and a Redis server of
the drill's own (never the test command's: the drill restarts them).

    .venv/bin/python -m tests.drills.drill [--members N] [--only postgres|redis]
                                           [--schema-from URL-of-a-migrated-empty-database]

For each fault (PostgreSQL restarted; Redis stopped, then started again) on a fresh copy of the
same seeded database:
  1. a Celery worker (with beat: the batch sweep) runs "Fakturer alle bekreftede" for N members;
     a quarter of the way through, the fault strikes;
  2. a camt.054 file that pays every invoice is imported; mid-import the fault strikes again; the
     import is repeated until it succeeds, as KS would upload the file again, and once more;
  3. the invariants are checked (tests/drills/steps.py `check`): nothing lost, nothing doubled,
     gapless numbers, the ledger agrees with the payments (and `manage.py reconcile` once it
     exists).
Prints one JSON line per fault and exits 0 only if every drill held. Bounded in time: every
wait has a deadline."""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return Path(os.environ.get("DIGIFIN_PG_BIN") or found[-1])


class Services:
    """A PostgreSQL cluster and a Redis server in a temp dir on free ports (as scripts/services.sh
    does), which the drill may restart and stop."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="digifin-drill."))
        os.chmod(self.dir, 0o755)  # noqa: S103 -- the postgres user must reach its cluster
        self.pg_port, self.redis_port = _free_port(), _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")

    def _pg(self, tool: str, *args: str, timeout: int = 60) -> None:
        cmd = [str(_pg_bin() / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       timeout=timeout)  # fmt: skip

    def pg_start(self) -> None:
        opts = (
            f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._pg("pg_ctl", "-D", str(self.dir / "pg"), "-l", str(self.dir / "pg.log"), "-w",
                 "-o", opts, "start")  # fmt: skip

    def pg_restart(self) -> None:
        self._pg("pg_ctl", "-D", str(self.dir / "pg"), "-l", str(self.dir / "pg.log"), "-m",
                 "fast", "-w", "restart")  # fmt: skip

    def redis_start(self) -> None:
        subprocess.run(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
             "--daemonize", "yes", "--pidfile", str(self.dir / "redis.pid"), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log")],
            check=True,
        )  # fmt: skip
        _wait(lambda: self.redis("ping") == "PONG", 10, "Redis to start")

    def redis(self, *args: str) -> str:
        out = subprocess.run(["redis-cli", "-p", str(self.redis_port), *args],
                             capture_output=True, text=True)  # fmt: skip
        return out.stdout.strip() if out.returncode == 0 else ""

    def redis_stop(self) -> None:
        """Gone with everything queued in it (no persistence): the worst case."""
        self.redis("shutdown", "nosave")
        _wait(lambda: self.redis("ping") != "PONG", 10, "Redis to stop")

    def start(self) -> None:
        self._pg("initdb", "-D", str(self.dir / "pg"), "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync", "-U", "postgres")  # fmt: skip
        self.pg_start()
        self.sql("postgres", "CREATE ROLE digifin LOGIN SUPERUSER PASSWORD 'digifin'")
        self.redis_start()

    def stop(self) -> None:
        try:
            pid = (self.dir / "redis.pid").read_text().strip()
            os.kill(int(pid), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        with contextlib.suppress(subprocess.SubprocessError):
            self._pg("pg_ctl", "-D", str(self.dir / "pg"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str) -> str:
        return f"postgres://digifin:digifin@127.0.0.1:{self.pg_port}/{db}"

    def sql(self, db: str, statement: str, *params):
        user = "postgres" if db == "postgres" else "digifin"
        dsn = f"host=127.0.0.1 port={self.pg_port} user={user} dbname={db} connect_timeout=3"
        with psycopg.connect(dsn, autocommit=True) as conn:
            cur = conn.execute(statement, params or None)
            return cur.fetchall() if cur.description else None


def _wait(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except psycopg.OperationalError:
            pass  # PostgreSQL is restarting
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


class Drill:
    def __init__(self, services: Services, db: str, members: int):
        self.s, self.db, self.members = services, db, members
        self.work = services.dir / db
        (self.work / "media").mkdir(parents=True)
        (self.work / "mail").mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.drills.settings",
            "DATABASE_URL": services.url(db),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{services.redis_port}/0",
            "DIGIFIN_MEDIA_ROOT": str(self.work / "media"),
            "DIGIFIN_DRILL_MAIL_DIR": str(self.work / "mail"),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CELERY_RESULT_BACKEND", None)
        self.worker = None
        self.log: list[str] = []

    def step(self, *args: str, check: bool = True, timeout: int = 60):
        out = subprocess.run([PY, "-m", "tests.drills.steps", *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=timeout)  # fmt: skip
        if check and out.returncode:
            raise RuntimeError(f"step {args} failed:\n{out.stderr[-3000:]}")
        return out

    def worker_start(self) -> None:
        log = (self.work / "worker.log").open("w")
        self.worker = subprocess.Popen(
            [PY, "-m", "celery", "-A", "digifin", "worker", "-B", "-s",
             str(self.work / "beat-schedule"), "--concurrency", "2", "-Q", "drill",
             "-n", f"{self.db}@%h", "--without-heartbeat", "--without-gossip",
             "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def worker_stop(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            return
        os.killpg(self.worker.pid, signal.SIGTERM)
        try:
            self.worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)

    def done(self) -> int:
        return self.s.sql(self.db, "SELECT count(*) FROM invoicing_batchitem WHERE status='done'")[
            0
        ][0]

    def run(self, fault: str) -> dict:
        strike = self.s.pg_restart if fault == "postgres" else self._redis_outage
        started = time.monotonic()
        self.worker_start()
        try:
            # 1. The batch, struck a quarter of the way through.
            job = self.step("start-batch").stdout.strip()
            _wait(lambda: self.done() >= self.members // 4, 60, "a quarter of the batch")
            before = self.done()
            strike()
            self.log.append(f"batch {job}: {fault} struck after {before}/{self.members} items")
            _wait(lambda: self.done() >= self.members, 90, "the whole batch after the fault",
                  interval=0.5)  # fmt: skip
            _wait(self._job_finished, 10, "the job to be marked finished")
            time.sleep(1.5)  # let redelivered duplicates drain: they must change nothing
            # 2. The bank file, struck mid-import.
            camt = self.work / "camt054.xml"
            payments = int(self.step("camt-file", str(camt)).stdout.strip())
            self.log.append(self._camt_struck(camt, strike))
            for attempt in range(1, 6):  # KS uploads the file again until it is accepted
                out = self.step("camt-import", str(camt), check=False)
                if out.returncode == 0:
                    self.log.append(f"camt import attempt {attempt}: {out.stdout.strip()}")
                    break
                time.sleep(1)
            again = json.loads(self.step("camt-import", str(camt)).stdout)
            self.log.append(f"camt imported again: created={again['created']}")
            time.sleep(1)
        finally:
            self.worker_stop()
        result = json.loads(self.step("check", str(self.members), str(payments)).stdout)
        if again["created"]:
            result["ok"] = False
            result["problems"].append("the same bank file was imported twice")
        result.update(fault=fault, log=self.log, seconds=round(time.monotonic() - started, 1))
        return result

    def _job_finished(self) -> bool:
        return not self.s.sql(self.db, "SELECT 1 FROM invoicing_batchjob WHERE finished_at IS NULL")

    def _redis_outage(self) -> None:
        self.s.redis_stop()
        time.sleep(3)  # the workers notice the broker is gone
        self.s.redis_start()

    def _camt_struck(self, camt: Path, strike) -> str:
        """Start the import and strike while its transaction has booked part of the file."""
        importer = subprocess.Popen(
            [PY, "-m", "tests.drills.steps", "camt-import", str(camt)], cwd=ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        def booking():  # the import's transaction holds the payment table's write lock
            return self.s.sql(
                self.db,
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'fund_ledgerentry' AND l.mode = 'RowExclusiveLock' "
                "AND l.pid <> pg_backend_pid()",
            )

        try:
            _wait(lambda: booking() or importer.poll() is not None, 60, "the import to book")
            mid = importer.poll() is None
            strike()
            out, err = importer.communicate(timeout=60)
        finally:
            if importer.poll() is None:
                importer.kill()
        return (
            f"camt import struck {'mid-import' if mid else 'AFTER it finished'}: "
            f"exit {importer.returncode} {(out or err).strip().splitlines()[-1:]}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=24)
    parser.add_argument("--only", choices=["postgres", "redis"])
    parser.add_argument(
        "--schema-from",
        help="URL of a migrated database without data to copy instead of migrating "
        "(the test passes pytest's test database)",
    )
    args = parser.parse_args(argv)
    # Stopped from outside (a test's timeout): still stop the services below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    services = Services()
    ok = True
    started = time.monotonic()
    try:
        services.start()
        services.sql("postgres", "CREATE DATABASE drill_seed OWNER digifin")
        seed = Drill(services, "drill_seed", args.members)
        if args.schema_from:  # a migrated, empty database: copied in seconds, not migrated
            dump = subprocess.run([str(_pg_bin() / "pg_dump"), "-Fc", "--no-owner", "-d",
                                   args.schema_from], capture_output=True, check=True)  # fmt: skip
            subprocess.run([str(_pg_bin() / "pg_restore"), "--no-owner", "--exit-on-error", "-d",
                            services.url("drill_seed")], input=dump.stdout, check=True)  # fmt: skip
        else:
            migrate = subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                                     env=seed.env, capture_output=True, text=True)  # fmt: skip
            if migrate.returncode:
                raise RuntimeError(migrate.stderr[-3000:])
        seed.step("seed", str(args.members), timeout=120)
        print(json.dumps({"setup_seconds": round(time.monotonic() - started, 1)}), flush=True)
        for fault in [args.only] if args.only else ["postgres", "redis"]:
            db = f"drill_{fault}"
            services.sql("postgres", f"CREATE DATABASE {db} TEMPLATE drill_seed OWNER digifin")
            drill = Drill(services, db, args.members)
            try:
                result = drill.run(fault)
            except Exception as exc:  # a drill that did not recover: report, with the worker log
                log = (drill.work / "worker.log").read_text(errors="replace")[-4000:]
                result = {"fault": fault, "ok": False, "problems": [repr(exc)], "log": drill.log,
                          "worker_log": log}  # fmt: skip
            ok = ok and result["ok"]
            print(json.dumps(result), flush=True)
    finally:
        if not os.environ.get("DIGIFIN_DRILL_KEEP"):
            services.stop()
        else:
            print(f"kept {services.dir}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
