"""A real Celery worker for tests on the test command's Redis and PostgreSQL: a subprocess
(`celery -A digifin worker`) pointed at pytest's test database, on a queue of the test's own."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def real_broker(settings):
    """Send tasks to Redis (not eagerly) on a queue of this test's own."""
    from digifin.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (scripts/test.sh)")
    queue = f"invoicing-kill-{uuid.uuid4().hex[:8]}"
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_always_eager, app.conf.task_default_queue = saved


class Worker:
    def __init__(self, *, queue: str, tmp: Path, name: str):
        db = connection.settings_dict["NAME"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.invoicing.worker_settings",
            "DIGIFIN_WORKER_DB_NAME": db,
            "DIGIFIN_WORKER_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DIGIFIN_WORKER_MAIL_DIR": str(tmp / "mail"),
            "DIGIFIN_WORKER_QUEUE": queue,
        }
        self.log = (tmp / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "digifin",
                "worker",
                "--concurrency",
                "2",
                "--pool",
                "prefork",
                "-Q",
                queue,
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(predicate, timeout: float, what: str, *, job=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    errors = []
    if job is not None:
        errors = list(job.items.exclude(error="").values_list("error", flat=True)[:3])
    raise AssertionError(f"timed out waiting for {what}; item errors: {errors}")
