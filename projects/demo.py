"""Demo proposals (idempotent): a dozen realistic proposals by real municipalities in every
state, with a joint proposal, qualification notes and transition history."""

import contextlib
import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from members.models import Member

from . import demo_followup
from .letters import grant_letters_send
from .models import (
    SECTIONS,
    BenefitYear,
    CoApplicant,
    ContactPerson,
    CostYear,
    CouncilMeeting,
    Grant,
    Proposal,
    ProposalStatus,
    ProposalTransition,
    QualificationAnswer,
    ScoringCriterion,
)
from .selectors import active_criteria
from .services.council import agenda_add, meeting_close, outcome_record, score_record
from .services.council_documents import agenda_document_create, minutes_send
from .services.grants import grant_accept, grant_lapse
from .services.payments import payment_request_approve, payment_request_submit
from .services.portfolio import ProposalError, milestone_add, project_approve
from .services.proposals import ks_member, snapshot_proposal

S = ProposalStatus
KS_LEAD = "KS"  # in PROPOSALS: KS itself is the lead (the member row of kind "ks")

# (lead number, title, theme text, status, co-applicant numbers, dev per year, fdvu, benefit/yr)
PROPOSALS = [
    (
        "3405",
        "Digital barnevernsmelding",
        "meldinger til barnevernet kommer på papir og e-post",
        S.QUALIFIED,
        ["3440"],
        [4_000_000, 2_500_000],
        600_000,
        3_200_000,
    ),
    (
        "3440",
        "Felles velferdsteknologisk knutepunkt",
        "trygghetsalarmer og sensorer er koblet til hver sin plattform",
        S.SUBMITTED,
        [],
        [3_000_000, 1_500_000],
        400_000,
        2_100_000,
    ),
    (
        "4601",
        "Digiorden: digital saksbehandling av vergemål og ordensmeldinger",
        "ordensmeldinger behandles manuelt",
        S.RETURNED,
        [],
        [2_200_000],
        250_000,
        900_000,
    ),
    (
        "3405",
        "Digital søknad om barnehageplass",
        "foreldre søker på ulike skjema i hver kommune",
        S.DRAFT,
        [],
        [1_200_000, 400_000],
        150_000,
        700_000,
    ),
    (
        "4601",
        "Fiks-komponent for innbyggerdialog",
        "meldinger mellom innbygger og kommune går i mange kanaler",
        S.SUBMITTED,
        ["5001"],
        [5_500_000, 3_000_000],
        900_000,
        4_800_000,
    ),
    (
        "5001",
        "Felles løsning for digital byggesøknad",
        "byggesøknader sendes som PDF og tastes inn på nytt",
        S.QUALIFIED,
        [],
        [6_000_000, 4_000_000],
        1_200_000,
        6_500_000,
    ),
    (
        "0301",
        "Nasjonal oversikt over skolefravær",
        "skolene fører fravær i ulike fagsystemer",
        S.REJECTED,
        [],
        [2_000_000],
        300_000,
        400_000,
    ),
    (
        "1103",
        "Digital tjenesteavtale for hjemmetjenester",
        "vedtak om hjemmetjenester sendes i brev",
        S.QUALIFIED,
        [],
        [3_500_000, 1_000_000],
        500_000,
        2_600_000,
    ),
    (
        "4204",
        "Innbyggers oversikt over egne saker (Min side)",
        "innbyggere ringer for å høre status i saken sin",
        S.SUBMITTED,
        [],
        [4_500_000, 2_000_000],
        700_000,
        3_000_000,
    ),
    (
        "5501",
        "Digital arkivdeponering for kommunale arkiv",
        "eldre fagsystemer avvikles uten trygg deponering",
        S.DRAFT,
        [],
        [1_800_000],
        200_000,
        600_000,
    ),
    (
        "3440",
        "Samordnet digital innsynsbegjæring",
        "innsynsbegjæringer behandles manuelt i hver kommune",
        S.REJECTED,
        [],
        [900_000],
        100_000,
        150_000,
    ),
    (
        "4601",
        "Felles plattform for digitale tilsyn (legemidler og skjenking)",
        "tilsyn dokumenteres på papir",
        S.QUALIFIED,
        ["3405"],
        [2_800_000, 1_400_000],
        350_000,
        2_200_000,
    ),
    # KS as the formal applicant (the seeds: "KS, kommuner og fylkeskommuner" may apply),
    # with Lillehammer as co-applicant (docs/decisions/members-ks-as-applicant.md).
    (
        KS_LEAD,
        "Felles innbyggerdialog på KS Fiks-plattformen",
        "hver kommune kjøper og drifter sin egen chat og meldingsløsning mot innbyggerne",
        S.SUBMITTED,
        ["3405"],
        [5_000_000, 3_000_000],
        700_000,
        3_800_000,
    ),
    # Issue 18: prioritised in the held meeting and granted, so that each demo municipality has a
    # grant to accept (GRANT_PLAN below), and one grant that lapsed unaccepted.
    (
        "3440",
        "Digital tilskuddsforvaltning for lag og foreninger",
        "søknader om kommunale tilskudd kommer på e-post og behandles i regneark",
        S.QUALIFIED,
        [],
        [1_600_000, 800_000],
        200_000,
        1_100_000,
    ),
    (
        "4601",
        "Felles innbyggerbrev med digital signatur",
        "vedtaksbrev sendes på papir og signeres for hånd",
        S.QUALIFIED,
        ["3405"],
        [2_200_000, 1_000_000],
        300_000,
        1_900_000,
    ),
    (
        "3405",
        "Digital søknad om startlån og bostøtte",
        "søknader om startlån og bostøtte krever papirdokumentasjon",
        S.QUALIFIED,
        ["3440"],
        [1_400_000, 600_000],
        150_000,
        900_000,
    ),
    (
        "3440",
        "Felles chatbot for kommunale tjenester",
        "hver kommune svarer på de samme spørsmålene i telefon og e-post",
        S.QUALIFIED,
        [],
        [1_200_000, 500_000],
        250_000,
        800_000,
    ),
]

