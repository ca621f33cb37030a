#!/usr/bin/env bash
# The long fuzz run: N generated inputs per target (default 1,000,000) against the request-body checks and every
# usage parser, seeded from the provider fixtures. Prints per target: inputs, time, inputs/s, crashes, hangs over
# 1 s and the slowest input; saves each finding under fuzz-findings/ (regenerate one alone: same --seed, --target).
# Needs only the .NET SDK (no Redis, no Postgres). The suite runs a short pass of the same targets (FuzzTests).
#   scripts/fuzz.sh [inputs per target] [--seed N] [--target name] [--findings dir] [--verbose]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Gateway.Fuzz -c Release --nologo -v quiet >/dev/null
args=("$@")
if [[ ${#args[@]} -eq 0 || "${args[0]}" == --* ]]; then
  args=(1000000 "${args[@]}")
fi
exec dotnet bench/Gateway.Fuzz/bin/Release/net10.0/Gateway.Fuzz.dll "${args[@]}"
