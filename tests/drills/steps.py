"""The drill's steps inside Django, each a separate process the drill runs on its dedicated
PostgreSQL and Redis (DJANGO_SETTINGS_MODULE=tests.drills.settings):

    python -m tests.drills.steps seed N          N kommuner with confirmed participation
    python -m tests.drills.steps start-batch     "Fakturer alle bekreftede" (prints the job id)
    python -m tests.drills.steps camt-file PATH  a camt.054 that pays every share invoice
    python -m tests.drills.steps camt-import PATH
    python -m tests.drills.steps check N PAYMENTS   the invariants, as JSON on stdout
"""

import json
import sys
from decimal import Decimal
from pathlib import Path


def _setup():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.drills.settings")
    django.setup()


def _ks_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="drill-ks")


def seed(count: int) -> None:
    from django.contrib.auth.models import Group

    from accounts.roles import sync_role_groups
    from members.models import ContributionRate, Member
    from tests.accounts.factories import KsStaffFactory
    from tests.invoicing.factories import confirmed_participation, member_with_address
    from tests.members.factories import basis

    sync_role_groups()
    user = KsStaffFactory(username="drill-ks")
    user.groups.add(Group.objects.get(name="KS-ansatte"))
    ContributionRate.objects.get_or_create(
        kind=Member.Kind.KOMMUNE,
        valid_from="2017-01-01",
        defaults={"per_inhabitant": Decimal("20.00")},
    )
    for i in range(count):
        member = member_with_address(email=f"postmottak{i}@kommune.example.no")
        basis(member, 1000 + i)
        confirmed_participation(actor=user, member=member)


def start_batch() -> None:
    from invoicing import batch
    from invoicing.models import BatchJob

    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=_ks_user())
    print(job.pk)


TX = """<TxDtls><Refs><AcctSvcrRef>DRILL{n:06d}</AcctSvcrRef></Refs>
<AmtDtls><TxAmt><Amt Ccy="NOK">{amount}</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>
<RmtInf><Strd><CdtrRefInf><Ref>{kid}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"""


def camt_file(path: str) -> None:
    """One booked credit entry with a KID payment of every share invoice, in full."""
    from django.utils import timezone

    from invoicing.models import Invoice

    invoices = Invoice.objects.filter(kind=Invoice.Kind.MEMBER_SHARE).order_by("sequence")
    today = timezone.localdate().isoformat()
    txs = "\n".join(
        TX.format(n=n, amount=f"{i.total:.2f}", payer=i.buyer_name, kid=i.kid)
        for n, i in enumerate(invoices, start=1)
    )
    total = sum(i.total for i in invoices)
    Path(path).write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>DRILL-{today}</MsgId><CreDtTm>{today}T07:30:00</CreDtTm></GrpHdr>
<Ntfctn><Id>DRILL-1</Id><Ntry><NtryRef>1</NtryRef><Amt Ccy="NOK">{total:.2f}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{today}</Dt></BookgDt>
<AcctSvcrRef>DRILL-ENTRY-1</AcctSvcrRef><NtryDtls>
{txs}
</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
""",
        encoding="utf-8",
    )
    print(invoices.count())


def camt_import(path: str) -> None:
    from invoicing.camt054 import import_camt054

    bank_import, created = import_camt054(
        content=Path(path).read_bytes(), filename=Path(path).name, actor=_ks_user()
    )
    print(json.dumps({"import": bank_import.pk, "created": created}))


# --- the invariants -------------------------------------------------------------------------


def _reconcile() -> list[str]:
    """The money issue's reconciliation (`manage.py reconcile`, overview/reconciliation.py)
    after recovery, beside the drill's own checks below."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    try:
        call_command("reconcile", stdout=out, stderr=out)
    except (CommandError, SystemExit) as exc:
        return [f"reconcile: {exc} {out.getvalue()[-2000:]}"]
    return []


