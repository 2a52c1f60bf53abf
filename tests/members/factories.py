import datetime

import factory
from stdnum.no import orgnr as orgnr_std

from members.models import Member, Participation


def _valid_orgnr(n: int) -> str:
    """A MOD11-valid organisation number derived from a sequence number."""
    base = f"9{n:07d}"[-8:]
    while True:
        for digit in "0123456789":
            if orgnr_std.is_valid(base + digit):
                return base + digit
        base = f"{int(base) + 1:08d}"  # a remainder of 10 has no check digit: try the next


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    kind = Member.Kind.KOMMUNE
    number = factory.Sequence(lambda n: f"{9000 + n % 999:04d}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    orgnr = factory.Sequence(_valid_orgnr)
    valid_from = datetime.date(2020, 1, 1)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    member = factory.SubFactory(MemberFactory)
    invited_on = datetime.date(2017, 9, 1)


class Member2017Factory(MemberFactory):
    valid_from = datetime.date(2017, 1, 1)
    valid_to = datetime.date(2019, 12, 31)


def basis(member, population, period="2017K2", source="test"):
    from members.models import ContributionBasis

    return ContributionBasis.objects.create(
        member=member, population=population, period=period, source=source
    )


def succession(predecessor, successor, fraction="1", changed_on=datetime.date(2020, 1, 1)):
    from decimal import Decimal

    from members.models import MemberSuccession

    return MemberSuccession.objects.create(
        predecessor=predecessor,
        successor=successor,
        fraction=Decimal(fraction),
        changed_on=changed_on,
    )
