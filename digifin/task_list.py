"""«Mine oppgaver»: what waits for the signed-in user, derived from the state of things.

Nothing is stored: each task kind is a small function that reads the state it is about and
returns zero or more `Task`s (what, how many, where to act, by when). `KINDS` is the registry,
one line per kind and the roles it is for; adding a kind is one function and one line. Every
kind asks the database a fixed number of times however much data there is (tests/digifin/
test_task_list.py proves it at two data sizes), lets the database count and filter (no kind
reads every row of a growing table into Python), and lists at most `LIMIT` objects; a kind with
more adds one task that says how many more there are and links to the full list. This module
is in the top layer, so it may read every app. docs/tasks.md,
docs/decisions/tasks-and-notifications.md."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.money import format_nok
from invoicing.models import BatchItem, BatchJob, Invoice, Payment
from invoicing.selectors import emails_needing_attention
from members.models import Participation
from overview.reconciliation import latest_failed
from projects.models import (
    AgendaItem,
    BenefitReport,
    CoApplicant,
    ConflictDeclaration,
    CouncilMeeting,
    Project,
    Proposal,
    ProposalStatus,
    Score,
    ScoringCriterion,
    StatusReport,
)
from projects.selectors import (
    BENEFIT_REPORT_OPENS,
    grants_awaiting_acceptance,
    payment_requests_awaiting_approval,
)
from repayments.models import AccessAgreement

LIMIT = 10  # objects listed per kind; more are summed up in one task ("… til") with the total
SOON_DAYS = 14  # a deadline this close makes a task urgent ("snart")
INVOICE_HORIZON_DAYS = 30  # unpaid invoices due within this many days are listed


@dataclass(frozen=True)
class Task:
    kind: str
    text: str
    url: str
    count: int = 1
    due: datetime.date | None = None
    urgency: str = ""  # "overdue", "soon" or "" (set from `due` by `_task`)
    more: bool = False  # the summary of a kind's tasks beyond LIMIT (`count` says how many)

    @property
    def overdue(self) -> bool:
        return self.urgency == "overdue"


def _task(kind, text, url, *, today, count=1, due=None, more=False) -> Task:
    urgency = ""
    if due is not None:
        if due < today:
            urgency = "overdue"
        elif (due - today).days <= SOON_DAYS:
            urgency = "soon"
    return Task(kind=kind, text=text, url=url, count=count, due=due, urgency=urgency, more=more)


def _d(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def _first(queryset) -> tuple[list, int]:
    """The first LIMIT + 1 rows of `queryset` and how many rows it has in all, in one query
    (a window count: the database counts, Python reads at most LIMIT + 1 rows)."""
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[: LIMIT + 1])
    return rows, (rows[0].listed_total if rows else 0)


def _with_more(kind, tasks, total, *, text, url_name, today, due=None) -> list[Task]:
    """`tasks` (the first LIMIT of `total`) and, when there are more, one task that says how
    many more (`text(n)`), links to the full list and carries the first hidden one's deadline
    (`due`), so that an overdue one beyond the limit still counts as overdue."""
    tasks = tasks[:LIMIT]
    rest = total - len(tasks)
    if rest <= 0:
        return tasks
    more = _task(kind, text(rest), reverse(url_name), today=today, count=rest, due=due, more=True)
    return [*tasks, more]


def _hidden(rows, due):
    """The deadline (`due(row)`) of the first row beyond LIMIT, None when there is none."""
    return due(rows[LIMIT]) if len(rows) > LIMIT else None


# --- municipal case officers ------------------------------------------------------------------
def coapplications_to_confirm(user, today) -> list[Task]:
    rows, total = _first(
        CoApplicant.objects.filter(
            member_id=user.organisation_id,
            confirmed_at__isnull=True,
            proposal__status__in=(ProposalStatus.DRAFT, ProposalStatus.RETURNED),
        )
        .select_related("proposal", "proposal__lead_member")
        .only("pk", "proposal_id", "proposal__title", "proposal__lead_member__name")
        .order_by("proposal__created_at", "pk")
    )
    tasks = [
        _task(
            "coapplication",
            _("Bekreft medsøknad: «%(title)s» fra %(lead)s")
            % {"title": row.proposal.title, "lead": row.proposal.lead_member.name},
            reverse("projects:proposal_detail", args=[row.proposal_id]),
            today=today,
        )
        for row in rows[:LIMIT]
    ]
    return _with_more(
        "coapplication",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s medsøknad til venter på bekreftelse",
                "%(n)s medsøknader til venter på bekreftelse",
                n,
            )
            % {"n": n}
        ),
        url_name="projects:my_proposals",
        today=today,
    )


def participation_to_confirm(user, today) -> list[Task]:
    invited = Participation.objects.filter(
        member_id=user.organisation_id, status=Participation.Status.INVITED
    ).exists()
    if not invited:
        return []
    return [
        _task(
            "participation",
            _("Bekreft deltakelse i DigiFin (kommunestyrets eller fylkestingets vedtak)"),
            reverse("members:my_organisation"),
            today=today,
        )
    ]


def tertial_due(today: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The latest tertial that has ended: (period as "2026-T2", its last day, the report's
    deadline: the last day of the month after it)."""
    year, tertial = today.year, (today.month - 1) // 4  # the tertial before the current one
    if tertial == 0:
        year, tertial = year - 1, 3
    end = datetime.date(year, tertial * 4, 30 if tertial * 4 in (4, 8) else 31)
    deadline = (end + datetime.timedelta(days=1)).replace(day=28) + datetime.timedelta(days=4)
    deadline -= datetime.timedelta(days=deadline.day)
    return f"{year}-T{tertial}", end, deadline


