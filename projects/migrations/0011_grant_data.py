"""The standard grant conditions (seeds 002, the principle note, and 003, portfolio management),
and an accepted grant for every project decided before grants existed (issue 18): those
projects were paid out by hand already, so their grant stands as accepted."""

import datetime

from django.db import migrations

from projects.conditions import STANDARD_CONDITIONS  # static data, frozen in that module


def forwards(apps, schema_editor):
    StandardCondition = apps.get_model("projects", "StandardCondition")
    Grant = apps.get_model("projects", "Grant")
    GrantCondition = apps.get_model("projects", "GrantCondition")
    Project = apps.get_model("projects", "Project")
    AgendaItem = apps.get_model("projects", "AgendaItem")
    if not StandardCondition.objects.exists():
        StandardCondition.objects.bulk_create(
            StandardCondition(position=n, title=title, text=text)
            for n, (title, text) in enumerate(STANDARD_CONDITIONS, start=1)
        )
    conditions = list(StandardCondition.objects.filter(active=True).order_by("position", "id"))
    for project in Project.objects.filter(grant__isnull=True).select_related("proposal"):
        decided_on = project.decided_at.date()
        item = (
            AgendaItem.objects.filter(proposal_id=project.proposal_id, outcome="prioritised")
            .order_by("-case_year", "-case_number")
            .first()
        )
        grant = Grant.objects.create(
            project=project,
            amount=project.granted,
            status="accepted",
            decided_on=decided_on,
            decided_by_id=project.decided_by_id,
            accept_by=decided_on + datetime.timedelta(days=30),
            proposal_reference=project.proposal.reference or "",
            council_case=(
                f"sak {item.case_year % 100:02d}-{item.case_number:02d}" if item else ""
            ),
            accepted_at=project.decided_at,
            signed_by_name="(akseptert før tilsagn ble registrert i DigiFin)",
        )
        GrantCondition.objects.bulk_create(
            GrantCondition(grant=grant, position=n, title=c.title, text=c.text)
            for n, c in enumerate(conditions, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_grant")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