# Grants of the demo (issue 18): (proposal title, what happens to the grant). "offered" grants
# wait for their applicant (Øyer, Bergen, Lillehammer); "lapsed" was decided 45 days ago and
# never accepted.
GRANT_PLAN = [
    ("Digital tilskuddsforvaltning for lag og foreninger", "offered"),
    ("Felles innbyggerbrev med digital signatur", "offered"),
    ("Digital søknad om startlån og bostøtte", "offered"),
    ("Felles chatbot for kommunale tjenester", "lapsed"),
]

HISTORY = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit", S.DRAFT, S.SUBMITTED, "")],
    S.QUALIFIED: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        ("qualify", S.SUBMITTED, S.QUALIFIED, "Oppfyller KS' prinsipper og KMDs kriterier."),
    ],
    S.RETURNED: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        (
            "return",
            S.SUBMITTED,
            S.RETURNED,
            "Utbredelsesplanen og modellen for tilbakebetaling må beskrives nærmere.",
        ),
    ],
    S.REJECTED: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        (
            "reject",
            S.SUBMITTED,
            S.REJECTED,
            "Løsningen er ikke aktuell for alle kommuner, og dekkes delvis av en nasjonal løsning.",
        ),
    ],
}


def _member(number: str) -> Member | None:
    if number == KS_LEAD:
        return ks_member()
    return (
        Member.objects.filter(number=number, valid_to__isnull=True, kind=Member.Kind.KOMMUNE)
        .order_by("-valid_from")
        .first()
    )


def _fallback_email(lead: Member) -> str:
    if lead.kind == Member.Kind.KS:
        return "digifin@ks.no"
    return f"post@{lead.name.lower()}.kommune.no"


def _texts(title: str, theme: str) -> dict:
    base = {name: f"{label}: {title}." for name, label, _h, _p in SECTIONS}
    base.update(
        background=(
            f"I dag er situasjonen at {theme}. Det gir dobbeltarbeid og lang saksbehandlingstid."
        ),
        relevance_for_all=(
            "Alle kommuner har oppgaven, og løsningen bygges på KS Fiks-plattformen."
        ),
        expected_adoption="50 kommuner første år etter lansering, 200 innen tre år.",
        repayment_model="Tilknytningskostnad etter innbyggertall, betalt over tre år.",
    )
    return base


