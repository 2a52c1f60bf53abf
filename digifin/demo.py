"""Demo users for the three roles, attached to real organisations."""

import contextlib

from accounts.models import Role, User
from accounts.services import user_create
from members.demo import current_member
from projects.models import AgendaItem, CoApplicant, CouncilMeeting, Proposal, ProposalStatus
from projects.notifications import coapplicant_requests_send
from projects.services.council import agenda_add
from projects.services.proposals import ProposalError

# Demo data only; `make run` prints it with the demo logins.
DEMO_PASSWORD = "digifin-demo"  # noqa: S105  # nosec B105

# (username, role, first, last, kind, number, is_chair); numbers are 2024 codes (current).
DEMO_USERS = [
    ("ks", Role.KS_STAFF, "Kari", "Sæther", None, None, False),
    ("lillehammer", Role.MUNICIPAL, "Lars", "Haugen", "kommune", "3405", False),
    ("oyer", Role.MUNICIPAL, "Ingrid", "Bakke", "kommune", "3440", False),
    ("bergen", Role.MUNICIPAL, "Bjørn", "Nilsen", "kommune", "4601", False),
    ("radet", Role.COUNCIL, "Randi", "Dahl", "kommune", "5001", True),
    ("radet2", Role.COUNCIL, "Per", "Aas", "kommune", "3405", False),
]


def ensure_demo_users() -> list[User]:
    users = []
    for username, role, first, last, kind, number, chair in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            org = current_member(kind, number) if kind else None
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                email=f"{username}@demo.digifin.no",
                first_name=first,
                last_name=last,
                organisation=org,
                is_council_chair=chair,
            )
        users.append(user)
    return users


# «Mine oppgaver» (issue 19 §5): each demo user's start page has at least one task, from the
# state of things rather than the date the demo is loaded on.
DEMO_COAPPLICATION = ("Digital søknad om barnehageplass", "3440")  # Lillehammer asks Øyer
DEMO_DEFERRED_CASE = "Digital tjenesteavtale for hjemmetjenester"  # deferred at møte 1/2026


def load(*, stdout) -> None:
    """Øyer is asked to co-apply on Lillehammer's draft (not yet confirmed: Øyer's task), and
    the case the council deferred in the held meeting goes on the open meeting's agenda (both
    council members' task to score). Idempotent."""
    ks = User.objects.filter(username="ks").first()
    title, number = DEMO_COAPPLICATION
    draft = Proposal.objects.filter(title=title, status=ProposalStatus.DRAFT).first()
    partner = current_member("kommune", number)
    if draft is not None and partner is not None:
        CoApplicant.objects.get_or_create(proposal=draft, member=partner)
        coapplicant_requests_send(draft)  # Øyer's e-mail, once
    meeting = CouncilMeeting.objects.filter(closed_at__isnull=True).order_by("held_on").first()
    deferred = Proposal.objects.filter(
        title=DEMO_DEFERRED_CASE, status=ProposalStatus.QUALIFIED
    ).first()
    on_agenda = AgendaItem.objects.filter(proposal=deferred, meeting=meeting).exists()
    if ks is not None and meeting is not None and deferred is not None and not on_agenda:
        with contextlib.suppress(ProposalError):  # e.g. already on another open agenda
            agenda_add(meeting=meeting, proposal=deferred, actor=ks)
    stdout.write("digifin: demo tasks (a co-application to confirm, a case to score) in place")
