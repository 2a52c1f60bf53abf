#!/usr/bin/env bash
# Sikkerhetskopi: the database (pg_dump -Fc) and the media directory, with a manifest to verify a
# restore by (docs/operations.md, "Sikkerhetskopi og gjenoppretting").
#   DATABASE_URL=postgres://… DIGIFIN_MEDIA_ROOT=/var/lib/digifin/media scripts/backup.sh DEST
# Writes DEST/digifin-<UTC time>/ with
#   digifin.dump        pg_dump -Fc of the database, taken in one snapshot
#   media.tar.gz        the media directory (PDFs, EHF, attachments), archived after the snapshot,
#                       so every file the dump refers to is in it
#   manifest.txt        counts, sums and checksums of the ledger, invoices, payments and invoice
#                       counters, read in the dump's own snapshot (scripts/backup-manifest.sql)
#   media.sha256        a checksum of every media file
#   SHA256SUMS          checksums of the files above
# and prints that directory. Exit status non-zero if anything failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: scripts/backup.sh DEST_DIR}
: "${DATABASE_URL:?set DATABASE_URL (postgres://user:password@host:port/database)}"
media=${DIGIFIN_MEDIA_ROOT:-$here/../var/media}
pg_bin=${DIGIFIN_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PATH="${pg_bin:+$pg_bin:}$PATH"

dir="$dest/digifin-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
mkdir -p "$media"

# One REPEATABLE READ transaction exports its snapshot: pg_dump dumps exactly that state and the
# manifest is read from it, so a write during the backup cannot make them disagree.
coproc PSQL { psql -d "$DATABASE_URL" -XqtA -v ON_ERROR_STOP=1 2>&1; }
exec {to_psql}>&"${PSQL[1]}"
from_psql=${PSQL[0]}
psql_pid=$PSQL_PID
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"$to_psql"
read -r -t 30 snapshot <&"$from_psql"
case $snapshot in
  [0-9A-F]*-*) ;;
  *) echo "backup: could not open a snapshot: $snapshot" >&2; exit 1 ;;
esac
pg_dump -Fc --no-owner --snapshot="$snapshot" -d "$DATABASE_URL" -f "$dir/digifin.dump"
sed -e '/^--/d' "$here/backup-manifest.sql" | tr '\n' ' ' | sed -e 's/;/;\n/g' >&"$to_psql"
: > "$dir/manifest.txt"
for _ in 1 2 3 4; do
  read -r -t 60 line <&"$from_psql"
  echo "$line" >> "$dir/manifest.txt"
done
echo "COMMIT;" >&"$to_psql"
if [ "$(grep -cE '^(ledger|invoices|payments|invoice_counters)\|' "$dir/manifest.txt")" -ne 4 ]; then
  echo "backup: the manifest could not be read:" >&2; cat "$dir/manifest.txt" >&2; exit 1
fi
echo '\q' >&"$to_psql"
exec {to_psql}>&-
wait "$psql_pid" 2>/dev/null || true

# Media after the snapshot: a file written since is extra, never missing.
tar -C "$media" -czf "$dir/media.tar.gz" .
(cd "$media" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) > "$dir/media.sha256"
(cd "$dir" && sha256sum digifin.dump media.tar.gz manifest.txt media.sha256 > SHA256SUMS)
echo "$dir"