def status_reports_due(user, today) -> list[Task]:
    """The status report for the latest completed tertial, from each active project the
    organisation is responsible for that was granted before the tertial ended. "Not reported"
    is a NOT EXISTS on the (project, period) unique index, not a list of every report of the
    period."""
    period, end, deadline = tertial_due(today)
    rows, total = _first(
        Project.objects.filter(
            responsible_id=user.organisation_id,
            status=Project.Status.ACTIVE,
            decided_at__date__lte=end,
        )
        .exclude(Exists(StatusReport.objects.filter(project=OuterRef("pk"), period=period)))
        .order_by("title", "pk")
        .only("pk", "title")
    )
    tasks = [
        _task(
            "status_report",
            _("Statusrapport for %(period)s: %(project)s")
            % {"period": period, "project": project.title},
            reverse("projects:project_detail", args=[project.pk]),
            today=today,
            due=deadline,
        )
        for project in rows[:LIMIT]
    ]
    return _with_more(
        "status_report",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s statusrapport til skal sendes", "%(n)s statusrapporter til skal sendes", n
            )
            % {"n": n}
        ),
        url_name="projects:portfolio",
        today=today,
        due=deadline,
    )


def invoices_due(user, today) -> list[Task]:
    rows, total = _first(
        Invoice.objects.filter(
            buyer_id=user.organisation_id,
            document_type=Invoice.DocumentType.INVOICE,
            status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID),
            due_on__lte=today + datetime.timedelta(days=INVOICE_HORIZON_DAYS),
        )
        .order_by("due_on", "pk")
        .only("pk", "number", "total", "due_on")
    )
    tasks = [
        _task(
            "invoice",
            (
                _("Faktura %(number)s på %(amount)s forfalt %(due)s")
                if invoice.due_on < today
                else _("Faktura %(number)s på %(amount)s forfaller %(due)s")
            )
            % {
                "number": invoice.number,
                "amount": format_nok(invoice.total),
                "due": _d(invoice.due_on),
            },
            reverse("invoicing:invoice_detail", args=[invoice.pk]),
            today=today,
            due=invoice.due_on,
        )
        for invoice in rows[:LIMIT]
    ]
    return _with_more(
        "invoice",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s faktura til forfaller snart eller er forfalt",
                "%(n)s fakturaer til forfaller snart eller er forfalt",
                n,
            )
            % {"n": n}
        ),
        url_name="invoicing:my_invoices",
        today=today,
        due=_hidden(rows, lambda invoice: invoice.due_on),
    )


