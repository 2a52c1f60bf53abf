"""After the grant: the workflow tables of payment requests, the final report and benefit
reports (issue 18 §4–§6). One table per process, each row: from which states, to which state,
who may, what must hold; every check answers (allowed, reason) so the page can say why not.
The services in projects/services/payments.py and benefits.py run a step with
`check_step(...)` on the locked row and log it on the project's timeline (`ProjectEvent`)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_nok

from ..models import BenefitReport, FinalReport, PaymentRequest, Project
from ..selectors import (
    benefit_report_years_open,
    grant_accepted,
    payment_request_room,
)
from .proposals import ProposalError

NEW = "new"  # the state before the first step (no row yet)


class FollowupError(ProposalError):
    """A step that is refused; `field` names the form field the reason is about (or "")."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass
class Ctx:
    """What a check looks at: the (locked) project, the row if it exists, and the input."""

    project: Project
    obj: object = None
    kind: str = ""
    amount: Decimal | None = None
    year: int | None = None
    comment: str | None = None
    today: datetime.date | None = None


Check = Callable[[Ctx, object], tuple[bool, str]]


# --- who ---------------------------------------------------------------------------------------
def is_responsible_user(ctx: Ctx, user) -> tuple[bool, str]:
    if user.is_municipal and user.organisation_id == ctx.project.responsible_id:
        return True, ""
    return False, _("Bare det ansvarlige medlemmets brukere kan gjøre dette.")


def is_ks_staff(ctx: Ctx, user) -> tuple[bool, str]:
    if user.is_ks_staff:
        return True, ""
    return False, _("Bare KS kan gjøre dette.")


# --- what must hold ----------------------------------------------------------------------------
def project_active(ctx: Ctx, user) -> tuple[bool, str]:
    if ctx.project.status == Project.Status.ACTIVE:
        return True, ""
    return False, _(
        "Prosjektet er avsluttet (%(status)s): det kan ikke bes om flere utbetalinger."
    ) % {"status": ctx.project.get_status_display()}


def grant_is_accepted(ctx: Ctx, user) -> tuple[bool, str]:
    if grant_accepted(project=ctx.project):
        return True, ""
    return False, _("Tilsagnet er ikke akseptert ennå: ingen utbetaling før aksept.")


def amount_within_grant(ctx: Ctx, user) -> tuple[bool, str]:
    """The sum of the requests (paid and waiting) never exceeds the grant. When checking a
    request that is itself waiting, its own amount is not counted twice."""
    if ctx.amount is None or ctx.amount <= 0:
        return False, _("Beløp: beløpet må være større enn null.")
    room = payment_request_room(project=ctx.project, excluding=ctx.obj)
    if ctx.amount > room:
        return False, _(
            "Beløp: %(amount)s overstiger det som gjenstår av tilsagnet (%(room)s)."
        ) % {"amount": format_nok(ctx.amount), "room": format_nok(room)}
    return True, ""


def one_final_request(ctx: Ctx, user) -> tuple[bool, str]:
    if ctx.kind != PaymentRequest.Kind.FINAL:
        return True, ""
    others = PaymentRequest.objects.filter(project=ctx.project, kind=PaymentRequest.Kind.FINAL)
    if ctx.obj is not None:
        others = others.exclude(pk=ctx.obj.pk)
    if others.exclude(status=PaymentRequest.Status.RETURNED).exists():
        return False, _("Type: prosjektet har allerede en anmodning om sluttutbetaling.")
    return True, ""


def final_needs_final_report(ctx: Ctx, user) -> tuple[bool, str]:
    kind = ctx.obj.kind if ctx.obj is not None else ctx.kind
    if kind != PaymentRequest.Kind.FINAL:
        return True, ""
    if FinalReport.objects.filter(project=ctx.project).exists():
        return True, ""
    return False, _("Type: sluttutbetaling krever at sluttrapporten er sendt inn.")


