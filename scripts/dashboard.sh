#!/usr/bin/env bash
# Builds the usage dashboard's bundle (Gateway/Dashboard/web/src → Gateway/Dashboard/wwwroot/app.js, Chart.js included; no CDN)
# and installs what its browser test needs (playwright-core; the browser is Debian's chromium, see browser.sh).
# The built bundle is committed, so building the gateway needs no npm; this rebuilds it from the locked sources.
# Safe to run again: npm ci from package-lock.json, no download of any browser.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/Gateway/Dashboard/web"
if ! command -v npm >/dev/null 2>&1; then
  echo "[dashboard] npm is not installed: keeping the committed bundle" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >&2
npm run --silent build >&2
echo "[dashboard] built Gateway/Dashboard/wwwroot/app.js" >&2