@transaction.atomic
def load(*, stdout) -> None:
    ks = User.objects.filter(username="ks").first()
    if ks is None:
        stdout.write("projects: no demo KS user; skipped")
        return
    created = 0
    for i, (number, title, theme, status, co_numbers, dev, fdvu, benefit) in enumerate(PROPOSALS):
        lead = _member(number)
        if lead is None or Proposal.objects.filter(title=title, lead_member=lead).exists():
            continue
        writer = User.objects.filter(organisation=lead, role="municipal").first() or ks
        start_year = 2026 + (i % 2)
        proposal = Proposal.objects.create(
            title=title,
            lead_member=lead,
            created_by=writer,
            start_year=start_year,
            status=status,
            **_texts(title, theme),
        )
        for co in filter(None, (_member(n) for n in co_numbers)):
            CoApplicant.objects.create(
                proposal=proposal,
                member=co,
                confirmed_at=timezone.now(),
                confirmed_by=User.objects.filter(organisation=co, role="municipal").first(),
            )
        for offset, amount in enumerate(dev):
            CostYear.objects.create(
                proposal=proposal,
                year=start_year + offset,
                development=Decimal(amount),
                own_contribution=Decimal(amount) * Decimal("0.10"),
            )
        for offset in range(len(dev), len(dev) + 3):
            CostYear.objects.create(
                proposal=proposal, year=start_year + offset, operating=Decimal(fdvu)
            )
            BenefitYear.objects.create(
                proposal=proposal,
                year=start_year + offset,
                kind=BenefitYear.Kind.TIME,
                beneficiary="Kommunenes saksbehandlere og innbyggerne",
                amount=Decimal(benefit),
                measurement="Saksbehandlingstid og antall henvendelser, målt før og etter",
            )
        ContactPerson.objects.create(
            proposal=proposal,
            name=f"{writer.get_full_name() or 'Prosjektleder'}",
            role="Prosjektleder",
            email=writer.email or _fallback_email(lead),
        )
        when = timezone.now() - datetime.timedelta(days=60 - i * 4)
        for name, src, dst, comment in HISTORY[status]:
            actor = writer if name == "submit" else ks
            ProposalTransition.objects.create(
                proposal=proposal,
                name=name,
                from_status=src,
                to_status=dst,
                actor=actor,
                comment=comment,
                notified_at=when,
            )
            if name == "submit":
                proposal.reference = f"DF-{when:%Y}-{proposal.pk:04d}"
                proposal.submitted_at = when
                proposal.save(update_fields=["reference", "submitted_at"])
                snapshot_proposal(proposal=proposal)
        if status in (S.QUALIFIED, S.RETURNED, S.REJECTED):
            for criterion in active_criteria():
                answer = QualificationAnswer.Answer.MET
                note = "Vurdert og oppfylt."
                if status == S.REJECTED and criterion.code == "relevant-for-alle":
                    answer, note = QualificationAnswer.Answer.NOT_MET, "Gjelder bare noen kommuner."
                if status == S.RETURNED and criterion.code == "tilbakebetaling":
                    answer, note = (
                        QualificationAnswer.Answer.PARTLY,
                        "Modellen er for lite konkret.",
                    )
                QualificationAnswer.objects.create(
                    proposal=proposal,
                    criterion=criterion,
                    answer=answer,
                    comment=note,
                    answered_by=ks,
                )
        created += 1
    stdout.write(f"projects: {created} demo proposals added")
    _load_council(ks=ks, stdout=stdout)
    demo_followup.load(ks=ks, stdout=stdout)


