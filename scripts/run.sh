#!/usr/bin/env bash
# The run command: set up, migrate, load reference and demo data, serve on 127.0.0.1:8000.
#   scripts/run.sh       as production serves it: DEBUG off, static files collected and served
#                        by WhiteNoise, gunicorn (digifin.settings.run)  -> `make run`
#   scripts/run.sh dev   Django's debug server with auto-reload (digifin.settings.local) -> `make dev`
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
scripts/setup.sh run
py=.venv/bin/python
if [ "$mode" = dev ]; then
  export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-digifin.settings.local}
else
  export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-digifin.settings.run}
fi
$py manage.py migrate --noinput -v 0
$py manage.py load_demo
addr=${DIGIFIN_ADDR:-127.0.0.1:8000}
if [ "$mode" = dev ]; then
  exec $py manage.py runserver "$addr"
fi
# Collect only when a static file is newer than the last collection (the first run takes a
# minute: WhiteNoise compresses every file).
if [ ! -f staticfiles/staticfiles.json ] \
   || [ -n "$(find static -newer staticfiles/staticfiles.json -print -quit)" ]; then
  $py manage.py collectstatic --noinput -v 0
fi
echo "DigiFin on http://$addr/ (DEBUG off; 'make dev' for the debug server)"
exec .venv/bin/gunicorn digifin.wsgi:application --bind "$addr" --workers 1 --threads 4 \
  --access-logfile - --error-logfile -
