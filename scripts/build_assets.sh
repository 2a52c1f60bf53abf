#!/usr/bin/env bash
# Install the pinned front-end packages (package-lock.json) and copy what the app serves into
# static/vendor/ (not committed). Skips npm when node_modules is already current.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=static/vendor
mkdir -p "$dest/designsystemet" "$dest/js"
cp node_modules/@digdir/designsystemet-css/dist/src/index.css "$dest/designsystemet/designsystemet.css"
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css "$dest/designsystemet/theme.css"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/js/htmx.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/js/chart.umd.min.js"
# Its source map too: the manifest storage (WhiteNoise) follows the sourceMappingURL and
# refuses to collect a file whose map is missing.
cp node_modules/chart.js/dist/chart.umd.min.js.map "$dest/js/chart.umd.min.js.map"
cp node_modules/axe-core/axe.min.js "$dest/js/axe.min.js"
