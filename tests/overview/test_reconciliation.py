"""The reconciliation names each planted inconsistency and `manage.py reconcile` exits non-zero.

A small fund is built through the real services (capital, a share invoiced and paid through
register_payment, a project with a disbursement); every fault is then planted by raw SQL, as a
bug or a hand edit in the database would, on PostgreSQL (the ledger's append-only trigger is
disabled for a hand edit, as a DBA would)."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fund.models import CapitalSource, LedgerEntry
from fund.services import commitment_record, ledger_record
from invoicing.models import Invoice, Payment
from invoicing.services import register_payment
from members.invoicing import share_invoice_issue
from members.services import participation_confirm
from overview import reconciliation
from overview import selectors as overview_selectors
from overview.models import ReconciliationRun
from projects.models import CostYear
from projects.services.portfolio import disbursement_record
from tests.members.factories import MemberFactory, ParticipationFactory
from tests.repayments.factories import project as make_project

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="plants faults by raw SQL on PostgreSQL"
    ),
]

SHARE = D("55570")
INVOICES = "invoicing_invoice"


def _sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _hand_edit(sql, params=(), table="fund_ledgerentry"):
    """An UPDATE as a hand edit would do it: past the table's guard trigger (the ledger is
    append-only, an issued invoice immutable)."""
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER TABLE refuses them
    _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        _sql(sql, params)
    finally:
        _sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _member_paid(actor, name, amount=SHARE):
    member = MemberFactory(name=name, valid_from=datetime.date(2017, 1, 1))
    participation = ParticipationFactory(member=member)
    participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 10, 1),
        decision_reference="PS 1/17",
        fakturareferanse=f"{name}-DIGIFIN",
        contact_name="Rådmannens stab",
        contact_email="post@example.no",
        actor=actor,
    )
    invoice = share_invoice_issue(
        participation=participation,
        issued_on=datetime.date(2018, 1, 15),
        actor=actor,
        deliver=False,
        amount=amount,
    )
    payment = register_payment(
        amount=amount,
        paid_on=datetime.date(2018, 2, 10),
        actor=actor,
        invoice=invoice,
        external_ref=f"test:{name}",
    )
    return member, invoice, payment


@pytest.fixture
def world(ks_user):
    commitment_record(source="kmd", year=2017, amount=D("25000000"), actor=ks_user)
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=D("25000000"),
        occurred_on=datetime.date(2017, 12, 14),
        description="KMD tilskudd 2017",
        actor=ks_user,
    )
    lillehammer, invoice_a, payment_a = _member_paid(ks_user, "Lillehammer")
    oyer, invoice_b, payment_b = _member_paid(ks_user, "Øyer", D("21860"))
    project = make_project(actor=ks_user, title="Digital barnevernsmelding", granted=D("2000000"))
    CostYear.objects.create(proposal=project.proposal, year=2019, development=D("2500000"))
    disbursement_record(
        project=project, amount=D("500000"), paid_on=datetime.date(2019, 5, 2), actor=ks_user
    )
    return {
        "member": lillehammer,
        "invoice": invoice_a,
        "invoice_b": invoice_b,
        "payment": payment_a,
        "project": project,
        "actor": ks_user,
    }


def _command_fails():
    with pytest.raises(CommandError):
        call_command("reconcile", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ReconciliationRun.objects.latest("started_at").ok is False


def test_a_consistent_fund_passes_every_check_and_the_command_exits_zero(world):
    for check in reconciliation.CHECKS:
        assert check.run() == [], check.name
    call_command("reconcile", stdout=open("/dev/null", "w"))  # noqa: SIM115
    run = ReconciliationRun.objects.get()
    assert run.ok is True and run.trigger == "command"
    assert [r["name"] for r in run.results] == [c.name for c in reconciliation.CHECKS]


def test_a_payment_without_its_ledger_entry_is_named(world):
    invoice = world["invoice_b"]
    (pid,) = _sql(
        "INSERT INTO invoicing_payment (invoice_id, amount, paid_on, kid, reference, payer, "
        "source, resolved, note, recorded_at) VALUES (%s, 100, '2018-03-01', %s, '', '', "
        "'manual', true, '', now()) RETURNING id",
        [invoice.pk, invoice.kid],
    )[0]
    rows = reconciliation.check_payments()
    assert any(f"Innbetaling #{pid}" in r and invoice.number in r for r in rows), rows
    assert any(invoice.buyer_name in r for r in reconciliation.check_participations())
    _command_fails()


def test_a_partial_payment_without_its_ledger_entry_is_named(world, ks_user):
    member = MemberFactory(name="Gausdal", valid_from=datetime.date(2017, 1, 1))
    participation = ParticipationFactory(member=member)
    participation_confirm(
        participation=participation,
        decided_on=datetime.date(2017, 10, 1),
        decision_reference="PS 2/17",
        fakturareferanse="GAUSDAL",
        contact_name="Stab",
        contact_email="post@example.no",
        actor=ks_user,
    )
    invoice = share_invoice_issue(
        participation=participation,
        issued_on=datetime.date(2018, 1, 20),
        actor=ks_user,
        deliver=False,
        amount=D("30000"),
    )
    (pid,) = _sql(
        "INSERT INTO invoicing_payment (invoice_id, amount, paid_on, kid, reference, payer, "
        "source, resolved, note, recorded_at) VALUES (%s, 10000, '2018-03-01', %s, '', '', "
        "'manual', true, '', now()) RETURNING id",
        [invoice.pk, invoice.kid],
    )[0]
    rows = reconciliation.check_payments()
    assert any(f"Innbetaling #{pid}" in r and invoice.number in r for r in rows), rows
    _command_fails()


def test_a_share_entry_without_a_payment_is_named(world):
    member = world["member"]
    (eid,) = _sql(
        "INSERT INTO fund_ledgerentry (kind, source, amount, occurred_on, description, "
        "member_id, recorded_at) VALUES ('member_share', 'members', 1000, '2018-04-01', "
        "'hand booked', %s, now()) RETURNING id",
        [member.pk],
    )[0]
    assert any(f"Postering #{eid}" in r for r in reconciliation.check_payments())
    assert any(member.name in r for r in reconciliation.check_participations())
    _command_fails()


def test_a_hand_edited_ledger_amount_is_named_with_its_payment(world):
    payment = world["payment"]
    entry = LedgerEntry.objects.get(idempotency_key=f"invoicing-payment:{payment.pk}")
    overview_selectors.fund_overview()  # the overview has cached its figures
    _hand_edit("UPDATE fund_ledgerentry SET amount = amount - 100 WHERE id = %s", [entry.pk])
    rows = reconciliation.check_payments()
    assert any(f"Innbetaling #{payment.pk}" in r and f"#{entry.pk}" in r for r in rows), rows
    assert any("hurtigbuffer" in r for r in reconciliation.check_fund_balance())
    assert any("Fondsoversikten" in r for r in reconciliation.check_figures_shown())
    _command_fails()


def test_a_ledger_entry_with_the_wrong_sign_is_named(world):
    (eid,) = _sql(
        "INSERT INTO fund_ledgerentry (kind, source, amount, occurred_on, description, "
        "recorded_at) VALUES ('ks_capital', 'ks', -500, '2019-01-01', 'wrong sign', now()) "
        "RETURNING id"
    )[0]
    assert any(f"Postering #{eid}" in r for r in reconciliation.check_fund_balance())
    _command_fails()


def test_capital_paid_above_the_commitment_is_named(world):
    _sql(
        "INSERT INTO fund_ledgerentry (kind, source, amount, occurred_on, description, "
        "recorded_at) VALUES ('state_grant', 'kmd', 1000000, '2019-01-01', 'extra', now())"
    )
    rows = reconciliation.check_commitments()
    assert any("KMD" in r and "26 000 000,00" in r.replace("\xa0", " ") for r in rows), rows
    _command_fails()


def test_a_disbursement_above_the_grant_and_a_grant_above_the_application_are_named(world):
    project = world["project"]
    _sql(
        "INSERT INTO fund_ledgerentry (kind, source, amount, occurred_on, description, "
        "project_ref, subject_type_id, subject_id, recorded_at) VALUES ('disbursement', "
        "'projects', -1600000, '2019-06-01', 'too much', %s, "
        "(SELECT id FROM django_content_type WHERE app_label='projects' AND model='project'), "
        "%s, now())",
        [project.pk, project.pk],
    )
    _sql("UPDATE projects_costyear SET development = 1000 WHERE proposal_id = %s",
         [project.proposal_id])  # fmt: skip
    rows = reconciliation.check_projects()
    assert any(project.title in r and "mer enn innvilget" in r for r in rows), rows
    assert any(project.title in r and "mer enn søkt" in r for r in rows), rows
    _command_fails()


def test_a_disbursement_booked_on_one_project_but_attributed_to_another_is_named(world):
    project = world["project"]
    _hand_edit(
        "UPDATE fund_ledgerentry SET project_ref = NULL WHERE kind = 'disbursement' "
        "AND project_ref = %s",
        [project.pk],
    )
    rows = reconciliation.check_projects()
    assert any(project.title in r and "i fondets tall" in r for r in rows), rows
    _command_fails()


def test_a_gap_in_the_invoice_numbers_is_named(world):
    invoice = world["invoice_b"]  # the second invoice of the series: make it the fourth
    number = f"{invoice.series}{invoice.year}-00004"
    _hand_edit(
        "UPDATE invoicing_invoice SET sequence = 4, number = %s WHERE id = %s",
        [number, invoice.pk],
        table="invoicing_invoice",
    )
    rows = reconciliation.check_invoice_numbers()
    assert any(f"{invoice.series}{invoice.year}-00002" in r for r in rows), rows
    assert any(f"{invoice.series}{invoice.year}-00003" in r for r in rows), rows
    _command_fails()


def test_a_duplicate_and_an_invalid_kid_are_named(world):
    a, b = world["invoice"], world["invoice_b"]
    _hand_edit("UPDATE invoicing_invoice SET kid = %s WHERE id = %s", [a.kid, b.pk], INVOICES)
    rows = reconciliation.check_kids()
    assert any(a.kid in r and a.number in r and b.number in r for r in rows), rows
    wrong = a.kid[:-1] + str((int(a.kid[-1]) + 1) % 10)
    _hand_edit("UPDATE invoicing_invoice SET kid = %s WHERE id = %s", [wrong, a.pk], INVOICES)
    rows = reconciliation.check_kids()
    assert any(a.number in r and "kontrollsiffer" in r for r in rows), rows
    _command_fails()


def test_an_entry_and_a_payment_dated_next_year_are_named(world):
    next_year = datetime.date.today().year + 1
    (eid,) = _sql(
        "INSERT INTO fund_ledgerentry (kind, source, amount, occurred_on, description, "
        "recorded_at) VALUES ('ks_capital', 'ks', 1000, %s, 'next year', now()) RETURNING id",
        [datetime.date(next_year, 1, 15)],
    )[0]
    payment = world["payment"]
    _sql(
        "UPDATE invoicing_payment SET paid_on = %s WHERE id = %s",
        [datetime.date(next_year, 2, 1), payment.pk],
    )
    rows = reconciliation.check_future_dates()
    assert any(f"Postering #{eid}" in r and f"15.01.{next_year}" in r for r in rows), rows
    assert any(f"Innbetaling #{payment.pk}" in r for r in rows), rows
    _command_fails()


def test_the_command_prints_each_check_and_the_named_rows(world, capsys):
    invoice = world["invoice"]
    _hand_edit(
        "UPDATE invoicing_invoice SET kid = '12345678901' WHERE id = %s", [invoice.pk], INVOICES
    )
    with pytest.raises(CommandError):
        call_command("reconcile")
    out = capsys.readouterr().out
    assert "OK" in out and "FEIL" in out
    assert f"Faktura {invoice.number}: KID 12345678901" in out


def test_the_nightly_task_stores_a_run(world):
    from overview.tasks import reconcile_nightly

    run = ReconciliationRun.objects.get(pk=reconcile_nightly.apply().get())
    assert run.trigger == "nightly" and run.ok is True


def test_invoices_and_payments_used_here_are_real(world):
    """Guard for the builder: the payment went through the door and the handler booked it."""
    assert Payment.objects.count() == 2
    assert Invoice.objects.filter(status=Invoice.Status.PAID).count() == 2
    assert LedgerEntry.objects.filter(kind="member_share").count() == 2
