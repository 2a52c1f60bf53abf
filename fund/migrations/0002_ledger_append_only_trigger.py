"""On PostgreSQL the database itself refuses UPDATE and DELETE on ledger rows, so that not even
raw SQL or a bug elsewhere can patch the fund's history. (SQLite, the embedded default, relies on
the model and queryset guards.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION fund_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'fund_ledgerentry is append-only: record a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER fund_ledgerentry_append_only
  BEFORE UPDATE OR DELETE ON fund_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS fund_ledgerentry_append_only ON fund_ledgerentry;
DROP FUNCTION IF EXISTS fund_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
