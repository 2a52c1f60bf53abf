-- The figures a backup is verified by (scripts/backup.sh writes them, scripts/restore.sh compares
-- the restored database with them): count, sum and an md5 over every row's content, per table.
SELECT 'ledger', count(*), coalesce(sum(amount), 0),
       md5(coalesce(string_agg(concat_ws('|', id, kind, source, amount, occurred_on, member_id,
           reverses_id, idempotency_key, description), E'\n' ORDER BY id), ''))
  FROM fund_ledgerentry;
SELECT 'invoices', count(*), coalesce(sum(total), 0),
       md5(coalesce(string_agg(concat_ws('|', id, number, kind, document_type, buyer_id, total,
           kid, status, issued_on, due_on, pdf, ehf_xml), E'\n' ORDER BY id), ''))
  FROM invoicing_invoice;
SELECT 'payments', count(*), coalesce(sum(amount), 0),
       md5(coalesce(string_agg(concat_ws('|', id, invoice_id, amount, paid_on, kid, external_ref,
           resolved), E'\n' ORDER BY id), ''))
  FROM invoicing_payment;
SELECT 'invoice_counters', count(*), coalesce(sum(last_number), 0),
       md5(coalesce(string_agg(concat_ws('|', series, year, last_number), E'\n'
           ORDER BY series, year), ''))
  FROM invoicing_invoicenumbercounter;
