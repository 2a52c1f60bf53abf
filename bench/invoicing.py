"""Invoicing benchmark: time per invoice document against a bare WeasyPrint render of the same
HTML, and (with Redis and PostgreSQL, as scripts/test.sh provides) the batch "invoice all
confirmed members" for 430 members on a real worker with two processes.

    DJANGO_SETTINGS_MODULE=digifin.settings.test python -m bench.invoicing [--members 430]

Runs in a throwaway test database (created and dropped here); prints the figures."""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal


def _setup_members(n: int):
    from members.models import ContributionRate, Member
    from tests.invoicing.factories import confirmed_participation, member_with_address
    from tests.members.factories import basis

    ContributionRate.objects.get_or_create(
        kind=Member.Kind.KOMMUNE,
        valid_from="2017-01-01",
        defaults={"per_inhabitant": Decimal("20.00")},
    )
    for i in range(n):
        member = member_with_address(email=f"post{i}@kommune.example.no")
        basis(member, 1000 + 37 * i)
        confirmed_participation(member=member)


def per_document(samples: int) -> dict:
    """Mean seconds: whole document (DB reads, template, WeasyPrint, EHF, storage) vs bare
    WeasyPrint on the same HTML."""
    from weasyprint import HTML

    from invoicing.models import Invoice
    from invoicing.pdf import html_to_pdf, invoice_html
    from invoicing.services import InvoiceLineSpec, invoice_issue, invoice_render_files
    from tests.invoicing.factories import member_with_address

    invoices = [
        invoice_issue(
            buyer=member_with_address(),
            kind=Invoice.Kind.MANUAL,
            lines=[InvoiceLineSpec(description="Andel", unit_price=Decimal("123456"))],
            issued_on=__import__("datetime").date(2026, 11, 2),
            fakturareferanse="BENCH",
            actor=None,
            source_key=f"bench:{i}",
            deliver=False,
        )
        for i in range(samples + 1)
    ]
    html_to_pdf(invoice_html(invoices[0]))  # warm up fonts
    whole, bare, bare_fresh = [], [], []
    for invoice in invoices[1:]:
        t = time.perf_counter()
        invoice_render_files(invoice=invoice)
        whole.append(time.perf_counter() - t)
        html = invoice_html(invoice)
        t = time.perf_counter()
        HTML(string=html).write_pdf()
        bare_fresh.append(time.perf_counter() - t)
        t = time.perf_counter()
        html_to_pdf(html)
        bare.append(time.perf_counter() - t)
    return {
        "document": statistics.mean(whole),
        "bare_weasyprint": statistics.mean(bare_fresh),
        "bare_weasyprint_shared_fonts": statistics.mean(bare),
    }


def batch(members: int) -> float | None:
    """Seconds for the whole batch on a real worker with two processes (None without Redis or
    PostgreSQL)."""
    import subprocess
    import tempfile
    import uuid

    from django.conf import settings
    from django.db import connection

    from digifin.celery import app
    from invoicing import batch as batch_mod
    from invoicing.models import BatchItem, BatchJob

    if not os.environ.get("CELERY_BROKER_URL") or connection.vendor != "postgresql":
        return None
    _setup_members(members)
    queue = f"invoicing-bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    tmp = tempfile.mkdtemp(prefix="digifin-bench-")
    os.makedirs(f"{tmp}/mail")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.invoicing.worker_settings",
        "DIGIFIN_WORKER_DB_NAME": connection.settings_dict["NAME"],
        "DIGIFIN_WORKER_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DIGIFIN_WORKER_MAIL_DIR": f"{tmp}/mail",
        "DIGIFIN_WORKER_QUEUE": queue,
    }
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "digifin", "worker", "--concurrency", "2",
         "-Q", queue, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=settings.BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(3)  # the worker is ready in ~2 s
        start = time.perf_counter()
        job = batch_mod.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=None)
        while BatchItem.objects.filter(job=job, status="pending").exists():
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        failed = BatchItem.objects.filter(job=job, status="failed").count()
        print(f"batch: {members} members, {failed} failed")
        return elapsed
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=430)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digifin.settings.test")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    settings.MEDIA_ROOT = __import__("tempfile").mkdtemp(prefix="digifin-bench-media-")
    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        doc = per_document(args.samples)
        print(
            f"per document: {doc['document'] * 1000:.0f} ms (PDF + EHF + storage) vs bare "
            f"WeasyPrint {doc['bare_weasyprint'] * 1000:.0f} ms "
            f"({doc['bare_weasyprint_shared_fonts'] * 1000:.0f} ms with shared fonts)"
        )
        elapsed = batch(args.members)
        if elapsed is None:
            print("batch: skipped (needs CELERY_BROKER_URL and PostgreSQL, as scripts/test.sh)")
        else:
            print(
                f"batch: {elapsed:.1f} s for {args.members} members with 2 worker processes "
                f"({elapsed / args.members * 1000:.0f} ms per member wall clock)"
            )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
