# Throwaway PostgreSQL cluster and Redis server in a temp dir on free ports (sourced, not run).
# The same approach as scripts/test.sh, as functions that other scripts can share:
#   source scripts/services.sh
#   services_start            # exports DATABASE_URL, CELERY_BROKER_URL, CELERY_RESULT_BACKEND, ...
#   trap services_stop EXIT INT TERM
#   services_createdb NAME    # another empty database owned by the digifin role
# Needs $py (the project's Python) for picking free ports.

services_workdir=""
services_redis_pidfile=""
services_pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

run_pg() {
  local cmd=$1; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$services_pg_bin/$cmd" "$@"; else "$services_pg_bin/$cmd" "$@"; fi
}

free_port() { "${py:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

services_stop() {
  set +e
  if [ -n "$services_redis_pidfile" ] && [ -f "$services_redis_pidfile" ]; then
    kill "$(cat "$services_redis_pidfile")" 2>/dev/null
  fi
  if [ -n "$services_workdir" ] && [ -d "$services_workdir/pg" ]; then
    run_pg pg_ctl -D "$services_workdir/pg" -m immediate stop >/dev/null 2>&1
  fi
  if [ -n "$services_workdir" ]; then rm -rf "$services_workdir"; fi
}

services_createdb() {
  psql -U postgres -h 127.0.0.1 -p "$DIGIFIN_PG_PORT" -qc "CREATE DATABASE $1 OWNER digifin"
}

services_start() {
  local prefix=${1:-digifin-services}
  services_workdir=$(mktemp -d "/tmp/$prefix.XXXXXX")
  chown postgres "$services_workdir" 2>/dev/null || true
  chmod 755 "$services_workdir"
  services_redis_pidfile="$services_workdir/redis.pid"

  # --- PostgreSQL ---
  local pg_port
  pg_port=$(free_port)
  run_pg initdb -D "$services_workdir/pg" -A trust -E UTF8 --locale=C.UTF-8 --no-sync -U postgres >/dev/null
  run_pg pg_ctl -D "$services_workdir/pg" -l "$services_workdir/pg.log" -w -o \
    "-p $pg_port -k $services_workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  export PGHOST=127.0.0.1 PGPORT=$pg_port
  psql -U postgres -h 127.0.0.1 -p "$pg_port" -qc "CREATE ROLE digifin LOGIN CREATEDB SUPERUSER PASSWORD 'digifin'"
  psql -U postgres -h 127.0.0.1 -p "$pg_port" -qc "CREATE DATABASE digifin OWNER digifin"
  export DATABASE_URL="postgres://digifin:digifin@127.0.0.1:$pg_port/digifin"
  export DIGIFIN_PG_BIN="$services_pg_bin" DIGIFIN_PG_DATA="$services_workdir/pg" DIGIFIN_PG_PORT="$pg_port" \
    DIGIFIN_TEST_WORKDIR="$services_workdir"

  # --- Redis ---
  local redis_port
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --pidfile "$services_redis_pidfile" \
    --save '' --appendonly no --dir "$services_workdir" --logfile "$services_workdir/redis.log"
  export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0"
  export CELERY_RESULT_BACKEND="redis://127.0.0.1:$redis_port/1"
  export DIGIFIN_REDIS_PORT="$redis_port"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "PostgreSQL on port $pg_port, Redis on port $redis_port (in $services_workdir)"
}