def access_waiting_for_share(user, today) -> list[Task]:
    rows, total = _first(
        AccessAgreement.objects.filter(
            member_id=user.organisation_id, status=AccessAgreement.Status.WAITING_FOR_SHARE
        )
        .select_related("solution")
        .only("pk", "solution_id", "solution__name")
        .order_by("requested_at", "pk")
    )
    tasks = [
        _task(
            "access",
            _("Tilgang til «%(solution)s» venter på at andelen i DigiFin er betalt")
            % {"solution": row.solution.name},
            reverse("repayments:solution_detail", args=[row.solution_id]),
            today=today,
        )
        for row in rows[:LIMIT]
    ]
    return _with_more(
        "access",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s tilgang til venter på at andelen er betalt",
                "%(n)s tilganger til venter på at andelen er betalt",
                n,
            )
            % {"n": n}
        ),
        url_name="repayments:solution_list",
        today=today,
    )


def grants_to_accept(user, today) -> list[Task]:
    """Grants offered to the user's organisation as formal applicant: accept (or decline) by
    the deadline (issue 18 §3). One query."""
    rows, total = _first(
        grants_awaiting_acceptance(member=user.organisation_id)
        .select_related(None)
        .select_related("project")
        .only("pk", "accept_by", "project_id", "project__title")
    )
    tasks = [
        _task(
            "grant_to_accept",
            _("Aksepter tilsagnet innen %(date)s: %(title)s")
            % {"date": _d(grant.accept_by), "title": grant.project.title},
            reverse("projects:grant_detail", args=[grant.project_id]),
            today=today,
            due=grant.accept_by,
        )
        for grant in rows[:LIMIT]
    ]
    return _with_more(
        "grant_to_accept",
        tasks,
        total,
        text=lambda n: (
            ngettext("%(n)s tilsagn til venter på aksept", "%(n)s tilsagn til venter på aksept", n)
            % {"n": n}
        ),
        url_name="projects:portfolio",
        today=today,
        due=_hidden(rows, lambda grant: grant.accept_by),
    )


