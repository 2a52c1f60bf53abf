"""The tilsagnsbrev (grant letter): one PDF per applicant and co-applicant member, made through
invoicing's letter module (kept on the member, e-mailed once per document)."""

from django.conf import settings

from invoicing.models import Document
from invoicing.services import letter_create

from .models import Grant


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def grant_letter_context(*, grant: Grant, comment: str = "") -> dict:
    """Everything the letter shows, the same for every recipient."""
    project = grant.project
    proposal = project.proposal
    co_applicants = [c.member for c in proposal.co_applicants.select_related("member")]
    return {
        "project_title": project.title,
        "proposal_reference": grant.proposal_reference,
        "council_case": grant.council_case,
        "decided_on": grant.decided_on,
        "decided_by": f"KS ved {_name(grant.decided_by)}",
        "applicant": proposal.lead_member.name if proposal.lead_member_id else "",
        "co_applicants": [m.name for m in co_applicants],
        "co_applicant_members": co_applicants,
        "amount": grant.amount,
        "budget": list(project.budget_years.order_by("year").values("year", "amount")),
        "conditions": list(grant.conditions.values("title", "text")),
        "accept_by": grant.accept_by,
        "reminder_days": settings.DIGIFIN_GRANT_REMINDER_DAYS,
        "comment": comment,
    }


def grant_letter_prefix(*, grant: Grant) -> str:
    return f"grant-letter:{grant.pk}:"


def grant_letter_key(*, grant: Grant, member) -> str:
    return f"{grant_letter_prefix(grant=grant)}{member.pk}"


def grant_letters_send(*, grant: Grant, actor, comment: str = "", email: bool = True) -> list:
    """The tilsagnsbrev to the applicant and every co-applicant member (idempotent per grant and
    member: a second run finds the documents and sends nothing again)."""
    context = grant_letter_context(grant=grant, comment=comment)
    lead = grant.project.proposal.lead_member
    recipients = [(lead, False)] + [(m, True) for m in context.pop("co_applicant_members")]
    return [
        letter_create(
            member=member,
            kind=Document.Kind.GRANT,
            actor=actor,
            source_key=grant_letter_key(grant=grant, member=member),
            extra={
                **context,
                "heading": f"Tilsagnsbrev: {grant.project.title}",
                "is_co_applicant": co,
            },
            email=email,
        )
        for member, co in recipients
        if member is not None
    ]


def grant_letters(*, grant: Grant):
    """The grant's letters (documents), one per recipient member."""
    return Document.objects.filter(
        source_key__startswith=f"grant-letter:{grant.pk}:"
    ).select_related("member")
