#!/usr/bin/env bash
# Install the Debian/Ubuntu packages DigiFin needs, only those that are missing.
#   scripts/system_deps.sh run   – what serving the app needs (WeasyPrint's libraries, gettext, node)
#   scripts/system_deps.sh test  – plus PostgreSQL, Redis, Chromium, poppler and docker-compose
set -euo pipefail
mode=${1:-run}
packages=(python3-venv gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
          libfontconfig1 fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "$mode" = test ]; then
  packages+=(postgresql redis-server chromium poppler-utils docker-compose)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