def no_final_payment_yet(ctx: Ctx, user) -> tuple[bool, str]:
    approved_final = PaymentRequest.objects.filter(
        project=ctx.project, kind=PaymentRequest.Kind.FINAL, status=PaymentRequest.Status.APPROVED
    )
    if approved_final.exists():
        return False, _("Sluttrapporten er godkjent sammen med sluttutbetalingen.")
    return True, ""


def project_launched(ctx: Ctx, user) -> tuple[bool, str]:
    if ctx.project.status == Project.Status.COMPLETED:
        return True, ""
    return False, _(
        "Gevinster rapporteres etter at prosjektet er fullført og løsningen er tatt i bruk."
    )


def year_open(ctx: Ctx, user) -> tuple[bool, str]:
    today = ctx.today or datetime.date.today()
    years = benefit_report_years_open(project=ctx.project, today=today)
    if ctx.year in years:
        return True, ""
    return False, _("År: gevinstrapport kan sendes for %(years)s.") % {
        "years": ", ".join(str(y) for y in years) or "–"
    }


def year_not_reported(ctx: Ctx, user) -> tuple[bool, str]:
    if BenefitReport.objects.filter(project=ctx.project, year=ctx.year).exists():
        return False, _("År: gevinstene for %(year)s er allerede rapportert.") % {"year": ctx.year}
    return True, ""


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    sources: tuple[str, ...]
    target: str
    who: Check
    conditions: tuple[Check, ...] = field(default_factory=tuple)
    reason_required: bool = False


P = PaymentRequest.Status
F = FinalReport.Status

# fmt: off
# process → steps: name, label, from, to, who may, what must hold, reason required
TABLES: dict[str, dict[str, Step]] = {
    "payment_request": {s.name: s for s in [
        Step("submit", gettext_lazy("Send utbetalingsanmodning"), (NEW,), P.SUBMITTED,
             who=is_responsible_user,
             conditions=(project_active, grant_is_accepted, one_final_request,
                         final_needs_final_report, amount_within_grant)),
        Step("approve", gettext_lazy("Godkjenn og utbetal"), (P.SUBMITTED,), P.APPROVED,
             who=is_ks_staff,
             conditions=(project_active, grant_is_accepted, final_needs_final_report,
                         amount_within_grant)),
        Step("return", gettext_lazy("Returner"), (P.SUBMITTED,), P.RETURNED,
             who=is_ks_staff, reason_required=True),
    ]},
    "final_report": {s.name: s for s in [
        Step("submit", gettext_lazy("Send sluttrapport"), (NEW, F.SUBMITTED), F.SUBMITTED,
             who=is_responsible_user, conditions=(project_active, no_final_payment_yet)),
        # Taken by the approval of the final payment request (payments.payment_request_approve).
        Step("approve", gettext_lazy("Godkjenn sluttrapport"), (F.SUBMITTED,), F.APPROVED,
             who=is_ks_staff),
    ]},
    "benefit_report": {s.name: s for s in [
        Step("submit", gettext_lazy("Send gevinstrapport"), (NEW,), "submitted",
             who=is_responsible_user,
             conditions=(project_launched, year_open, year_not_reported)),
    ]},
}
# fmt: on


def can_step(*, process: str, name: str, state: str, ctx: Ctx, user) -> tuple[bool, str]:
    """(allowed, reason) for one step of one process; `ctx.comment=None` skips the reason."""
    step = TABLES[process].get(name)
    if step is None:
        return False, _("Ukjent handling.")
    if state not in step.sources:
        return False, _("Handlingen «%(action)s» er ikke mulig i denne tilstanden.") % {
            "action": step.label
        }
    for check in (step.who, *step.conditions):
        allowed, reason = check(ctx, user)
        if not allowed:
            return False, reason
    if ctx.comment is not None and step.reason_required and not ctx.comment.strip():
        return False, _("Begrunnelse: må fylles ut.")
    return True, ""


def check_step(*, process: str, name: str, state: str, ctx: Ctx, user) -> Step:
    allowed, reason = can_step(process=process, name=name, state=state, ctx=ctx, user=user)
    if not allowed:
        field_name = reason.split(":", 1)[0] if ":" in reason[:20] else ""
        raise FollowupError(reason, field=field_name)
    return TABLES[process][name]
