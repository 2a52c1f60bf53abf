"""Batch document generation: the share invoices (PDF + EHF XML, stored and e-mailed) of every
2017 member, run by the real batch (invoicing.batch.job_start → invoicing.tasks.batch_item_run)
on a real Celery worker with two processes on Redis, against a bare WeasyPrint render of the
same invoices' HTML with two processes, in alternating pairs (batch, bare, batch, bare, …) on
three groups of members. The median of the pairs' ratios batch / bare is the figure (target
≤ 1.15, bench/run.py)."""

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


def _wait(job, timeout: float) -> float | None:
    """Seconds until the batch job has no pending item, or None after `timeout`."""
    from invoicing.models import BatchItem

    start = time.perf_counter()
    deadline = time.monotonic() + timeout
    while BatchItem.objects.filter(job=job, status=BatchItem.Status.PENDING).exists():
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)
    return time.perf_counter() - start


def groups(member_ids: list[int], n: int) -> list[list[int]]:
    """`member_ids` dealt into `n` groups of nearly equal size (every n-th member, so that each
    group has small and large members alike)."""
    return [member_ids[i::n] for i in range(n) if member_ids[i::n]]


def run(*, actor, timeout: float = 900, concurrency: int = 2, pairs: int = 3) -> dict:
    """Measure the batch in `pairs` alternating pairs (batch, bare, batch, bare, …), each pair on
    its own group of members: the batch invoices the group's shares on the real worker, then
    WeasyPrint alone renders the same invoices. The figure is the median of the pairs' ratios,
    with their spread, so that one noisy pair neither passes nor fails the target (issue #22).
    {"not_measured": reason} without Redis/PostgreSQL."""
    from bench.data import ensure_participations
    from invoicing import batch
    from invoicing.models import BatchItem, BatchJob, Invoice
    from invoicing.pdf import invoice_html
    from members.models import Participation

    if not os.environ.get("CELERY_BROKER_URL") or connection.vendor != "postgresql":
        return {"not_measured": "needs CELERY_BROKER_URL and PostgreSQL (scripts/bench.sh)"}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"not_measured": "CELERY_TASK_ALWAYS_EAGER is on"}
    ensure_participations(status="confirmed")
    waiting = list(
        Participation.objects.filter(status=Participation.Status.CONFIRMED)
        .order_by("member__number", "member_id")
        .values_list("member_id", flat=True)
    )
    dealt = groups(waiting, pairs)
    # Every group waits as invited until its pair: the batch invoices the confirmed ones only.
    Participation.objects.filter(member_id__in=waiting).update(status=Participation.Status.INVITED)
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
    rounds, jobs = [], []
    try:
        if not _worker_ready():
            return {"not_measured": "the Celery worker did not answer within 60 s"}
        for group in dealt:
            Participation.objects.filter(member_id__in=group).update(
                status=Participation.Status.CONFIRMED
            )
            start = time.perf_counter()
            job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=actor)
            if job is None:
                return {"not_measured": "no confirmed members to invoice"}
            waited = _wait(job, timeout)
            if waited is None:
                return {"not_measured": f"the batch did not finish within {timeout:.0f} s"}
            elapsed = time.perf_counter() - start
            jobs.append(job)
            done = BatchItem.objects.filter(
                job=job, status=BatchItem.Status.DONE, invoice__isnull=False
            )
            invoices = Invoice.objects.filter(pk__in=done.values("invoice_id")).select_related(
                "buyer"
            )
            htmls = [invoice_html(invoice) for invoice in invoices]
            bare = bare_render(htmls, processes=concurrency) if htmls else 0.0
            rounds.append({"invoices": len(htmls), "batch_s": elapsed, "bare_s": bare})
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    items = BatchItem.objects.filter(job__in=jobs)
    failed = items.filter(status=BatchItem.Status.FAILED)
    errors = sorted({e[:120] for e in failed.values_list("error", flat=True)})[:3]
    invoices = Invoice.objects.filter(
        pk__in=items.filter(status=BatchItem.Status.DONE).values("invoice_id")
    )
    with_files = invoices.exclude(pdf="").exclude(ehf_xml="").count()
    n = sum(r["invoices"] for r in rounds)
    elapsed = sum(r["batch_s"] for r in rounds)
    bare = sum(r["bare_s"] for r in rounds)
    ratios = [round(r["batch_s"] / r["bare_s"], 2) for r in rounds if r["bare_s"]]
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
        "pairs": len(ratios),
        "ratios": ratios,
        "ratio_spread": [min(ratios), max(ratios)] if ratios else None,
        "ratio": round(statistics.median(ratios), 2) if ratios else None,
        "worker_processes": concurrency,
    }