def benefit_reports_to_send(user, today) -> list[Task]:
    """Yearly benefit reports due for the organisation's completed projects (issue 18 §5): per
    project each year from the launch year (the year it was completed) to the last open one
    without a report, as `projects.selectors.benefit_reports_due` defines them. The database
    counts the due years per project, so only the first LIMIT + 1 projects are read. Two
    queries."""
    last = today.year if (today.month, today.day) >= BENEFIT_REPORT_OPENS else today.year - 1
    # The launch year as the selector takes it: the year of `closed_at` in UTC.
    launched = ExtractYear("closed_at", tzinfo=datetime.UTC)
    reported = (
        BenefitReport.objects.filter(
            project=OuterRef("pk"),
            year__gte=ExtractYear(OuterRef("closed_at"), tzinfo=datetime.UTC),
            year__lte=last,
        )
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = (
        Project.objects.filter(
            responsible_id=user.organisation_id,
            status=Project.Status.COMPLETED,
            closed_at__isnull=False,
        )
        .alias(launched=launched)
        .filter(launched__lte=last)
        .alias(
            due_years=Value(last + 1, output_field=IntegerField())
            - F("launched")
            - Coalesce(Subquery(reported, output_field=IntegerField()), 0)
        )
        .filter(due_years__gt=0)
        .order_by("title", "pk")
        .only("pk", "title", "closed_at")
    )
    rows = list(projects.annotate(due_total=Window(Sum("due_years")))[: LIMIT + 1])
    if not rows:
        return []
    done = set(
        BenefitReport.objects.filter(project__in=[p.pk for p in rows]).values_list(
            "project_id", "year"
        )
    )
    tasks = [
        _task(
            "benefit_report",
            _("Rapporter realiserte gevinster for %(year)s: %(title)s")
            % {"year": year, "title": project.title},
            reverse("projects:project_detail", args=[project.pk]) + "#gevinster",
            today=today,
        )
        for project in rows
        for year in range(project.closed_at.year, last + 1)
        if (project.pk, year) not in done
    ]
    return _with_more(
        "benefit_report",
        tasks,
        rows[0].due_total,
        text=lambda n: (
            ngettext(
                "%(n)s gevinstrapport til skal sendes", "%(n)s gevinstrapporter til skal sendes", n
            )
            % {"n": n}
        ),
        url_name="projects:portfolio",
        today=today,
    )


# --- KommIT-rådet -----------------------------------------------------------------------------
def cases_to_score(user, today) -> list[Task]:
    """Cases on open meetings' agendas without an outcome that the member has not scored on
    every active criterion, leaving out the cases the member is recused from (own organisation
    applies or co-applies, or a declared conflict). The database filters and counts; two
    queries however many cases."""
    needed = ScoringCriterion.objects.filter(active=True).count()
    items = AgendaItem.objects.filter(meeting__closed_at__isnull=True, outcome="").exclude(
        Exists(ConflictDeclaration.objects.filter(item=OuterRef("pk"), member=user))
    )
    if user.organisation_id is not None:
        items = items.exclude(proposal__lead_member_id=user.organisation_id).exclude(
            Exists(
                CoApplicant.objects.filter(
                    proposal=OuterRef("proposal_id"), member_id=user.organisation_id
                )
            )
        )
    if needed > 0:
        scored = (
            Score.objects.filter(item=OuterRef("pk"), member=user, criterion__active=True)
            .order_by()
            .values("item")
            .annotate(n=Count("pk"))
            .values("n")
        )
        items = items.alias(
            scored=Coalesce(Subquery(scored, output_field=IntegerField()), 0)
        ).filter(scored__lt=needed)
    rows, total = _first(
        items.select_related("meeting", "proposal")
        .only(
            "pk",
            "case_year",
            "case_number",
            "proposal_id",
            "proposal__title",
            "meeting__held_on",
        )
        .order_by("meeting__held_on", "case_year", "case_number")
    )
    tasks = [
        _task(
            "case_to_score",
            _("Gi poeng i %(case)s: %(title)s")
            % {"case": item.case_label, "title": item.proposal.title},
            reverse("projects:council_item", args=[item.pk]),
            today=today,
            due=item.meeting.held_on,
        )
        for item in rows[:LIMIT]
    ]
    return _with_more(
        "case_to_score",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s sak til venter på poengene dine",
                "%(n)s saker til venter på poengene dine",
                n,
            )
            % {"n": n}
        ),
        url_name="projects:council_queue",
        today=today,
        due=_hidden(rows, lambda item: item.meeting.held_on),
    )


def meetings_coming(user, today) -> list[Task]:
    rows, total = _first(
        CouncilMeeting.objects.filter(closed_at__isnull=True, held_on__gte=today)
        .annotate(cases=Count("items"))
        .only("pk", "title", "held_on")
        .order_by("held_on", "pk")
    )
    tasks = [
        _task(
            "meeting",
            ngettext(
                "%(meeting)s %(date)s: %(cases)s sak på sakslisten",
                "%(meeting)s %(date)s: %(cases)s saker på sakslisten",
                meeting.cases,
            )
            % {"meeting": meeting.title, "date": _d(meeting.held_on), "cases": meeting.cases},
            reverse("projects:council_queue"),
            today=today,
            due=meeting.held_on,
        )
        for meeting in rows[:LIMIT]
    ]
    return _with_more(
        "meeting",
        tasks,
        total,
        text=lambda n: (
            ngettext("%(n)s møte til i KommIT-rådet", "%(n)s møter til i KommIT-rådet", n)
            % {"n": n}
        ),
        url_name="projects:council_queue",
        today=today,
        due=_hidden(rows, lambda meeting: meeting.held_on),
    )


