"""Objects owned by organisation A for the access matrix; each returns the URL kwargs.

Every builder takes (org_a, users) — organisation A and the role → user map of the matrix
world — and makes a realistic object through the apps' own test factories and services. A
builder may add "_query" (a dict) for views that need query parameters.

STATE gives a cheap fingerprint of the database, compared before and after every denied POST:
a denied request must change nothing."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

DAY = datetime.date(2027, 3, 14)
NONEXISTENT = 999_999


def password_reset_token(org_a, users):
    return {"uidb64": "MQ", "token": "set-password"}


def member_a(org_a, users):
    return {"pk": org_a.pk}


def contribution_table(org_a, users):
    return {"structure": "2024", "fmt": "csv"}


def email_answer_of_a(org_a, users):
    """Organisation A is invited; KS may record its confirmation that came by e-mail."""
    from tests.members.factories import ParticipationFactory

    ParticipationFactory(member=org_a)
    return {"pk": org_a.pk, "answer": "bekreftelse"}


def correspondence_of_a(org_a, users):
    """A decline of organisation A that KS recorded from an e-mail, with its document."""
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.services import participation_record_email
    from tests.projects.test_attachments import MINIMAL_PDF

    record, _created = participation_record_email(
        member=org_a,
        kind="decline",
        received_on=DAY,
        reference="26/1",
        upload=SimpleUploadedFile("svar.pdf", MINIMAL_PDF),
        submission_key=uuid.uuid4(),
        actor=users["ks_staff"],
    )
    return {"pk": record.pk}


def register_refresh(org_a, users):
    """A look-up in Enhetsregisteret, fetched and ready for KS to apply: organisation A's
    address would change (fetched from the fixtures, no network)."""
    from members.enhetsregisteret import RegisterEntry
    from members.models import RegisterRefresh
    from members.register import register_refresh_fetch

    refresh = RegisterRefresh.objects.create(created_by=users["ks_staff"], member_ids=[org_a.pk])

    def lookup(orgnr):
        return RegisterEntry(
            orgnr=orgnr,
            name="ORGANISASJON A",
            organisasjonsform="KOMM",
            address_lines=("Postboks 1",),
            postnummer="2626",
            poststed="LILLEHAMMER",
        )

    register_refresh_fetch(refresh=refresh, lookup=lookup)
    return {"pk": refresh.pk}


# --- projects ----------------------------------------------------------------------------------


def _draft(org_a, users, **kwargs):
    from tests.projects.factories import complete_proposal

    return complete_proposal(lead_member=org_a, created_by=users["municipal_a"], **kwargs)


def proposal(org_a, users):
    """A complete draft of organisation A, editable by its users."""
    return {"pk": _draft(org_a, users).pk}


def proposal_submit(org_a, users):
    """A complete draft of a participating organisation A: the lead's user can submit it, so
    a denied role that got through would change its status."""
    from members.models import Participation
    from tests.members.factories import ParticipationFactory

    ParticipationFactory(member=org_a, status=Participation.Status.CONFIRMED)
    return {"pk": _draft(org_a, users).pk, "name": "submit"}


def snapshot(org_a, users):
    from projects.services.proposals import snapshot_proposal

    snap = snapshot_proposal(proposal=_draft(org_a, users))
    return {"pk": snap.proposal_id, "version": snap.version}


def attachment(org_a, users):
    from projects.services.proposals import attachment_add
    from tests.projects.test_attachments import pdf_upload

    proposal = _draft(org_a, users)
    item = attachment_add(proposal=proposal, upload=pdf_upload(), actor=users["municipal_a"])
    return {"pk": item.pk}


def _meeting(users):
    from projects.services.council import meeting_create

    return meeting_create(held_on=DAY, title="KommIT-rådet mars", actor=users["ks_staff"])


def meeting(org_a, users):
    return {"pk": _meeting(users).pk}


def meeting_document(org_a, users):
    from projects.services.council_documents import agenda_document_create

    item = _agenda_item(org_a, users)
    document = agenda_document_create(meeting=item.meeting, actor=users["ks_staff"])
    return {"pk": document.pk}


def _agenda_item(org_a, users):
    from projects.models import ProposalStatus
    from projects.services.council import agenda_add
    from tests.projects.factories import ensure_criteria

    ensure_criteria()
    qualified = _draft(org_a, users, status=ProposalStatus.QUALIFIED)
    return agenda_add(meeting=_meeting(users), proposal=qualified, actor=users["ks_staff"])


def agenda_item(org_a, users):
    return {"pk": _agenda_item(org_a, users).pk}


def prioritised_proposal(org_a, users):
    from projects.models import ScoringCriterion
    from projects.selectors import is_recused
    from projects.services.council import outcome_record, score_record
    from tests.accounts.factories import CouncilMemberFactory

    item = _agenda_item(org_a, users)
    chair = CouncilMemberFactory(is_council_chair=True)
    # The meeting's quorum: council members able to score have scored before the outcome.
    criteria = ScoringCriterion.objects.filter(active=True)
    for member in get_user_model().objects.filter(role="council", is_active=True):
        if not is_recused(item=item, user=member):
            score_record(item=item, values=dict.fromkeys(criteria, (4, "")), actor=member)
    outcome_record(item=item, outcome="prioritised", minutes="Prioritert.", actor=chair)
    return {"pk": item.proposal_id}


def project(org_a, users):
    from projects.models import Project, ProposalStatus

    proposal = _draft(org_a, users, status=ProposalStatus.APPROVED)
    item = Project.objects.create(
        proposal=proposal,
        title=proposal.title,
        responsible=org_a,
        granted=Decimal("1500000.00"),
        decided_by=users["ks_staff"],
    )
    return {"pk": item.pk}


def payment_request_attachment(org_a, users):
    """A payment request of organisation A's project with its accounts attached (issue 18)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.models import Project
    from projects.services.payments import payment_request_submit
    from tests.projects.factories import accept_grant
    from tests.projects.test_attachments import MINIMAL_PDF

    item = Project.objects.get(pk=project(org_a, users)["pk"])
    accept_grant(item)
    request = payment_request_submit(
        project=item,
        kind="partial",
        amount=Decimal("100000"),
        progress="Første leveranse.",
        costs={"external": Decimal("100000")},
        attachment=SimpleUploadedFile("regnskap.pdf", MINIMAL_PDF),
        actor=users["municipal_a"],
    )
    return {"pk": request.pk}


