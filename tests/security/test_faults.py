"""Fault tests on the real services the test command starts: Redis stopped while a user submits
a proposal, and PostgreSQL restarted in the middle of an invoicing batch."""

import os
import subprocess
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from tests.celery_support import Worker, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DIGIFIN_REDIS_PORT") and os.environ.get("DIGIFIN_PG_DATA")),
        reason="needs the Redis and PostgreSQL that scripts/test.sh starts",
    ),
]


def _redis(*args):
    port = os.environ["DIGIFIN_REDIS_PORT"]
    return subprocess.run(["redis-cli", "-p", port, *args], capture_output=True, text=True)


def _redis_stop():
    _redis("shutdown", "nosave")
    wait_for(lambda: _redis("ping").returncode != 0, 10, "Redis to stop")


def _redis_start():
    workdir = os.environ["DIGIFIN_TEST_WORKDIR"]
    subprocess.run(
        [
            "redis-server",
            "--bind", "127.0.0.1",
            "--port", os.environ["DIGIFIN_REDIS_PORT"],
            "--daemonize", "yes",
            "--pidfile", f"{workdir}/redis.pid",
            "--save", "",
            "--appendonly", "no",
            "--dir", workdir,
            "--logfile", f"{workdir}/redis.log",
        ],
        check=True,
    )  # fmt: skip
    wait_for(lambda: _redis("ping").stdout.strip() == "PONG", 10, "Redis to start")


def _mails(mail_dir):
    return [f.read_text() for f in mail_dir.iterdir()] if mail_dir.exists() else []


def _recipients(mail_dir) -> list[str]:
    """Every message's addressee in the file backend's files (a file may hold several)."""
    return sorted(
        line.removeprefix("To: ").strip()
        for text in _mails(mail_dir)
        for line in text.splitlines()
        if line.startswith("To: ")
    )


def test_redis_down_while_submitting_saves_the_proposal_and_mails_once_redis_is_back(
    client, real_broker, tmp_path
):
    from projects.models import ProposalStatus, ProposalTransition
    from projects.tasks import sweep_pending_notifications
    from tests.projects.factories import complete_proposal, participant_user

    applicant = participant_user(email="saksbehandler@kommune.example.no")
    proposal = complete_proposal(lead_member=applicant.organisation, created_by=applicant)
    client.force_login(applicant)
    mail_dir = tmp_path / "mail"
    worker = None
    _redis_stop()
    try:
        started = time.monotonic()
        response = client.post(
            reverse("projects:proposal_transition", args=[proposal.pk, "submit"])
        )
        assert time.monotonic() - started < 10, "the request must not hang on the broker"
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.SUBMITTED
        log = ProposalTransition.objects.get(proposal=proposal, name="submit")
        assert log.notified_at is None
    finally:
        _redis_start()
    try:
        worker = Worker(queue=real_broker, tmp=tmp_path, name="after-outage")
        assert sweep_pending_notifications(older_than_minutes=0) == 1
        wait_for(
            lambda: ProposalTransition.objects.get(pk=log.pk).notified_at is not None,
            60,
            "the notification to be sent",
        )
        # One message to each recipient: the case officer and the proposal's contact person.
        wait_for(lambda: len(_recipients(mail_dir)) == 2, 10, "the e-mails")
        assert sweep_pending_notifications(older_than_minutes=0) == 0
        time.sleep(1)
    finally:
        if worker is not None:
            worker.stop()
    assert _recipients(mail_dir) == ["kari@example.no", "saksbehandler@kommune.example.no"]


def _pg_restart():
    # The restarted server writes to a log file: with inherited pipes it would hold them open.
    log = os.path.join(os.environ["DIGIFIN_TEST_WORKDIR"], "pg.log")
    cmd = [os.path.join(os.environ["DIGIFIN_PG_BIN"], "pg_ctl"), "-D",
           os.environ["DIGIFIN_PG_DATA"], "-l", log, "-m", "fast", "-w", "restart"]  # fmt: skip
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=60)
    connection.close()  # this process's connection died with the server


def test_postgresql_restart_mid_batch_then_resume_makes_no_duplicates(
    real_broker, ks_user, tmp_path
):
    from invoicing import batch
    from invoicing.models import BatchItem, BatchJob, Invoice
    from members.models import Participation
    from tests.invoicing.factories import confirmed_participation, member_with_address
    from tests.members.factories import basis

    count = 30
    for i in range(count):
        member = member_with_address(email=f"post{i}@kommune.example.no")
        basis(member, 2000 + i)
        confirmed_participation(actor=ks_user, member=member)
    (tmp_path / "mail").mkdir()
    worker = Worker(queue=real_broker, tmp=tmp_path, name="pg-restart")
    try:
        job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)

        def done(n):
            return BatchItem.objects.filter(job=job, status="done").count() >= n

        wait_for(lambda: done(count // 5), 60, "a fifth of the batch", job=job)
        _pg_restart()
        assert BatchItem.objects.filter(job=job, status="done").count() < count
        # Whatever the restart broke is resumed ("Fortsett"), as often as needed.
        deadline = time.monotonic() + 120
        while not done(count) and time.monotonic() < deadline:
            batch.job_enqueue_pending(job_id=job.pk)
            time.sleep(3)
        wait_for(lambda: done(count), 5, "the whole batch after the restart", job=job)
        time.sleep(1.5)  # let redelivered duplicates drain
    finally:
        worker.stop()
    invoices = Invoice.objects.filter(kind=Invoice.Kind.MEMBER_SHARE)
    assert invoices.count() == count
    assert invoices.values("buyer").distinct().count() == count
    assert sorted(invoices.values_list("sequence", flat=True)) == list(range(1, count + 1))
    assert Participation.objects.filter(status="invoiced").count() == count
    assert sum(i.total for i in invoices) == sum(Decimal(20 * (2000 + i)) for i in range(count))