# --- KS ---------------------------------------------------------------------------------------
def _proposals_waiting(status, kind, singular, plural, user, today) -> list[Task]:
    # A bare COUNT: an index-only scan of proposal_status_sub_idx (status first).
    n = Proposal.objects.filter(status=status).count()
    if not n:
        return []
    return [
        _task(
            kind,
            ngettext(singular, plural, n) % {"n": n},
            f"{reverse('projects:staff_list')}?status={status}",
            today=today,
            count=n,
        )
    ]


def proposals_to_qualify(user, today) -> list[Task]:
    return _proposals_waiting(
        ProposalStatus.SUBMITTED,
        "qualify",
        "%(n)s innsendt forslag venter på kvalifisering",
        "%(n)s innsendte forslag venter på kvalifisering",
        user,
        today,
    )


def outcomes_awaiting_decision(user, today) -> list[Task]:
    return _proposals_waiting(
        ProposalStatus.PRIORITISED,
        "decide",
        "%(n)s forslag er prioritert av KommIT-rådet og venter på KS' beslutning",
        "%(n)s forslag er prioritert av KommIT-rådet og venter på KS' beslutning",
        user,
        today,
    )


def camt_lines_unmatched(user, today) -> list[Task]:
    n = Payment.objects.filter(resolved=False).count()
    if not n:
        return []
    return [
        _task(
            "unmatched_payment",
            ngettext(
                "%(n)s innbetaling fra bankfilen er ikke koblet til en faktura",
                "%(n)s innbetalinger fra bankfilen er ikke koblet til en faktura",
                n,
            )
            % {"n": n},
            reverse("invoicing:staff_overview"),
            today=today,
            count=n,
        )
    ]


def reconciliation_failed(user, today) -> list[Task]:
    failed_at = latest_failed()
    if failed_at is None:
        return []
    day = timezone.localtime(failed_at).date()
    return [
        _task(
            "reconciliation",
            _("Avstemmingen %(date)s fant avvik") % {"date": _d(day)},
            reverse("overview:reconciliation"),
            today=today,
            due=day,
        )
    ]


def batches_failed(user, today) -> list[Task]:
    rows, total = _first(
        BatchJob.objects.filter(items__status=BatchItem.Status.FAILED)
        .annotate(failed=Count("items", filter=Q(items__status=BatchItem.Status.FAILED)))
        .only("pk", "kind")
        .order_by("-started_at", "-pk")
    )
    tasks = [
        _task(
            "batch",
            ngettext(
                "Massejobb %(job)s: %(n)s element feilet",
                "Massejobb %(job)s: %(n)s elementer feilet",
                job.failed,
            )
            % {"job": job.get_kind_display().lower(), "n": job.failed},
            reverse("invoicing:job_detail", args=[job.pk]),
            today=today,
            count=job.failed,
        )
        for job in rows[:LIMIT]
    ]
    return _with_more(
        "batch",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s massejobb til har elementer som feilet",
                "%(n)s massejobber til har elementer som feilet",
                n,
            )
            % {"n": n}
        ),
        url_name="invoicing:staff_overview",
        today=today,
    )


def emails_failed(user, today) -> list[Task]:
    n = emails_needing_attention().count()
    if not n:
        return []
    return [
        _task(
            "email",
            ngettext(
                "%(n)s e-post ble ikke sendt og må følges opp",
                "%(n)s e-poster ble ikke sendt og må følges opp",
                n,
            )
            % {"n": n},
            reverse("invoicing:staff_overview"),
            today=today,
            count=n,
        )
    ]


