#!/usr/bin/env bash
# The run command: set up, migrate, load reference and demo data, serve on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-digifin.settings.local}
py=.venv/bin/python
$py manage.py migrate --noinput -v 0
$py manage.py load_demo
exec $py manage.py runserver "${DIGIFIN_ADDR:-127.0.0.1:8000}"
