"""The contribution rates of KS's invitation (hovedstyret, August 2017), as data."""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = [
    ("kommune", Decimal("20.00")),
    ("fylkeskommune", Decimal("5.00")),
]
REFERENCE = "KS hovedstyre august 2017; invitasjon til kommuner og fylkeskommuner"


def add_rates(apps, schema_editor):
    Rate = apps.get_model("members", "ContributionRate")
    for kind, amount in RATES:
        Rate.objects.get_or_create(
            kind=kind,
            valid_from=datetime.date(2017, 1, 1),
            defaults={"per_inhabitant": amount, "reference": REFERENCE},
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0002_registry_population_rates")]

    operations = [migrations.RunPython(add_rates, migrations.RunPython.noop)]
