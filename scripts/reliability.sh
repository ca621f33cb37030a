#!/usr/bin/env bash
# Reliability runs of the durable event path (issue #4), against real gateway processes, Redis and Postgres:
#   scripts/reliability.sh kill      SIGKILL a gateway 10 times at random under mixed load, restarting it each time
#   scripts/reliability.sh postgres  stop Postgres for 60 s under load, then start it
# Then: every answered request has exactly one event, no event id twice, no hold left open, balance = credits − Σ costs,
# reconciliation drift zero. Exits non-zero when any check fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/services.sh
dotnet build gateway.sln -c Release -nologo -v q >/dev/null
exec dotnet bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll reliability "${1:-kill}"
