#!/usr/bin/env bash
# The test command: install what is missing, start a throwaway PostgreSQL cluster and a Redis
# server in a temp dir on free ports, run lint, checks and the whole pytest suite against them,
# and stop them again, also when something fails. Exit 0 only if everything passed.
#   Extra arguments go to pytest (e.g. scripts/test.sh -k ledger).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
py=.venv/bin/python

workdir=$(mktemp -d /tmp/digifin-test.XXXXXX)
chown postgres "$workdir" 2>/dev/null || true
chmod 755 "$workdir"
pg_pid=""
redis_pidfile="$workdir/redis.pid"
cleanup() {
  set +e
  if [ -f "$redis_pidfile" ]; then kill "$(cat "$redis_pidfile")" 2>/dev/null; fi
  if [ -d "$workdir/pg" ]; then run_pg pg_ctl -D "$workdir/pg" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
run_pg() {
  local cmd=$1; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pg_bin/$cmd" "$@"; else "$pg_bin/$cmd" "$@"; fi
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_port=$(free_port)
run_pg initdb -D "$workdir/pg" -A trust -E UTF8 --locale=C.UTF-8 --no-sync -U postgres >/dev/null
run_pg pg_ctl -D "$workdir/pg" -l "$workdir/pg.log" -w -o \
  "-p $pg_port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$pg_port
psql -U postgres -h 127.0.0.1 -p "$pg_port" -qc "CREATE ROLE digifin LOGIN CREATEDB SUPERUSER PASSWORD 'digifin'"
psql -U postgres -h 127.0.0.1 -p "$pg_port" -qc "CREATE DATABASE digifin OWNER digifin"
export DATABASE_URL="postgres://digifin:digifin@127.0.0.1:$pg_port/digifin"
export DIGIFIN_PG_BIN="$pg_bin" DIGIFIN_PG_DATA="$workdir/pg" DIGIFIN_PG_PORT="$pg_port" DIGIFIN_TEST_WORKDIR="$workdir"

# --- Redis --------------------------------------------------------------------------------
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --pidfile "$redis_pidfile" \
  --save '' --appendonly no --dir "$workdir" --logfile "$workdir/redis.log"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0"
export CELERY_RESULT_BACKEND="redis://127.0.0.1:$redis_port/1"
export DIGIFIN_REDIS_PORT="$redis_port"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "PostgreSQL on port $pg_port, Redis on port $redis_port (in $workdir)"

# --- Static checks (DIGIFIN_SKIP_STATIC=1 skips them while iterating on one part) ------------
if [ -z "${DIGIFIN_SKIP_STATIC:-}" ]; then
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== bandit (static security scan; exceptions justified in pyproject.toml)"
.venv/bin/bandit -c pyproject.toml -r . -q
echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=digifin.settings.test $py manage.py makemigrations --check --dry-run
echo "== check --deploy (production settings)"
DJANGO_SETTINGS_MODULE=digifin.settings.production DJANGO_SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  DJANGO_ALLOWED_HOSTS=digifin.example.no $py manage.py check --deploy --fail-level WARNING
echo "== docker-compose config"
DJANGO_SECRET_KEY=compose-check docker-compose -f docker-compose.yml config -q
fi

# --- The suite ----------------------------------------------------------------------------
echo "== pytest"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
$py -m pytest "$@"
