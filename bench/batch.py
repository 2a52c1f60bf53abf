"""Batch document generation: the share invoices (PDF + EHF XML, stored and e-mailed) of every
2017 member, run by the real batch (invoicing.batch.job_start → invoicing.tasks.batch_item_run)
on a real Celery worker with two processes on Redis, against a bare WeasyPrint render of the
same invoices' HTML with two processes in the same run. The ratio batch / bare is the figure
(target ≤ 1.3)."""

import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection


def _render(html: str) -> int:
    from invoicing.pdf import html_to_pdf

    return len(html_to_pdf(html))


def bare_render(htmls: list[str], *, processes: int = 2) -> float:
    """Seconds to render all the HTML to PDF with WeasyPrint alone, `processes` at a time (the
    same font sharing as the worker: invoicing.pdf.html_to_pdf)."""
    connection.close()  # the forked children must not share the connection
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        pool.map(_render, htmls[:processes])  # warm up fonts in each process
        start = time.perf_counter()
        pool.map(_render, htmls, chunksize=1)
        return time.perf_counter() - start


def task_seconds(log_path: str) -> list[float]:
    """The run time of every succeeded batch task (one item, or several delivered together)
    from the worker's INFO log."""
    pattern = re.compile(r"batch_item(?:_run|s_deliver)\[[^\]]+\] succeeded in ([0-9.]+)s")
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        return [float(m.group(1)) for m in pattern.finditer(fh.read())]


def _worker_ready(timeout: float = 60) -> bool:
    from digifin.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return True
        time.sleep(0.5)
    return False


def run(*, actor, timeout: float = 900, concurrency: int = 2) -> dict:
    """Measure the batch; {"not_measured": reason} without Redis/PostgreSQL."""
    from bench.data import ensure_participations
    from invoicing import batch
    from invoicing.models import BatchItem, BatchJob, Invoice
    from invoicing.pdf import invoice_html

    if not os.environ.get("CELERY_BROKER_URL") or connection.vendor != "postgresql":
        return {"not_measured": "needs CELERY_BROKER_URL and PostgreSQL (scripts/bench.sh)"}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"not_measured": "CELERY_TASK_ALWAYS_EAGER is on"}
    ensure_participations(status="confirmed")
    os.makedirs(settings.EMAIL_FILE_PATH, exist_ok=True)
    log_path = os.path.join(settings.MEDIA_ROOT, "..", "worker.log")
    log = open(log_path, "ab")  # noqa: SIM115
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "digifin", "worker",
         "--concurrency", str(concurrency),
         "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        if not _worker_ready():
            return {"not_measured": "the Celery worker did not answer within 60 s"}
        start = time.perf_counter()
        job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=actor)
        if job is None:
            return {"not_measured": "no confirmed members to invoice"}
        deadline = time.monotonic() + timeout
        while BatchItem.objects.filter(job=job, status=BatchItem.Status.PENDING).exists():
            if time.monotonic() > deadline:
                return {"not_measured": f"the batch did not finish within {timeout:.0f} s"}
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    items = BatchItem.objects.filter(job=job)
    done = items.filter(status=BatchItem.Status.DONE, invoice__isnull=False)
    failed = items.filter(status=BatchItem.Status.FAILED)
    errors = sorted({e[:120] for e in failed.values_list("error", flat=True)})[:3]
    invoices = Invoice.objects.filter(pk__in=done.values("invoice_id")).select_related("buyer")
    htmls = [invoice_html(invoice) for invoice in invoices]
    with_files = invoices.exclude(pdf="").exclude(ehf_xml="").count()
    bare = bare_render(htmls, processes=concurrency) if htmls else 0.0
    n = len(htmls)
    task_s = task_seconds(log_path)
    return {
        # Time inside the tasks as the worker logs it: busy / (wall × processes) = utilisation.
        "task_s_median": round(statistics.median(task_s), 3) if task_s else None,
        "tasks": len(task_s),
        "task_s_per_invoice": round(sum(task_s) / n, 3) if n else None,
        "task_s_sum": round(sum(task_s), 1),
        "worker_utilisation": round(sum(task_s) / (elapsed * concurrency), 2) if elapsed else None,
        "invoices": n,
        "failed": failed.count(),
        "errors": errors,
        "with_pdf_and_ehf": with_files,
        "batch_s": round(elapsed, 2),
        "invoices_per_s": round(n / elapsed, 2) if elapsed else None,
        "bare_weasyprint_s": round(bare, 2),
        "bare_invoices_per_s": round(n / bare, 2) if bare else None,
        "ratio": round(elapsed / bare, 2) if bare else None,
        "worker_processes": concurrency,
    }
