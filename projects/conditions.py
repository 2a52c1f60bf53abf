"""The standard conditions of a DigiFin grant (tilsagnsvilkår), as data: the migration
0011_grant_data seeds them as `StandardCondition` rows, which KS edits in the admin."""

from .models import StandardCondition

# (title, text): the principle note's conditions (KMD's criteria of 22 June 2017 and "Prosjekter
# og tiltak som omfattes av ordningen"), figures 3–6, and the reporting duty.
STANDARD_CONDITIONS = [
    (
        "Bare utviklingskostnader",
        "Tilskuddet skal bare dekke utviklingskostnader i prosjektet. Kostnader til drift "
        "dekkes ikke av DigiFin.",
    ),
    (
        "Relevant for alle kommuner og fylkeskommuner",
        "Løsningen som utvikles, skal være relevant og tilgjengelig for alle kommuner og/eller "
        "fylkeskommuner.",
    ),
    (
        "Kommunal sektor eier resultatet",
        "Kommunal sektor er ansvarlig for gjennomføringen av prosjektet og eier løsningen som "
        "utvikles.",
    ),
    (
        "Tilbakebetaling gjennom tilknytningskostnad",
        "Midlene tilbakeføres til DigiFin gjennom tilknytningskostnaden som kommuner og "
        "fylkeskommuner betaler når de tar løsningen i bruk, etter prismodellen KS fastsetter.",
    ),
    (
        "FDVU utenfor fondet",
        "Kostnader til forvaltning, drift, vedlikehold og videreutvikling (FDVU) dekkes av "
        "kommunene som tar løsningen i bruk, utenfor DigiFin, og skal beregnes som del av "
        "gjennomføringen av prosjektet.",
    ),
    (
        "Rapporteringsplikt",
        "Prosjektet følges opp i KS' porteføljestyring: det ansvarlige medlemmet leverer "
        "statusrapporter hvert tertial og en sluttrapport med resultater, leveranser, regnskap "
        "og gevinster før sluttutbetaling.",
    ),
    (
        "Utbetaling etter anmodning",
        "Tilskuddet utbetales etter anmodning fra det ansvarlige medlemmet, i rater mot "
        "rapportert framdrift, og først når tilsagnet er akseptert. Samlede utbetalinger kan "
        "ikke overstige tilsagnet; ubrukte midler frigis når prosjektet avsluttes.",
    ),
    (
        "Utbredelse og gevinstrealisering",
        "Prosjektet legger til rette for rask utbredelse av løsningen og rapporterer realiserte "
        "gevinster årlig etter lansering.",
    ),
]


def ensure_standard_conditions() -> int:
    """Create the standard conditions when there are none (a flushed test database, an empty
    install); returns how many were created."""
    if StandardCondition.objects.exists():
        return 0
    StandardCondition.objects.bulk_create(
        StandardCondition(position=n, title=title, text=text)
        for n, (title, text) in enumerate(STANDARD_CONDITIONS, start=1)
    )
    return len(STANDARD_CONDITIONS)
