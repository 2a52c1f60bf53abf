"""KS's qualification of a submitted proposal: the checklist answers. The decision itself is a
workflow transition (qualify / return / reject) in workflow.py."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Proposal, ProposalStatus, QualificationAnswer, QualificationCriterion
from .proposals import ProposalError


@transaction.atomic
def qualification_record_answers(
    *, proposal: Proposal, answers: list[tuple[QualificationCriterion, str, str]], actor
) -> list[QualificationAnswer]:
    """Record (criterion, answer, comment) for each checklist point."""
    if not actor.is_ks_staff:
        raise ProposalError(_("Bare KS kan kvalifisere forslag."))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.SUBMITTED:
        raise ProposalError(_("Sjekklisten kan bare fylles ut for innsendte forslag."))
    saved = []
    for criterion, answer, comment in answers:
        if answer not in QualificationAnswer.Answer.values:
            raise ProposalError(_("Ugyldig vurdering."))
        row, _created = QualificationAnswer.objects.update_or_create(
            proposal=locked,
            criterion=criterion,
            defaults={"answer": answer, "comment": comment.strip(), "answered_by": actor},
        )
        saved.append(row)
    return saved
