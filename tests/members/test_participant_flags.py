"""participant_flags is the cheap bulk "is a participant" of proposal pages: it must agree with
effective_participations (merges, shared billing) and read no shares or payments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member, Participation
from members.selectors import effective_participations, participant_flags
from tests.members.factories import (
    Member2017Factory,
    MemberFactory,
    ParticipationFactory,
    succession,
)

pytestmark = pytest.mark.django_db
S = Participation.Status


def test_flags_agree_with_the_effective_participation_for_every_case():
    own = ParticipationFactory(member=Member2017Factory(), status=S.CONFIRMED).member
    declined = ParticipationFactory(member=Member2017Factory(), status=S.DECLINED).member
    nothing = Member2017Factory()
    # a merged successor of a paying predecessor participates by inheritance
    paid_pred = ParticipationFactory(member=Member2017Factory(), status=S.PAID).member
    merged = MemberFactory(valid_from="2020-01-01")
    succession(paid_pred, merged)
    succession(nothing, merged)
    # Oslo fylke follows Oslo kommune, whose share it is billed with
    kommune = ParticipationFactory(member=Member2017Factory(), status=S.INVOICED).member
    fylke = Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, billed_with=kommune)
    members = [own, declined, nothing, merged, kommune, fylke]

    flags = participant_flags(members=members)
    effective = effective_participations(members=members)
    assert flags == {m.pk: effective[m.pk].is_participant for m in members}
    assert [flags[m.pk] for m in members] == [True, False, False, True, True, True]


def test_flags_read_no_bases_payments_or_rates():
    member = ParticipationFactory(member=Member2017Factory(), status=S.CONFIRMED).member
    with CaptureQueriesContext(connection) as ctx:
        participant_flags(members=[member])
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "contributionbasis" not in sql
    assert "ledgerentry" not in sql
    assert "contributionrate" not in sql
