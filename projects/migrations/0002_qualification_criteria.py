"""The qualification checklist as data: KMD's criteria (tilsagnsbrev 22.06.2017, quoted in KS'
prinsippnotat) and KS' principles for the fund."""

from django.db import migrations

CRITERIA = [
    ("utviklingskostnader", "kmd", "Midlene dekker bare utviklingskostnader, ikke drift eller FDVU.", 10),
    ("relevant-for-alle", "kmd", "Løsningen er i utgangspunktet aktuell for alle kommuner og/eller fylkeskommuner.", 20),
    ("sektoren-eier", "ks", "Kommunesektoren eier prosjektet og resultatet.", 30),
    ("sokere-deltakere", "ks", "Søker og alle medsøkere er deltakere i DigiFin.", 40),
    ("tilbakebetaling", "kmd", "Det finnes en modell for tilbakeføring av midler til fondet (selvfinansierende over tid).", 50),
    ("ks-prioriteringer", "ks", "Prosjektet er i tråd med KS' prioriteringer og digitaliseringsstrategi.", 60),
]


def load(apps, schema_editor):
    Criterion = apps.get_model("projects", "QualificationCriterion")
    for code, source, text, order in CRITERIA:
        Criterion.objects.update_or_create(code=code, defaults={"source": source, "text": text, "order": order})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
