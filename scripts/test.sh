#!/usr/bin/env bash
# Runs the whole test suite against real local Redis and PostgreSQL (installed and started when missing, as for
# run.sh). Safe to run again. .ci/run calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Fresh test data each run (the test database and Redis databases 1-15; run.sh's data stays): tests that list every
# tenant would otherwise see the leftovers of all earlier runs on a long-lived machine.
GATEWAY_REDIS_CLUSTER_NEEDED=1 GATEWAY_FRESH_TEST_DATA=1 source scripts/services.sh
bash scripts/browser.sh    # Debian's chromium, for the dashboard's browser test
bash scripts/dashboard.sh  # the dashboard bundle and playwright-core (npm ci)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The Native AOT binary the NativeAot tests run, published before the suite so that its native link (both cores for
# a minute) does not run beside timing-sensitive tests.
GATEWAY_AOT_BINARY="$(bash scripts/publish-aot.sh)"
export GATEWAY_AOT_BINARY
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test gateway.sln -c Release --blame-hang-timeout 5m --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line, summed over test assemblies (the summary block of `dotnet test`).
awk '/^Total tests:/ { in_summary = 1; next }
     in_summary && $1 == "Passed:" { p += $2 } in_summary && $1 == "Failed:" { f += $2 } in_summary && $1 == "Skipped:" { s += $2 }
     in_summary && /Total time:/ { in_summary = 0 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