def payment_requests_to_approve(user, today) -> list[Task]:
    """Payment requests (utbetalingsanmodninger) waiting for KS's approval, oldest first
    (issue 18 §4). One query."""
    rows, total = _first(
        payment_requests_awaiting_approval()
        .select_related(None)
        .select_related("project")
        .only("pk", "amount", "project_id", "project__title")
    )
    tasks = [
        _task(
            "payment_request",
            _("Behandle utbetalingsanmodning på %(amount)s: %(title)s")
            % {"amount": format_nok(request.amount), "title": request.project.title},
            reverse("projects:project_detail", args=[request.project_id]),
            today=today,
        )
        for request in rows[:LIMIT]
    ]
    return _with_more(
        "payment_request",
        tasks,
        total,
        text=lambda n: (
            ngettext(
                "%(n)s utbetalingsanmodning til venter på behandling",
                "%(n)s utbetalingsanmodninger til venter på behandling",
                n,
            )
            % {"n": n}
        ),
        url_name="projects:portfolio",
        today=today,
    )


def access_fees_to_invoice(user, today) -> list[Task]:
    n = AccessAgreement.objects.filter(fee_status=AccessAgreement.FeeStatus.PENDING_INVOICE).count()
    if not n:
        return []
    return [
        _task(
            "fee_invoice",
            ngettext(
                "%(n)s tilknytningskostnad er klar til fakturering",
                "%(n)s tilknytningskostnader er klare til fakturering",
                n,
            )
            % {"n": n},
            reverse("repayments:staff_solution_list"),
            today=today,
            count=n,
        )
    ]


# --- the registry -----------------------------------------------------------------------------
MUNICIPAL, COUNCIL, KS = "municipal", "council", "ks_staff"

# (roles, kind). One line per kind; the order is the order within the same urgency.
KINDS: list[tuple[tuple[str, ...], Callable]] = [
    ((MUNICIPAL,), coapplications_to_confirm),
    ((MUNICIPAL,), participation_to_confirm),
    ((MUNICIPAL,), grants_to_accept),
    ((MUNICIPAL,), benefit_reports_to_send),
    ((MUNICIPAL,), status_reports_due),
    ((MUNICIPAL,), invoices_due),
    ((MUNICIPAL,), access_waiting_for_share),
    ((COUNCIL,), cases_to_score),
    ((COUNCIL,), meetings_coming),
    ((KS,), reconciliation_failed),
    ((KS,), proposals_to_qualify),
    ((KS,), outcomes_awaiting_decision),
    ((KS,), payment_requests_to_approve),
    ((KS,), camt_lines_unmatched),
    ((KS,), batches_failed),
    ((KS,), emails_failed),
    ((KS,), access_fees_to_invoice),
]

_URGENCY_ORDER = {"overdue": 0, "soon": 1, "": 2}


def role_of(user) -> str:
    if not user.is_authenticated:
        return ""
    if user.is_ks_staff:
        return KS
    if user.is_council:
        return COUNCIL
    if user.is_municipal:
        return MUNICIPAL
    return ""


def tasks_for(user, *, today: datetime.date | None = None) -> list[Task]:
    """Every task waiting for `user`: overdue first, then due soon, then the rest; within
    each, the earliest deadline first, then the registry's order."""
    role = role_of(user)
    if not role:
        return []
    today = today or timezone.localdate()
    tasks = []
    for order, (roles, kind) in enumerate(KINDS):
        if role in roles:
            tasks += [(order, task) for task in kind(user, today)]
    tasks.sort(
        key=lambda pair: (
            _URGENCY_ORDER[pair[1].urgency],
            pair[1].due or datetime.date.max,
            pair[0],
        )
    )
    return [task for _order, task in tasks]
