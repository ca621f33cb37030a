#!/usr/bin/env bash
# Added latency and throughput of the gateway over calling the simulated provider directly (issue #2).
# Arms, interleaved in rounds so machine drift hits both alike:
#   direct   wrk -> simulator (its own process, zero delay)
#   gateway  wrk -> gateway (auth, capture, event, flusher to Postgres) -> the same simulator
# Latency at concurrency 1 (p50, p99); throughput at 32 connections. With 2 cores the gateway is pinned to core 0
# and the simulator and wrk to core 1 (Redis and Postgres float). Usage: bench/latency.sh [rounds] [seconds]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-5}"
source scripts/services.sh
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dotnet build Gateway/Gateway.csproj -c Release -nologo -v q >/dev/null

SIM_PORT=9100 GW_PORT=9101
DLL=Gateway/bin/Release/net10.0/Gateway.dll
KEY="sk-gw-bench$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 1 dotnet "$DLL" --simulator --urls "http://127.0.0.1:$SIM_PORT" --Logging:LogLevel:Default=Warning >/tmp/bench-sim.log 2>&1 &
pids+=($!)
ConnectionStrings__Redis="$GATEWAY_REDIS" ConnectionStrings__Postgres="$GATEWAY_POSTGRES" \
Admin__Token="bench-admin-token-0123456789" Demo__TenantId=bench Demo__Key="$KEY" \
Providers__openai__Kind=simulated Providers__openai__BaseUrl="http://127.0.0.1:$SIM_PORT/v1" \
Logging__LogLevel__Default=Warning \
  taskset -c 0 dotnet "$DLL" --urls "http://127.0.0.1:$GW_PORT" >/tmp/bench-gw.log 2>&1 &
pids+=($!)
for port in $SIM_PORT $GW_PORT; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v1/models" -H "Authorization: Bearer $KEY" >/dev/null && break; sleep 0.2; done
done

run() { # url connections seconds -> "p50 p99 rps errors"
  BENCH_KEY="$KEY" taskset -c 1 wrk -t1 -c"$2" -d"$3"s -s bench/chat.lua "$1/v1/chat/completions" \
    | sed -n 's/^RESULT p50_us=\([0-9]*\) p99_us=\([0-9]*\) rps=\([0-9.]*\) errors=\([0-9]*\)$/\1 \2 \3 \4/p'
}

echo "warming up"; run "http://127.0.0.1:$SIM_PORT" 4 3 >/dev/null; run "http://127.0.0.1:$GW_PORT" 4 3 >/dev/null
declare -a d50 d99 g50 g99 drps grps
for r in $(seq 1 "$ROUNDS"); do
  read -r a b _ e1 <<<"$(run "http://127.0.0.1:$SIM_PORT" 1 "$SECONDS_PER_RUN")"; d50+=("$a"); d99+=("$b")
  read -r a b _ e2 <<<"$(run "http://127.0.0.1:$GW_PORT" 1 "$SECONDS_PER_RUN")"; g50+=("$a"); g99+=("$b")
  read -r _ _ a e3 <<<"$(run "http://127.0.0.1:$SIM_PORT" 32 "$SECONDS_PER_RUN")"; drps+=("$a")
  read -r _ _ a e4 <<<"$(run "http://127.0.0.1:$GW_PORT" 32 "$SECONDS_PER_RUN")"; grps+=("$a")
  echo "round $r: c=1 direct p50=${d50[-1]}us p99=${d99[-1]}us | gateway p50=${g50[-1]}us p99=${g99[-1]}us | c=32 rps direct=${drps[-1]} gateway=${grps[-1]} | errors $e1/$e2/$e3/$e4"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md50=$(median "${d50[@]}"); md99=$(median "${d99[@]}"); mg50=$(median "${g50[@]}"); mg99=$(median "${g99[@]}")
mdrps=$(median "${drps[@]}"); mgrps=$(median "${grps[@]}")
cat <<TXT

machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); gateway pinned to core 0, simulator and wrk to core 1
request: 1 KB chat completion, non-streamed, 16 output tokens; ${ROUNDS} rounds x ${SECONDS_PER_RUN}s per arm, medians of rounds
latency c=1   direct p50 ${md50} us  p99 ${md99} us
              gateway p50 ${mg50} us  p99 ${mg99} us
ADDED         p50 $(awk "BEGIN{printf \"%.0f\", $mg50-$md50}") us  p99 $(awk "BEGIN{printf \"%.0f\", $mg99-$md99}") us
throughput c=32 direct ${mdrps} rps, gateway ${mgrps} rps (ratio $(awk "BEGIN{printf \"%.2f\", $mgrps/$mdrps}"))
TXT
