#!/usr/bin/env bash
# The benchmark: install what is missing, start a throwaway PostgreSQL cluster and Redis on free
# ports in a temp dir (scripts/services.sh, the approach of scripts/test.sh), migrate a fresh
# database, load the reference data, then build the data set scale by scale and measure
# (bench/run.py). Everything is stopped on exit. Scales: SCALES="1 10" make bench (default
# "1 10 100"); extra arguments go to bench/run.py (e.g. --repeats 10, --no-batch).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
py=.venv/bin/python
source scripts/services.sh
trap services_stop EXIT INT TERM
services_start digifin-bench
export DIGIFIN_BENCH_DIR="$services_workdir/bench"
mkdir -p "$DIGIFIN_BENCH_DIR/media" "$DIGIFIN_BENCH_DIR/mail"
export DJANGO_SETTINGS_MODULE=bench.settings
export SCALES="${SCALES:-1 10 100}"
started=$(date +%s)
echo "== migrate and reference data"
$py manage.py migrate -v 0
$py manage.py load_reference_data
echo "== benchmark (scales: $SCALES)"
$py -m bench.run --scales "$SCALES" "$@"
echo "== done in $(( $(date +%s) - started )) s"
