#!/usr/bin/env bash
# Runs the gateway on http://127.0.0.1:8080 with everything it needs: local Redis and PostgreSQL (installed and
# started when missing), migrations, a demo tenant with a key, and the built-in simulated provider unless
# Providers__openai__BaseUrl is set. Safe to run again: the demo key and admin token are kept in .data/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/services.sh

mkdir -p .data
[ -s .data/demo-key ] || printf 'sk-gw-demo%s' "$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 28)" > .data/demo-key
[ -s .data/admin-token ] || head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40 > .data/admin-token
DEMO_KEY="$(cat .data/demo-key)"
ADMIN_TOKEN="${Admin__Token:-$(cat .data/admin-token)}"
URL="${GATEWAY_URL:-http://127.0.0.1:8080}"

export ConnectionStrings__Redis="${ConnectionStrings__Redis:-$GATEWAY_REDIS}"
export ConnectionStrings__Postgres="${ConnectionStrings__Postgres:-$GATEWAY_POSTGRES}"
export Admin__Token="$ADMIN_TOKEN"
export Demo__Key="$DEMO_KEY"
export Urls="$URL"
# A readable demo stream; set Simulator__ChunkDelay=00:00:00 for raw speed.
export Simulator__ChunkDelay="${Simulator__ChunkDelay:-00:00:00.020}"

banner() {
  cat <<TXT

  Gateway:      $URL   (OpenAI base URL: $URL/v1)
  Demo tenant:  demo
  Demo key:     $DEMO_KEY
  Admin token:  $ADMIN_TOKEN
  Dashboard:    $URL/dashboard/   (paste the admin token)   Metrics: $URL/metrics
  Upstream:     ${Providers__openai__BaseUrl:-the built-in simulated provider (models sim-1, sim-mini, sim-reasoner, sim-embed)}

  Try it:
    curl -s $URL/v1/chat/completions -H "Authorization: Bearer $DEMO_KEY" \\
      -H 'Content-Type: application/json' -d '{"model":"sim-1","messages":[{"role":"user","content":"Hello"}]}'
    curl -s "$URL/admin/events?tenant=demo" -H "Authorization: Bearer $ADMIN_TOKEN"
    curl -s "$URL/admin/tenants/demo/wallet" -H "Authorization: Bearer $ADMIN_TOKEN"

TXT
}

# Run again while it serves: say so and leave that gateway alone (a second one could not listen on the same address).
if curl -sf -m 2 "$URL/healthz" 2>/dev/null | grep -q '"status":"ok"'; then
  banner
  echo "[run] a gateway is already serving on $URL: nothing started (stop that one first to run a new build)" >&2
  exit 0
fi

echo "[run] building the gateway" >&2
dotnet build Gateway/Gateway.csproj -c Release -nologo -v q >&2
banner
# Tier hot methods up without the runtime's wait for a quiet moment (10x longer on one core): see docs/benchmarks.md.
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
exec dotnet Gateway/bin/Release/net10.0/Gateway.dll
