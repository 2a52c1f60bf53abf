import datetime
from decimal import Decimal

from invoicing.services import InvoiceLineSpec, invoice_issue
from members.services import participation_confirm
from tests.members.factories import MemberFactory, ParticipationFactory


def member_with_address(**kwargs):
    defaults = {
        "address": "Postboks 986\n2626 LILLEHAMMER",
        "email": "postmottak@example.no",
    }
    return MemberFactory(**{**defaults, **kwargs})


def confirmed_participation(*, actor=None, member=None, fakturareferanse="4100-DIGI"):
    member = member or member_with_address()
    participation = ParticipationFactory(member=member)
    return participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 11, 1),
        decision_reference="PS 17/123",
        fakturareferanse=fakturareferanse,
        contact_name="Kari Nordmann",
        contact_email="kari@example.no",
        actor=actor,
    )


def issue_manual(*, buyer=None, amount="1000.00", source_key=None, actor=None, **kwargs):
    buyer = buyer or member_with_address()
    return invoice_issue(
        buyer=buyer,
        kind=kwargs.pop("kind", "manual"),
        lines=kwargs.pop("lines", None)
        or [InvoiceLineSpec(description="Rådgivning", unit_price=Decimal(amount))],
        issued_on=kwargs.pop("issued_on", datetime.date(2026, 11, 2)),
        fakturareferanse=kwargs.pop("fakturareferanse", "REF-1"),
        actor=actor,
        source_key=source_key or f"manual:test:{buyer.pk}:{amount}",
        **kwargs,
    )
