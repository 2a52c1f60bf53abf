#!/usr/bin/env bash
# Create .venv with the pinned Python packages (uv.lock), build static assets, compile the
# translations. Idempotent: a second run only does what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
scripts/system_deps.sh "$mode"
export UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
if [ ! -x .tools/bin/uv ]; then
  python3 -m venv .tools
  .tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
# One uv at a time (parallel test runs share the .venv).
# The real interpreter path (a pyenv shim path would make uv rebuild .venv every time).
python=$(python3 -c "import sys; print(sys.executable)")
flock /tmp/digifin-uv.lock .tools/bin/uv sync --frozen --python "$python" --quiet
scripts/build_assets.sh
DJANGO_SETTINGS_MODULE=digifin.settings.local .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v 0
