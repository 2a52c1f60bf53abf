"""Demo content for the overview: two saved forecast scenarios built from the demo portfolio
and the solutions' price models (the capital itself comes from digifin/demo.py and the other
apps). Idempotent: scenarios are matched by name."""

from decimal import Decimal

from accounts.models import User
from fund.models import ForecastScenario

from . import reconciliation, selectors, services
from .models import ReconciliationRun


def load(*, stdout) -> None:
    actor = User.objects.filter(username="ks").first()
    pipeline = selectors.pipeline_defaults()
    solutions = selectors.solution_defaults()
    created = 0
    for name, years, other, saturation_factor in (
        ("Basis", 6, Decimal("250000"), Decimal("1")),
        ("Forsiktig utbredelse", 6, Decimal("0"), Decimal("0.5")),
    ):
        if ForecastScenario.objects.filter(name=name).exists():
            continue
        adjusted = [
            {
                **s,
                "saturation": str(
                    (Decimal(s["saturation"]) * saturation_factor).quantize(Decimal("0.001"))
                ),
            }
            for s in solutions
        ]
        services.scenario_save(
            name=name,
            description="Demo: dagens kapital, porteføljen og løsningenes prismodeller.",
            years=years,
            grant_quarters=6,
            other_inflow_per_quarter=other,
            pipeline=pipeline,
            solutions=adjusted,
            actor=actor,
        )
        created += 1
    stdout.write(f"overview: {created} prognosescenarioer opprettet")


def reconcile(*, stdout) -> None:
    """The last demo step: a stored reconciliation run, so the "Avstemming" page has one and
    the demo proves it reconciles (every check green on honest demo data)."""
    run = reconciliation.reconcile(trigger=ReconciliationRun.Trigger.COMMAND)
    failed = [r["title"] for r in run.results if not r["ok"]]
    stdout.write(
        "overview: avstemming i orden"
        if run.ok
        else f"overview: AVSTEMMINGEN FANT AVVIK i {', '.join(failed)} (kjør manage.py reconcile)"
    )
