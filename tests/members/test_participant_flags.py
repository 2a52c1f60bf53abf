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


def _chain(depth: int):
    """A member whose participation comes from `depth` merges back (2017 → … → today), with
    a member billed with the oldest one (Oslo fylke with Oslo kommune)."""
    oldest = ParticipationFactory(member=Member2017Factory(), status=S.PAID).member
    Member2017Factory(kind=Member.Kind.FYLKESKOMMUNE, billed_with=oldest)
    member = oldest
    for level in range(depth):
        successor = MemberFactory(valid_from=f"{2018 + level}-01-01")
        succession(member, successor)
        succession(Member2017Factory(), successor)  # a non-participating partner each time
        member = successor
    return member


def test_flags_walk_any_depth_of_successions_in_two_queries():
    """The ancestors come from one recursive query and the members with their participations
    from one more, however deep the merges go (issue 22: not one query per level)."""
    counts = []
    for depth in (1, 4):
        member = _chain(depth)
        with CaptureQueriesContext(connection) as ctx:
            flags = participant_flags(members=[member])
        counts.append(len(ctx.captured_queries))
        assert flags == {member.pk: True}
        effective = effective_participations(members=[member])[member.pk]
        assert effective.is_participant and len(effective.participations) == 1
    assert counts == [2, 2]


def test_ancestor_walk_agrees_with_the_whole_book():
    from members.selectors import _Book

    member = _chain(3)
    book, whole = _Book.for_members([member]), _Book.everything()
    assert sorted(book.ancestors(member.pk)) == sorted(whole.ancestors(member.pk))
    assert len(book.ancestors(member.pk)) == 6
    assert book.participation.keys() == {m for m in whole.participation if m in book.members}
    assert book.share(member.pk) == whole.share(member.pk)
    assert book.effective(member.pk) == whole.effective(member.pk)
