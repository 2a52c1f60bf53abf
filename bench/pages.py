"""Page measurements: server time (median, p95) over repeated requests through Django's test
Client in-process, and the number of SQL queries of one request (CaptureQueriesContext).

Each page is requested by the role that uses it: the portal start and "my proposals" by a
municipal case officer, «Mine oppgaver» by each signed-in role, the council queue by the
council chair, the KS pages and the admin by KS staff, the public page anonymously."""

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
    from projects.models import CouncilMeeting, Grant, PaymentRequest, Project, Proposal

    proposal = (
        Proposal.objects.filter(lead_member=bench_org(), status="approved").order_by("pk").first()
        or Proposal.objects.filter(lead_member=bench_org()).order_by("pk").first()
    )
    project = Project.objects.order_by("pk").first()
    # A project with a payment request waiting for KS, and paid ones (issue 18 §4).
    requested = (
        PaymentRequest.objects.filter(status=PaymentRequest.Status.SUBMITTED)
        .order_by("project_id")
        .values_list("project_id", flat=True)
        .first()
    )
    closed = CouncilMeeting.objects.filter(closed_at__isnull=False).order_by("-held_on").first()
    grant = Grant.objects.filter(project__proposal__lead_member=bench_org()).order_by("pk").first()
    pages = [
        ("portal start", "municipal", "/"),
        # «Mine oppgaver» per role (issue 19 §5: constant queries at every scale).
        ("tasks: municipal", "municipal", reverse("my_tasks")),
        ("tasks: council", "council", reverse("my_tasks")),
        ("tasks: KS", "ks_staff", reverse("my_tasks")),
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
        # Issue 18: the project page with its payment requests, and benefits and adoption.
        (
            "project detail",
            "ks_staff",
            reverse("projects:project_detail", args=[project.pk]) if project else "",
        ),
        ("benefits and adoption", "council", reverse("overview:benefits")),
        # Issue 22: the member overview, the reconciliation, payment requests, a council meeting.
        ("member overview", "ks_staff", reverse("members:staff_member_list")),
        ("reconciliation", "ks_staff", reverse("overview:reconciliation")),
        (
            "payment requests",
            "ks_staff",
            reverse("projects:project_detail", args=[requested]) if requested else "",
        ),
        (
            "council meeting (closed)",
            "council",
            f"{reverse('projects:council_queue')}?mote={closed.pk}" if closed else "",
        ),
    ]
    return pages


def measure_pages(
    users: dict, *, repeats: int = 20, warmup: int = 3, rounds: int = 3
) -> list[dict]:
    """Every page measured in `rounds` rounds (all pages once per round, so that a noisy moment
    of the machine hits one round of several pages, not every round of one page). A page's
    `p95_ms` and `median_ms` are the medians over its rounds; `p95_rounds` keeps each round's
    p95 (issue #22)."""
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role in ("municipal", "council", "ks_staff"):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(users[role])
    listed = key_pages(users)
    samples: dict[str, list[dict]] = {page: [] for page, _role, _url in listed}
    failures: dict[str, str] = {}
    for _round in range(max(1, rounds)):
        for page, role, url in listed:
            if not url or page in failures:
                continue
            try:
                samples[page].append(measure(clients[role], url, repeats=repeats, warmup=warmup))
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                failures[page] = f"{exc!r}"[:200]
    results = []
    for page, role, url in listed:
        if not url:
            results.append({"page": page, "role": role, "url": "", "not_measured": "no data"})
        elif page in failures:
            results.append({"page": page, "role": role, "url": url, "not_measured": failures[page]})
        else:
            results.append(_combined(page, role, url, samples[page]))
    return results


def _combined(page: str, role: str, url: str, rounds: list[dict]) -> dict:
    """One page's rounds as one result: the median of the rounds' p95 and median, the largest
    query count (a count that differs between rounds is itself a finding), all samples."""
    out = PageResult(
        page=page,
        role=role,
        url=url,
        status=max(r["status"] for r in rounds),
        queries=max(r["queries"] for r in rounds),
        median_ms=round(statistics.median(r["median_ms"] for r in rounds), 1),
        p95_ms=round(statistics.median(r["p95_ms"] for r in rounds), 1),
        samples=sum(r["samples"] for r in rounds),
    ).as_dict()
    out["p95_rounds"] = [r["p95_ms"] for r in rounds]
    return out