def grant(org_a, users):
    """A's project with its grant offered to A (awaiting acceptance)."""
    import datetime

    from projects.models import Grant, Project

    kwargs = project(org_a, users)
    item = Project.objects.get(pk=kwargs["pk"])
    today = datetime.date.today()
    Grant.objects.create(
        project=item,
        amount=item.granted,
        decided_on=today,
        decided_by=users["ks_staff"],
        accept_by=today + datetime.timedelta(days=30),
    )
    return kwargs


# --- repayments --------------------------------------------------------------------------------


def _solution(org_a, users):
    """Digiorden, published with its size classes; organisation A has a population figure."""
    from tests.repayments.factories import (
        DIGIORDEN_CLASSES,
        SolutionFactory,
        population,
        published,
    )

    population(org_a, 7_000)
    return published(
        SolutionFactory(name="Digiorden"),
        kind="size_class",
        parameters={"classes": DIGIORDEN_CLASSES},
        actor=users["ks_staff"],
    )


def solution(org_a, users):
    return {"pk": _solution(org_a, users).pk}


def _agreement(org_a, users):
    from repayments import services
    from tests.repayments.factories import make_participant

    solution = _solution(org_a, users)
    make_participant(org_a, paid=True)
    return services.access_request(
        solution=solution, member=org_a, accept_fdvu_terms=True, actor=users["municipal_a"]
    ).agreement


def agreement(org_a, users):
    return {"pk": _agreement(org_a, users).pk}


def fdvu_period(org_a, users):
    from repayments import services

    item = _agreement(org_a, users)
    period = services.fdvu_allocate(
        solution=item.solution, year=datetime.date.today().year, actor=users["ks_staff"]
    )
    return {"pk": period.pk}


# --- invoicing ---------------------------------------------------------------------------------


def _invoice(org_a, users):
    from tests.invoicing.factories import issue_manual

    return issue_manual(buyer=org_a, amount="1000.00", actor=users["ks_staff"])


def invoice(org_a, users):
    return {"pk": _invoice(org_a, users).pk}


def payment(org_a, users):
    from invoicing.services import register_payment

    item = register_payment(
        invoice=_invoice(org_a, users),
        amount=Decimal("400.00"),
        paid_on=datetime.date(2026, 11, 20),
        reference="Delbetaling",
        actor=users["ks_staff"],
    )
    return {"pk": item.pk}


def document(org_a, users):
    from invoicing.services import letter_create

    item = letter_create(
        member=org_a, kind="confirmation", actor=None, source_key="matrix:c", email=False
    )
    return {"pk": item.pk}


def batch_job(org_a, users):
    from invoicing.models import BatchJob

    job = BatchJob.objects.create(kind=BatchJob.Kind.INVITATIONS, started_by=users["ks_staff"])
    return {"pk": job.pk}


def letter_of_a(org_a, users):
    return {"_query": {"member": org_a.pk, "kind": "confirmation"}}


# --- the fund overview -------------------------------------------------------------------------


def overview_table(org_a, users):
    return {"table": "kapital", "fmt": "csv"}


