#!/usr/bin/env bash
# Gjenoppretting: restore a backup of scripts/backup.sh into a fresh database and a fresh media
# directory, then verify it (docs/operations.md, "Sikkerhetskopi og gjenoppretting").
#   scripts/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_DIR
# The target database is created if it does not exist and must be empty if it does; the media
# directory must be new or empty. Nothing existing is overwritten. Verified: the backup's own
# checksums, the ledger, invoices, payments and invoice counters (count, sum and a checksum of
# every row, against the manifest), every media file's checksum, and that every invoice's PDF and
# EHF file named in the database is in the media directory. Exit status 0 only if all match.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
backup=${1:?usage: scripts/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_DIR}
target=${2:?usage: scripts/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_DIR}
media=${3:?usage: scripts/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_DIR}
pg_bin=${DIGIFIN_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PATH="${pg_bin:+$pg_bin:}$PATH"
fail() { echo "restore: $*" >&2; exit 1; }

echo "== Kontrollsummer for sikkerhetskopien"
(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || fail "the backup's files do not match SHA256SUMS"

echo "== Database"
dbname=${target##*/}
dbname=${dbname%%\?*}
case $dbname in
  ''|*[!A-Za-z0-9_]*) fail "the target database name must be letters, digits and _: '$dbname'" ;;
esac
maintenance="${target%/*}/postgres"
exists=$(psql -d "$maintenance" -XtAc "SELECT count(*) FROM pg_database WHERE datname = '$dbname'")
if [ "$exists" = 0 ]; then
  psql -d "$maintenance" -XqAc "CREATE DATABASE \"$dbname\""
else
  tables=$(psql -d "$target" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  [ "$tables" = 0 ] || fail "the database $dbname is not empty ($tables tables): restore into a fresh one"
fi
pg_restore --no-owner --exit-on-error --single-transaction -d "$target" "$backup/digifin.dump"

echo "== Media"
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  fail "the media directory $media is not empty: restore into a fresh one"
fi
mkdir -p "$media"
tar -C "$media" -xzf "$backup/media.tar.gz"

echo "== Kontroll"
restored=$(sed -e '/^--/d' "$here/backup-manifest.sql" | psql -d "$target" -XqtA -v ON_ERROR_STOP=1)
if ! diff <(cat "$backup/manifest.txt") <(echo "$restored"); then
  fail "the restored database differs from the manifest (above: < backup, > restored)"
fi
(cd "$media" && sha256sum --quiet -c "$(cd "$backup" && pwd)/media.sha256") \
  || fail "media files differ from the backup"
missing=0
while IFS= read -r name; do
  [ -z "$name" ] && continue
  if [ ! -f "$media/$name" ]; then echo "mangler: $name" >&2; missing=$((missing + 1)); fi
done < <(psql -d "$target" -XtAc \
  "SELECT pdf FROM invoicing_invoice WHERE pdf <> '' UNION ALL SELECT ehf_xml FROM invoicing_invoice WHERE ehf_xml <> ''")
[ "$missing" = 0 ] || fail "$missing invoice files named in the database are missing from the media"
while IFS='|' read -r what count total _; do
  echo "  $what: $count rader, sum $total: som i sikkerhetskopien"
done < "$backup/manifest.txt"
echo "Gjenoppretting verifisert: $dbname, media i $media"
