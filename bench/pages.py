"""Page measurements: server time (median, p95) over repeated requests through Django's test
Client in-process, and the number of SQL queries of one request (CaptureQueriesContext).

Each page is requested by the role that uses it: the portal start and "my proposals" by a
municipal case officer, the council queue by the council chair, the KS pages and the admin by
KS staff, the public page anonymously."""

import statistics
import time
from dataclasses import asdict, dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@dataclass
class PageResult:
    page: str
    role: str
    url: str
    status: int
    queries: int
    median_ms: float
    p95_ms: float
    samples: int

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples = the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def count_queries(client: Client, url: str) -> tuple[int, int]:
    """(status, number of SQL queries) of one GET."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


PAGE_BUDGET_S = 15.0  # a slow page gets fewer repeats (at least 5) to keep the run short


def measure(client: Client, url: str, *, repeats: int = 20, warmup: int = 3) -> dict:
    for _ in range(warmup):
        start = time.perf_counter()
        client.get(url)
        if time.perf_counter() - start > 2:  # a slow page is warm after one request
            break
    start = time.perf_counter()
    status, queries = count_queries(client, url)
    first = time.perf_counter() - start
    if first * repeats > PAGE_BUDGET_S:
        repeats = max(5, min(repeats, int(PAGE_BUDGET_S / first)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "status": status,
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "samples": repeats,
    }


def key_pages(users: dict) -> list[tuple[str, str, str]]:
    """(page, role, url) for every page the issue lists."""
    from bench.data import bench_org
    from projects.models import Grant, Proposal

    proposal = (
        Proposal.objects.filter(lead_member=bench_org(), status="approved").order_by("pk").first()
        or Proposal.objects.filter(lead_member=bench_org()).order_by("pk").first()
    )
    grant = Grant.objects.filter(project__proposal__lead_member=bench_org()).order_by("pk").first()
    pages = [
        ("portal start", "municipal", "/"),
        ("my proposals", "municipal", reverse("projects:my_proposals")),
        (
            "proposal detail",
            "municipal",
            reverse("projects:proposal_detail", args=[proposal.pk]) if proposal else "",
        ),
        ("council queue", "council", reverse("projects:council_queue")),
        ("KS proposal list", "ks_staff", reverse("projects:staff_list")),
        (
            "grant page",
            "municipal",
            reverse("projects:grant_detail", args=[grant.project_id]) if grant else "",
        ),
        ("admin: members", "ks_staff", "/admin/members/member/"),
        ("admin: ledger", "ks_staff", "/admin/fund/ledgerentry/"),
        ("fund overview", "ks_staff", reverse("overview:fund_overview")),
        ("public page", "anonymous", reverse("public:transparency")),
    ]
    return pages


def measure_pages(users: dict, *, repeats: int = 20, warmup: int = 3) -> list[dict]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role in ("municipal", "council", "ks_staff"):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(users[role])
    results = []
    for page, role, url in key_pages(users):
        if not url:
            results.append({"page": page, "role": role, "url": "", "not_measured": "no data"})
            continue
        try:
            figures = measure(clients[role], url, repeats=repeats, warmup=warmup)
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            results.append(
                {"page": page, "role": role, "url": url, "not_measured": f"{exc!r}"[:200]}
            )
            continue
        results.append(PageResult(page=page, role=role, url=url, **figures).as_dict())
    return results
