"""Issue 17: before the year constraints (0008_bounds), in its own transaction: on PostgreSQL
rows updated here must be committed before ALTER TABLE adds a constraint to the same table."""

from django.db import migrations, models

YEAR_MIN, YEAR_MAX = 2017, 2100  # core.bounds, frozen here as the migration applies them


def repair_years(apps, schema_editor):
    """A start year outside the fund's span is cleared (the applicant enters it again: the form
    asks for it); a cost, benefit or budget row outside the span has no safe repair, so the
    migration stops and names the rows for KS to correct by hand (docs/decisions/
    foundation-006-bounds.md)."""
    Proposal = apps.get_model("projects", "Proposal")
    outside = ~models.Q(start_year__gte=YEAR_MIN, start_year__lte=YEAR_MAX)
    Proposal.objects.filter(start_year__isnull=False).filter(outside).update(start_year=None)
    bad = []
    for name in ("CostYear", "BenefitYear", "ProjectBudgetYear"):
        rows = apps.get_model("projects", name).objects.exclude(
            year__gte=YEAR_MIN, year__lte=YEAR_MAX
        )
        bad += [f"{name} {r.pk} (år {r.year})" for r in rows]
    if bad:
        raise RuntimeError(
            "Rows with a year outside 2017-2100 must be corrected before this migration: "
            + ", ".join(bad)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_proposal_list_indexes"),
    ]

    operations = [
        migrations.RunPython(repair_years, migrations.RunPython.noop),
    ]
