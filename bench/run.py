"""`make bench`: build the data set scale by scale and measure pages, the invoice batch and the
fund computations; print a table and write bench/results.json.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.run --scales "1 10 100"

scripts/bench.sh runs it against a fresh PostgreSQL database with the reference data loaded and
Redis for the worker. Targets are reported, never asserted (docs/bench.md)."""

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

# The targets of issue #22 (docs/bench.md): every page at every scale, p95 at the largest scale
# (≥ 100) and its growth over the scale-1 p95, the fund computations at scale 100, the batch.
MAX_QUERIES = 12
MAX_P95_MS = 50.0
MAX_P95_GROWTH = 1.5
MAX_BATCH_RATIO = 1.15
MAX_RECONCILE_S = 5.0  # manage.py reconcile at scale 100 (issue #16)
MAX_FORECAST_MS = 100.0  # the self-financing forecast at scale 100
MAX_SOLUTION_DEFAULTS_MS = 100.0  # the forecast's default solutions at scale 100


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    from django.db import connection

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "database": f"{connection.vendor} {connection.cursor().connection.info.server_version}"
        if connection.vendor == "postgresql"
        else connection.vendor,
    }


def _timed(fn, repeats: int = 5) -> float:
    """Median milliseconds of fn() over `repeats` calls after one warm-up; a call of more than a
    second is measured once (the warm-up is the measurement)."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    if first > 1000:
        return round(first, 1)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def reconcile() -> dict:
    """The nightly reconciliation on the data just generated, as `manage.py reconcile` runs it
    (every check, the run stored): wall time, whether every check passed, and the failed
    checks with their row counts and first rows."""
    from overview.models import ReconciliationRun
    from overview.reconciliation import reconcile as run_reconciliation

    start = time.perf_counter()
    run = run_reconciliation(trigger=ReconciliationRun.Trigger.COMMAND)
    seconds = round(time.perf_counter() - start, 2)
    return {
        "reconcile_s": seconds,
        "reconcile_ok": run.ok,
        "reconcile_checks_s": {r["name"]: r["seconds"] for r in run.results},
        "reconcile_failed": {
            r["name"]: {"count": r["count"], "rows": r["rows"][:3]}
            for r in run.results
            if not r["ok"]
        },
    }


_computations_cache: dict = {}
MAX_DEFAULTS_S = 60  # solution_defaults is linear in the solutions; projected beyond: skipped
_per_solution_ms: list[float] = []


def computations() -> dict:
    """Fund balance and the self-financing forecast (with the portfolio's default pipeline and
    solutions), median ms. When building the default solutions would take more than a minute
    (projected from the previous scale), it is not measured and the forecast runs on the
    previous scale's solutions repeated to the current number (the forecast's own time)."""
    from fund.models import ForecastScenario
    from fund.selectors import fund_balance
    from overview.selectors import pipeline_defaults, scenario_forecast, solution_defaults
    from repayments.models import Solution

    out = {"fund_balance_ms": _timed(fund_balance)}
    defaults = {"pipeline": pipeline_defaults()}
    out["pipeline_defaults_ms"] = _timed(pipeline_defaults, repeats=3)
    n = Solution.objects.count()
    projected = _per_solution_ms[-1] * n / 1000 if _per_solution_ms else 0
    if projected > MAX_DEFAULTS_S:
        out["solution_defaults_ms"] = None
        out["solution_defaults_not_measured"] = (
            f"projected {projected:.0f} s ({_per_solution_ms[-1]:.0f} ms per solution × {n})"
        )
        previous = _computations_cache["solutions"]
        defaults["solutions"] = (
            [{**previous[i % len(previous)], "label": f"{i}"} for i in range(n)] if previous else []
        )
    else:
        start = time.perf_counter()
        defaults["solutions"] = solution_defaults()
        ms = (time.perf_counter() - start) * 1000
        out["solution_defaults_ms"] = round(ms, 1)
        _per_solution_ms.append(ms / max(n, 1))
        _computations_cache["solutions"] = defaults["solutions"]
    scenario = ForecastScenario(name="benchmark", years=5, assumptions=defaults)
    items = len(defaults["pipeline"]) + len(defaults["solutions"])
    out["forecast_pipeline"] = len(defaults["pipeline"])
    out["forecast_solutions"] = len(defaults["solutions"])
    # run_forecast is linear in the pipeline projects and solutions (docs/overview.md).
    # Projected from the previous scale; beyond a minute it is not run.
    prev = _computations_cache.get("forecast")
    projected = prev[0] * items / prev[1] / 1000 if prev else 0
    if projected > MAX_DEFAULTS_S:
        out["forecast_ms"] = None
        out["forecast_not_measured"] = (
            f"projected {projected:.0f} s ({prev[0]:.0f} ms for {prev[1]} pipeline projects and "
            f"solutions, × {items / prev[1]:.0f})"
        )
    else:
        out["forecast_ms"] = _timed(lambda: scenario_forecast(scenario=scenario), repeats=3)
        _computations_cache["forecast"] = (out["forecast_ms"], max(items, 1))
    no_pipeline = ForecastScenario(
        name="benchmark", years=5, assumptions={"solutions": defaults["solutions"]}
    )
    out["forecast_without_pipeline_ms"] = _timed(
        lambda: scenario_forecast(scenario=no_pipeline), repeats=3
    )
    out["fund_balance"] = str(fund_balance())
    return out


def misses(results: dict) -> list[str]:
    out = []
    scales = results["scales"]
    if not scales:
        return out
    first, last = scales[0], scales[-1]
    by_page = {}
    for s in scales:
        for p in s["pages"]:
            by_page.setdefault(p["page"], []).append((s["scale"], p))
    for page, rows in by_page.items():
        measured = [(sc, p) for sc, p in rows if "queries" in p]
        for sc, p in measured:
            if p["status"] != 200:
                out.append(f"{page} at scale {sc}: HTTP {p['status']}")
            if p["queries"] > MAX_QUERIES:
                out.append(f"{page} at scale {sc}: {p['queries']} queries (> {MAX_QUERIES})")
        if len(measured) > 1 and measured[-1][1]["queries"] > measured[0][1]["queries"]:
            out.append(
                f"{page}: queries grow with the scale "
                f"({measured[0][1]['queries']} → {measured[-1][1]['queries']})"
            )
        if measured and measured[-1][0] >= 100 and measured[-1][1]["p95_ms"] > MAX_P95_MS:
            out.append(f"{page} at scale {measured[-1][0]}: p95 {measured[-1][1]['p95_ms']} ms")
        if len(measured) > 1 and first["scale"] == measured[0][0] and last["scale"] > 1:
            a, b = measured[0][1]["p95_ms"], measured[-1][1]["p95_ms"]
            if a and b > MAX_P95_GROWTH * a:
                out.append(f"{page}: p95 {a} ms at scale {measured[0][0]} → {b} ms at scale "
                           f"{measured[-1][0]} (> {MAX_P95_GROWTH}×)")  # fmt: skip
    for s in scales:
        if "reconcile_ok" not in s:
            continue
        if not s["reconcile_ok"]:
            failed = ", ".join(f"{n} ({f['count']})" for n, f in s["reconcile_failed"].items())
            out.append(f"reconcile at scale {s['scale']}: failed checks {failed}")
        if s["scale"] >= 100 and s["reconcile_s"] > MAX_RECONCILE_S:
            out.append(
                f"reconcile at scale {s['scale']}: {s['reconcile_s']} s (> {MAX_RECONCILE_S} s)"
            )
    out += computation_misses(scales)
    batch = results.get("batch") or {}
    if batch.get("ratio") and batch["ratio"] > MAX_BATCH_RATIO:
        out.append(
            f"invoice batch: {batch['ratio']}× the bare rendering (> {MAX_BATCH_RATIO}×; median "
            f"of {batch.get('pairs', 1)} pairs {batch.get('ratios', [batch['ratio']])})"
        )
    return out


def computation_misses(scales: list[dict]) -> list[str]:
    """The forecast and its default solutions at scale ≥ 100; not measured counts as a miss
    (the bench skips them when projected beyond a minute)."""
    out = []
    for s in scales:
        if s["scale"] < 100:
            continue
        c = s["computations"]
        for key, limit, name in (
            ("forecast_ms", MAX_FORECAST_MS, "forecast"),
            ("solution_defaults_ms", MAX_SOLUTION_DEFAULTS_MS, "solution defaults"),
        ):
            value = c.get(key)
            if value is None:
                why = c.get(key.removesuffix("_ms") + "_not_measured")
                out.append(f"{name} at scale {s['scale']}: not measured ({why})")
            elif value > limit:
                out.append(f"{name} at scale {s['scale']}: {value} ms (> {limit:.0f} ms)")
    return out


def table(results: dict) -> str:
    lines = []
    scales = [s["scale"] for s in results["scales"]]
    head = f"{'page':<18}" + "".join(f"| x{sc:<4} q   med ms   p95 ms " for sc in scales)
    lines += [head, "-" * len(head)]
    pages = [p["page"] for p in results["scales"][0]["pages"]] if results["scales"] else []
    for i, name in enumerate(pages):
        row = f"{name:<18}"
        for s in results["scales"]:
            p = s["pages"][i]
            if "queries" in p:
                flag = "" if p["status"] == 200 else f" HTTP{p['status']}"
                row += f"| {p['queries']:>7} {p['median_ms']:>8} {p['p95_ms']:>8}{flag} "
            else:
                row += f"| not measured: {p['not_measured'][:12]:<12} "
        lines.append(row)
    lines.append("")
    for s in results["scales"]:
        c = s["computations"]
        lines.append(
            f"scale {s['scale']}: generated in {s['generate_s']} s; {s['rows']}; "
            f"fund balance {c['fund_balance_ms']} ms, default pipeline "
            f"{c['pipeline_defaults_ms']} ms, default solutions "
            f"{c['solution_defaults_ms'] or c.get('solution_defaults_not_measured')} ms, "
            f"forecast {c['forecast_ms'] or c.get('forecast_not_measured')} ms "
            f"({c['forecast_pipeline']} pipeline projects, {c['forecast_solutions']} solutions; "
            f"without the pipeline {c['forecast_without_pipeline_ms']} ms)"
        )
        if "reconcile_s" in s:
            lines.append(
                f"scale {s['scale']}: reconcile {'OK' if s['reconcile_ok'] else 'FAILED'} in "
                f"{s['reconcile_s']} s (slowest check: "
                f"{max(s['reconcile_checks_s'].items(), key=lambda kv: kv[1], default=('-', 0))})"
            )
    b = results.get("batch") or {}
    if "not_measured" in b:
        lines.append(f"invoice batch: not measured: {b['not_measured']}")
    elif b:
        lines.append(
            f"invoice batch: {b['invoices']} invoices (PDF + EHF, {b['failed']} failed) in "
            f"{b['batch_s']} s = {b['invoices_per_s']}/s on {b['worker_processes']} worker "
            f"processes; bare WeasyPrint "
            f"{b['bare_weasyprint_s']} s = {b['bare_invoices_per_s']}/s; ratio {b['ratio']} "
            f"(median of {b.get('pairs', 1)} alternating pairs, spread "
            f"{b.get('ratio_spread') or '-'}: {b.get('ratios') or '-'})"
        )
    lines.append("")
    miss = results["misses"]
    lines.append("targets missed:" if miss else "all targets met")
    lines += [f"  - {m}" for m in miss]
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default=os.environ.get("SCALES", "1 10 100"))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of page samples (median)")
    parser.add_argument("--pairs", type=int, default=3, help="alternating batch/bare pairs")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--batch-processes", type=int, default=2)
    parser.add_argument("--output", default=str(Path(__file__).with_name("results.json")))
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scales.replace(",", " ").split()})

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import logging

    import django

    django.setup()
    for name in ("weasyprint", "fontTools", "celery"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from bench import batch, data, pages

    if not data.members_2017().exists():
        print("no reference data (manage.py load_reference_data): 430 synthetic members")
        data.ensure_members(430)
    users = data.ensure_users()
    results = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "scales": [],
        "targets": {
            "max_queries": MAX_QUERIES,
            "max_p95_ms_at_100": MAX_P95_MS,
            "max_p95_growth": MAX_P95_GROWTH,
            "max_batch_ratio": MAX_BATCH_RATIO,
            "max_reconcile_s": MAX_RECONCILE_S,
            "max_forecast_ms_at_100": MAX_FORECAST_MS,
            "max_solution_defaults_ms_at_100": MAX_SOLUTION_DEFAULTS_MS,
        },
    }
    if args.no_batch:
        results["batch"] = {"not_measured": "--no-batch"}
    else:
        print(f"== invoice batch ({args.batch_processes} worker processes)", flush=True)
        results["batch"] = batch.run(
            actor=users["ks_staff"], concurrency=args.batch_processes, pairs=args.pairs
        )
        print(f"   {results['batch']}", flush=True)
    units = 0
    for scale in scales:
        print(f"== scale {scale}: generating", flush=True)
        start = time.perf_counter()
        data.generate(start=units, stop=scale)
        units = scale
        generate_s = round(time.perf_counter() - start, 1)
        from django.db import connection

        if connection.vendor == "postgresql":
            # What autovacuum does shortly after a bulk load: statistics for the planner and
            # the visibility map for index-only scans (counts, sums over covering indexes).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"   {generate_s} s, {data.row_counts()}; reconciling", flush=True)
        # Before the pages: the reconciliation reads the ledger's figures cold, as the nightly
        # run after a day's bookings does.
        reconciled = reconcile()
        print(
            f"   reconcile {'OK' if reconciled['reconcile_ok'] else 'FAILED'} in "
            f"{reconciled['reconcile_s']} s; measuring",
            flush=True,
        )
        results["scales"].append(
            {
                "scale": scale,
                "generate_s": generate_s,
                "rows": data.row_counts(),
                "ledger_never_negative": data.ledger_never_negative(),
                **reconciled,
                "pages": pages.measure_pages(
                    users, repeats=args.repeats, warmup=args.warmup, rounds=args.rounds
                ),
                "computations": computations(),
            }
        )
    results["misses"] = misses(results)
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print()
    print(table(results))
    print(f"\nwritten to {args.output}")
    return results


if __name__ == "__main__":
    main()