def annual_report(org_a, users):
    from fund.models import FundReport

    report = FundReport.objects.create(year=2025, requested_by=users["ks_staff"])
    report.pdf.save("arsrapport-2025.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return {"year": report.year}


def csv_format(org_a, users):
    return {"fmt": "csv"}


def _scenario(users):
    from fund.models import ForecastScenario

    return ForecastScenario.objects.create(name="Basis", created_by=users["ks_staff"])


def scenario(org_a, users):
    return {"pk": _scenario(users).pk}


def scenario_csv(org_a, users):
    return {"pk": _scenario(users).pk, "fmt": "csv"}


def scenario_compare(org_a, users):
    return {"fmt": "csv", "_query": {"s": _scenario(users).pk}}


def public_table(org_a, users):
    return {"table": "deltakere"}


def _user_invitation(org_a, users):
    from accounts.identity import invitation_create

    return invitation_create(
        name="Kari Nordmann",
        email="kari@example.no",
        organisation=org_a,
        expires_on=DAY,
        actor=users["ks_staff"],
    )


def user_invitation(org_a, users):
    """A live invitation of a person to organisation A (KS revokes it)."""
    invitation, _token = _user_invitation(org_a, users)
    return {"pk": invitation.pk}


def user_invitation_token(org_a, users):
    _invitation, token = _user_invitation(org_a, users)
    return {"token": token}


BUILDERS = {
    "password_reset_token": password_reset_token,
    "member_a": member_a,
    "contribution_table": contribution_table,
    "email_answer_of_a": email_answer_of_a,
    "correspondence_of_a": correspondence_of_a,
    "register_refresh": register_refresh,
    "proposal": proposal,
    "proposal_submit": proposal_submit,
    "snapshot": snapshot,
    "attachment": attachment,
    "meeting": meeting,
    "meeting_document": meeting_document,
    "agenda_item": agenda_item,
    "prioritised_proposal": prioritised_proposal,
    "project": project,
    "payment_request_attachment": payment_request_attachment,
    "grant": grant,
    "solution": solution,
    "agreement": agreement,
    "fdvu_period": fdvu_period,
    "invoice": invoice,
    "payment": payment,
    "document": document,
    "batch_job": batch_job,
    "letter_of_a": letter_of_a,
    "overview_table": overview_table,
    "annual_report": annual_report,
    "csv_format": csv_format,
    "scenario": scenario,
    "scenario_csv": scenario_csv,
    "scenario_compare": scenario_compare,
    "public_table": public_table,
    "user_invitation": user_invitation,
    "user_invitation_token": user_invitation_token,
}

# Object ids in URL kwargs and query parameters: replaced by NONEXISTENT in the guessed-URL test.
OBJECT_KWARGS = ("pk", "year", "member", "s")

# --- what a denied POST must leave alone ---------------------------------------------------------

STATE_APPS = ("accounts", "members", "fund", "projects", "repayments", "invoicing")
# Rows whose fields a POST may change without adding a row: (model label, fields).
STATE_FIELDS = (
    ("projects.Proposal", ("status", "version", "title")),
    ("projects.CouncilMeeting", ("closed_at",)),
    ("projects.Project", ("status",)),
    ("projects.PaymentRequest", ("status",)),
    ("projects.FinalReport", ("status",)),
    ("repayments.Solution", ("is_published",)),
    ("repayments.AccessAgreement", ("status", "fee_status", "left_on")),
    ("repayments.FdvuPeriod", ("status",)),
    ("invoicing.Invoice", ("status",)),
    ("invoicing.Payment", ("resolved",)),
    ("members.Participation", ("status",)),
    ("accounts.Invitation", ("revoked_at", "used_at")),
)


def state() -> dict:
    """Row counts of every model of the fund's apps plus the mutable fields above."""
    snapshot = {}
    for label in STATE_APPS:
        for model in apps.get_app_config(label).get_models():
            snapshot[model._meta.label] = model._default_manager.count()
    for label, fields in STATE_FIELDS:
        model = apps.get_model(label)
        snapshot[f"{label}:{','.join(fields)}"] = sorted(
            model._default_manager.values_list("pk", *fields), key=repr
        )
    return snapshot


# --- lists that both organisations open: A's objects must not show on B's page ------------------


def proposal_title(org_a, users):
    from projects.models import Proposal

    return Proposal.objects.get(pk=proposal(org_a, users)["pk"]).title


def project_title(org_a, users):
    from projects.models import Project

    return Project.objects.get(pk=project(org_a, users)["pk"]).title


def invoice_number(org_a, users):
    return _invoice(org_a, users).number


def document_title(org_a, users):
    from invoicing.models import Document

    return Document.objects.get(pk=document(org_a, users)["pk"]).title


def organisation_name(org_a, users):
    return org_a.name


# list url name → builders that make an object of A and return the text that identifies it.
LIST_MARKERS = {
    "projects:my_proposals": [proposal_title],
    "projects:portfolio": [project_title],
    "invoicing:my_invoices": [invoice_number, document_title],
    "members:my_organisation": [organisation_name],
}
