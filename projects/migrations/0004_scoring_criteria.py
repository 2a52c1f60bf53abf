"""The council's scoring criteria as data, with weights (editable in the admin)."""

from decimal import Decimal

from django.db import migrations

CRITERIA = [
    ("nytte", "Nytte for sektoren", "Gevinster for kommuner, fylkeskommuner og innbyggere", "3", 10),
    ("utbredelse", "Utbredelsespotensial", "Hvor mange medlemmer som kan og vil ta løsningen i bruk", "2", 20),
    ("gjennomforbarhet", "Gjennomførbarhet", "Organisering, kompetanse og plan", "2", 30),
    ("modenhet", "Modenhet", "Hvor godt konseptet er utredet", "1", 40),
    ("risiko", "Risiko (lav risiko gir høy score)", "", "1", 50),
    ("kostnad", "Kostnad (nytte per krone)", "", "1", 60),
]


def load(apps, schema_editor):
    Criterion = apps.get_model("projects", "ScoringCriterion")
    for code, name, description, weight, order in CRITERIA:
        Criterion.objects.update_or_create(
            code=code,
            defaults={"name": name, "description": description, "weight": Decimal(weight), "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_council_portfolio")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
