#!/usr/bin/env bash
# The test command: install what is missing, start a throwaway PostgreSQL cluster and a Redis
# server in a temp dir on free ports, run lint, checks and the whole pytest suite against them,
# and stop them again, also when something fails. Exit 0 only if everything passed.
#   Extra arguments go to pytest (e.g. scripts/test.sh -k ledger).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
py=.venv/bin/python

# Throwaway PostgreSQL + Redis (scripts/services.sh, shared with scripts/bench.sh), stopped on
# exit also when something fails.
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap services_stop EXIT INT TERM
services_start digifin-test

# --- Static checks (DIGIFIN_SKIP_STATIC=1 skips them while iterating on one part) ------------
if [ -z "${DIGIFIN_SKIP_STATIC:-}" ]; then
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== lint-imports (the layers contract in pyproject.toml: imports only run downward)"
.venv/bin/lint-imports --no-cache
echo "== bandit (static security scan; exceptions justified in pyproject.toml)"
.venv/bin/bandit -c pyproject.toml -r . -q
echo "== pip-audit (dependency audit; accepted IDs with reasons in .pip-audit-ignore)"
$py scripts/dependency_audit.py
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
