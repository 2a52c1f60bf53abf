"""Benefits realisation (gevinstrealisering), issue 18 §5: once a year after launch the
responsible municipality reports the benefits realised, per kind of benefit in the plan
(projects.selectors.benefits_plan: the proposal's benefit table as granted)."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.bounds import MONEY_MAX
from core.money import to_money

from ..models import BenefitReport, BenefitReportLine, BenefitYear, Project
from .followup_workflow import NEW, Ctx, FollowupError, check_step
from .payments import event_log


def _amount(kind: str, value) -> Decimal:
    label = BenefitYear.Kind(kind).label
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise FollowupError(
            _("%(field)s: «%(value)s» er ikke et tall.") % {"field": label, "value": value},
            field=kind,
        ) from exc
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise FollowupError(
            _("%(field)s: beløpet må være mellom 0 og 10 000 000 000 kr.") % {"field": label},
            field=kind,
        )
    return to_money(amount)


@transaction.atomic
def benefit_report_submit(
    *, project: Project, year: int, realised: dict, comment: str = "", actor, today=None
) -> BenefitReport:
    """One report per project and year; `realised` is kind → kroner (a Decimal, or text from a
    form: a value that is not a number is refused with the benefit's name). `today` (default:
    the date) decides which years are open."""
    unknown = set(realised) - set(BenefitYear.Kind.values)
    if unknown:
        raise FollowupError(_("Ukjent type gevinst: %(kinds)s") % {"kinds": sorted(unknown)})
    amounts = {kind: _amount(kind, v) for kind, v in realised.items() if v not in (None, "")}
    project = Project.objects.select_for_update().get(pk=project.pk)
    check_step(
        process="benefit_report",
        name="submit",
        state=NEW,
        ctx=Ctx(project=project, year=year, today=today),
        user=actor,
    )
    already = _("År: gevinstene for %(year)s er allerede rapportert.") % {"year": year}
    try:
        with transaction.atomic():
            report = BenefitReport.objects.create(
                project=project, year=year, comment=comment.strip(), reported_by=actor
            )
    except IntegrityError as exc:
        raise FollowupError(already, field="year") from exc
    BenefitReportLine.objects.bulk_create(
        [BenefitReportLine(report=report, kind=k, realised=a) for k, a in amounts.items()]
    )
    event_log(
        project=project,
        process="benefit_report",
        name="submit",
        text=_("Gevinstrapport for %(year)s er sendt.") % {"year": year},
        actor=actor,
    )
    return report
