from django.core.management.base import BaseCommand

from members.exports import contribution_table_csv
from members.selectors import STRUCTURE_DATES


class Command(BaseCommand):
    help = (
        "Write the contribution table "
        "(nummer;navn;type;innbyggere;andel;status;innbetalt;grunnlag)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structure", choices=sorted(STRUCTURE_DATES), default="2017")

    def handle(self, *args, structure, **options):
        contribution_table_csv(structure=structure, out=self.stdout)