def _load_council(*, ks, stdout) -> None:
    """A held (closed) meeting with scores, outcomes, its sakskart and protokoll (sent to the
    applicants as letters), KS' decision and a project with a disbursement; and an open coming
    meeting with its sakskart. Skipped once the held meeting exists."""

    if CouncilMeeting.objects.filter(title="KommIT-rådet, møte 1/2026").exists():
        return
    chair = User.objects.filter(username="radet").first()
    member = User.objects.filter(username="radet2").first()
    if chair is None or member is None:
        return
    criteria = list(ScoringCriterion.objects.filter(active=True))
    # Per Aas (Lillehammer) is deputy chair (nestleder): where the chair is recused, he records
    # the outcome.
    held = CouncilMeeting.objects.create(
        held_on=datetime.date(2026, 9, 10),
        title="KommIT-rådet, møte 1/2026",
        place="KS-huset, Haakon VIIs gate 9, Oslo",
        deputy_chair=member,
    )
    coming = CouncilMeeting.objects.create(
        held_on=datetime.date(2026, 12, 3),
        title="KommIT-rådet, møte 2/2026",
        place="KS-huset, Haakon VIIs gate 9, Oslo, og på Teams",
        deputy_chair=member,
    )
    plan = [
        (
            "Digital barnevernsmelding",
            held,
            "prioritised",
            5,
            "Stor nytte; alle kommuner har barnevern.",
        ),
        # Trondheim applies and the chair is from Trondheim: recused, so in the coming meeting
        # the deputy chair records the outcome once the council has scored.
        ("Felles løsning for digital byggesøknad", coming, "", 4, ""),
        (
            "Digital tjenesteavtale for hjemmetjenester",
            held,
            "deferred",
            3,
            "Utsettes; avklar FDVU.",
        ),
        (
            "Felles plattform for digitale tilsyn (legemidler og skjenking)",
            held,
            "prioritised",
            4,
            "Prioriteres.",
        ),
        *((title, held, "prioritised", 4, "Prioriteres.") for title, _fate in GRANT_PLAN),
    ]
    items = []
    for title, meeting, outcome, value, minutes in plan:
        proposal = Proposal.objects.filter(title=title, status=S.QUALIFIED).first()
        if proposal is not None:
            item = agenda_add(meeting=meeting, proposal=proposal, actor=ks)
            items.append((item, outcome, value, minutes))
    # KS makes the sakskart (PDF) before each meeting.
    agenda_document_create(meeting=held, actor=ks)
    agenda_document_create(meeting=coming, actor=ks)
    for item, outcome, value, minutes in items:
        for user, delta in ((chair, 0), (member, -1)):
            # A recused member (own organisation applies) is refused: that is the point.
            with contextlib.suppress(ProposalError):
                score_record(
                    item=item,
                    values={c: (max(1, min(5, value + delta)), "") for c in criteria},
                    actor=user,
                )
        if outcome:
            outcome_record(item=item, outcome=outcome, minutes=minutes, actor=chair)
    # Both attended; Per Aas was recused in every case (Lillehammer applies), so KS ticks him.
    meeting_close(meeting=held, actor=ks, attendees=[chair, member])
    # The protokoll to the applicants, as the task enqueued by the closing does (idempotent).
    minutes_send(meeting=held, actor=ks)
    barnevern = Proposal.objects.filter(
        title="Digital barnevernsmelding", status=S.PRIORITISED
    ).first()
    if barnevern is not None:
        try:
            project = project_approve(
                proposal=barnevern,
                budget={
                    y.year: y.development - y.own_contribution
                    for y in barnevern.cost_years.all()
                    if y.development
                },
                actor=ks,
                comment="Innvilget etter prioritering i KommIT-rådet.",
            )
        except ProposalError as exc:
            stdout.write(f"projects: demo grant skipped ({exc})")
            return
        milestone_add(
            project=project,
            title="Pilot i Lillehammer og Øyer",
            due_on=datetime.date(2027, 3, 1),
            actor=ks,
        )
        milestone_add(
            project=project,
            title="Lansering for alle kommuner",
            due_on=datetime.date(2027, 11, 1),
            actor=ks,
        )
        # Lillehammer accepts the grant in the portal before anything is paid out (issue 18).
        lillehammer = User.objects.filter(username="lillehammer").first()
        grant_accept(
            grant=project.grant,
            signed_by_name="Lars Haugen, på vegne av kommunedirektøren",
            actor=lillehammer or ks,
        )
        # The first rate: Lillehammer's payment request with its report, approved by KS.
        first = payment_request_submit(
            project=project,
            kind="partial",
            amount=Decimal("1500000"),
            progress="Kravspesifikasjon og anskaffelse er ferdig; utviklingen er i gang.",
            costs={"external": Decimal("1200000"), "internal": Decimal("300000")},
            actor=lillehammer or ks,
        )
        payment_request_approve(request=first, paid_on=datetime.date(2026, 10, 15), actor=ks)
    _load_grants(ks=ks, stdout=stdout)
    stdout.write("projects: demo council meetings, scores, a decision and a project added")


def _load_grants(*, ks, stdout) -> None:
    """KS grants the GRANT_PLAN proposals (offered, awaiting acceptance, or lapsed after the
    deadline), and every demo grant's tilsagnsbrev is rendered to a PDF file on its members, as
    the approval's task does in real use."""
    for title, fate in GRANT_PLAN:
        proposal = Proposal.objects.filter(title=title, status=S.PRIORITISED).first()
        if proposal is None:
            continue
        try:
            project = project_approve(
                proposal=proposal,
                budget={
                    y.year: y.development - y.own_contribution
                    for y in proposal.cost_years.all()
                    if y.development
                },
                actor=ks,
            )
        except ProposalError as exc:
            stdout.write(f"projects: demo grant skipped ({exc})")
            continue
        if fate == "lapsed":
            decided = timezone.localdate() - datetime.timedelta(days=45)
            Grant.objects.filter(project=project).update(
                decided_on=decided, accept_by=decided + datetime.timedelta(days=30)
            )
            grant_lapse(grant=Grant.objects.get(project=project))
    for grant in Grant.objects.select_related("project__proposal__lead_member"):
        grant_letters_send(grant=grant, actor=ks)
