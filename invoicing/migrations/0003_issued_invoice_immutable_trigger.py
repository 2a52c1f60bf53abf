"""On PostgreSQL the database itself refuses to change an issued invoice's money or identity,
or to delete an invoice or its lines, so that not even raw SQL or a bug elsewhere can alter
what a member was billed (a correction is a credit note). Only the columns the code changes
after issue may change: the status and paid date (payments, credit notes), the generated
files and the e-mail time (`Invoice.MUTABLE_FIELDS`). Every other column, including any added
later, is frozen. (SQLite, the embedded default, relies on `Invoice.save`/`delete`.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION invoicing_invoice_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'invoicing_invoice % is issued and cannot be deleted: issue a credit note',
      OLD.number;
  END IF;
  IF (to_jsonb(NEW) - ARRAY['status', 'paid_on', 'pdf', 'ehf_xml', 'emailed_at'])
     IS DISTINCT FROM
     (to_jsonb(OLD) - ARRAY['status', 'paid_on', 'pdf', 'ehf_xml', 'emailed_at']) THEN
    RAISE EXCEPTION 'invoicing_invoice % is issued and immutable: issue a credit note',
      OLD.number;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoicing_invoice_immutable
  BEFORE UPDATE OR DELETE ON invoicing_invoice
  FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_immutable();

CREATE OR REPLACE FUNCTION invoicing_invoiceline_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'invoicing_invoiceline belongs to an issued invoice and is immutable: '
    'issue a credit note';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoicing_invoiceline_immutable
  BEFORE UPDATE OR DELETE ON invoicing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION invoicing_invoiceline_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS invoicing_invoiceline_immutable ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_invoiceline_immutable();
DROP TRIGGER IF EXISTS invoicing_invoice_immutable ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_invoice_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: RAISE uses %


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0002_historicalinvoice_historicalpayment")]
    operations = [migrations.RunPython(forwards, backwards)]