def check(count: int, payments: int) -> dict:
    from django.conf import settings
    from django.db.models import Count, Max, Sum

    from fund.models import LedgerEntry
    from fund.selectors import ledger_net
    from invoicing.models import (
        BankImport,
        BatchItem,
        BatchJob,
        Invoice,
        InvoiceNumberCounter,
        OutgoingEmail,
        Payment,
    )
    from members.models import Participation, ParticipationEvent

    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: {got!r}, expected {want!r}")

    shares = Invoice.objects.filter(kind=Invoice.Kind.MEMBER_SHARE)
    expect("share invoices", shares.count(), count)
    expect("members with a share invoice", shares.values("buyer").distinct().count(), count)
    doubled = shares.values("buyer").annotate(n=Count("pk")).filter(n__gt=1).count()
    expect("members with more than one share invoice", doubled, 0)
    for counter in InvoiceNumberCounter.objects.all():
        seqs = sorted(
            Invoice.objects.filter(series=counter.series, year=counter.year).values_list(
                "sequence", flat=True
            )
        )
        expect(f"numbers {counter.series}{counter.year}", seqs, list(range(1, len(seqs) + 1)))
        expect(f"counter {counter.series}{counter.year}", counter.last_number, len(seqs))
    media = Path(settings.MEDIA_ROOT)
    missing = [
        i.number
        for i in shares
        if not (i.pdf and i.ehf_xml and (media / i.pdf.name).is_file())
        or not (media / i.ehf_xml.name).is_file()
    ]
    expect("invoices without PDF/EHF on disk", missing, [])

    jobs = BatchJob.objects.all()
    expect("batch jobs", jobs.count(), 1)
    expect("unfinished batch jobs", jobs.filter(finished_at__isnull=True).count(), 0)
    expect(
        "batch items not done",
        list(BatchItem.objects.exclude(status="done").values_list("status", "error")),
        [],
    )
    expect("participations not paid", Participation.objects.exclude(status="paid").count(), 0)
    for status in ("invoiced", "paid"):
        expect(
            f"participation events to {status}",
            ParticipationEvent.objects.filter(to_status=status).count(),
            count,
        )
    emails = OutgoingEmail.objects.filter(invoice__in=shares)
    expect("e-mails per invoice > 1", emails.values("invoice").distinct().count(), emails.count())
    sent = emails.filter(status="sent").count()
    stuck = emails.filter(status="sending").count()
    expect("e-mails sent or held for a human", sent + stuck, count)
    mail_files = list(Path(settings.EMAIL_FILE_PATH).iterdir())
    subjects = [
        line
        for f in mail_files
        for line in f.read_text(errors="replace").splitlines()
        if line.startswith("To:")
    ]
    expect("e-mail messages sent twice", len(subjects) - len(set(subjects)), 0)

    camt = Payment.objects.filter(source=Payment.Source.CAMT054)
    expect("bank imports", BankImport.objects.count(), 1)
    expect("camt payments", camt.count(), payments)
    expect("distinct bank references", camt.values("external_ref").distinct().count(), payments)
    expect("unresolved payments", camt.filter(resolved=False).count(), 0)
    paid_sum = camt.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    invoiced_sum = shares.aggregate(s=Sum("total"))["s"] or Decimal(0)
    expect("paid = invoiced", paid_sum, invoiced_sum)
    expect("invoices paid", shares.filter(status=Invoice.Status.PAID).count(), count)

    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.MEMBER_SHARE)
    expect("share ledger entries", entries.count(), payments)
    keys = entries.values("idempotency_key").annotate(n=Count("pk")).aggregate(m=Max("n"))["m"]
    expect("ledger entries per payment", keys, 1 if payments else None)
    expected_keys = {f"invoicing-payment:{pk}" for pk in camt.values_list("pk", flat=True)}
    expect(
        "ledger entries ↔ payments",
        set(entries.values_list("idempotency_key", flat=True)),
        expected_keys,
    )
    expect("ledger share sum = payments", ledger_net(kinds=LedgerEntry.Kind.MEMBER_SHARE), paid_sum)
    everything = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    expect("ledger net = sum of entries", ledger_net(kinds=None), everything)
    expect(
        "ledger entries with amount 0",
        LedgerEntry.objects.filter(amount=0).count(),
        0,
    )
    problems += _reconcile()
    return {
        "ok": not problems,
        "problems": problems,
        "invoices": shares.count(),
        "payments": camt.count(),
        "ledger_entries": LedgerEntry.objects.count(),
        "ledger_sum": str(everything),
        "emails_sent": sent,
        "emails_held": stuck,
    }


def main(argv: list[str]) -> int:
    _setup()
    step, *args = argv
    if step == "seed":
        seed(int(args[0]))
    elif step == "start-batch":
        start_batch()
    elif step == "camt-file":
        camt_file(args[0])
    elif step == "camt-import":
        camt_import(args[0])
    elif step == "check":
        print(json.dumps(check(int(args[0]), int(args[1]))))
    else:
        raise SystemExit(f"unknown step {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
