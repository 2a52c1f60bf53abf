"""The demo fills the members from the Enhetsregisteret fixtures (no network) before the share
invoices: every demo invoice carries its buyer's postal address, in the PDF and the EHF."""

import io
import subprocess

import pytest
from django.core.management import call_command
from lxml import etree

from digifin.demo import ensure_demo_users
from invoicing.ehf import NSMAP, invoice_xml, validate_ehf
from invoicing.models import Invoice
from invoicing.pdf import invoice_pdf
from members import demo
from members.models import Maalform, Member, RegisterRefresh

pytestmark = pytest.mark.django_db


def test_demo_invoices_carry_the_buyers_address_from_the_register(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_reference_data", stdout=io.StringIO())
    ensure_demo_users()
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())  # idempotent: no second look-up
    assert RegisterRefresh.objects.count() == 2

    invoices = Invoice.objects.all()
    assert invoices.count() > 200
    assert not [i.number for i in invoices if not i.buyer_address.strip()]
    lillehammer = invoices.filter(buyer__number="0501").get()  # the 2017 predecessor of 3405
    assert lillehammer.buyer_address == "Postboks 986\n2626 LILLEHAMMER"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=invoice_pdf(lillehammer), capture_output=True, check=True
    ).stdout.decode()
    assert "Postboks 986" in text and "2626 LILLEHAMMER" in text
    xml = invoice_xml(lillehammer)
    assert validate_ehf(xml, digifin=True) == []
    zone = etree.fromstring(xml).xpath(
        "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone", namespaces=NSMAP
    )
    assert [z.text for z in zone] == ["2626"]

    current = Member.objects.filter(valid_to__isnull=True, kind=Member.Kind.KOMMUNE)
    assert current.get(number="4601").effective_maalform == Maalform.NOYTRAL  # KS's setting
    assert current.get(number="4621").effective_maalform == Maalform.NYNORSK  # Voss, register
    assert current.get(number="3405").effective_maalform == Maalform.BOKMAL

    pending = RegisterRefresh.objects.get(status=RegisterRefresh.Status.READY)
    assert [c["name"] for c in pending.changes] == ["3407 Gjøvik"]
    assert [f["name"] for f in pending.failures] == ["4621 Voss"]
