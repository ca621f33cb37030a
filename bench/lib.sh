# Shared plumbing of the benchmark scripts: services, build, the simulator as its own process, gateways, wrk runs.
# Sourced; expects ROOT. Gateways are pinned to core 0, the simulator and wrk to core 1.
set -euo pipefail
cd "$ROOT"
source scripts/services.sh
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dotnet build Gateway/Gateway.csproj -c Release -nologo -v q >/dev/null

DLL=Gateway/bin/Release/net10.0/Gateway.dll
# BENCH_BUILD=aot runs this gateway's arms (bare and fully on) as the Native AOT binary of scripts/publish-aot.sh;
# jit (the default) as dotnet Gateway.dll. The simulator is always the JIT build, so the upstream stays the same.
BENCH_BUILD="${BENCH_BUILD:-jit}"
case "$BENCH_BUILD" in
  jit) GW_CMD=(dotnet "$DLL") ;;
  aot) GW_CMD=("$(bash scripts/publish-aot.sh)") ;;
  *) echo "BENCH_BUILD must be jit or aot (is $BENCH_BUILD)" >&2; exit 1 ;;
esac
SIM_PORT="${BENCH_SIM_PORT:-9100}"
ADMIN_TOKEN="bench-admin-token-0123456789"
KEY="sk-gw-bench$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
BENCH_PIDS=()
# The runtime tiers a method up only after a quiet spell with no new JIT work, ten times longer on one core; a pinned
# gateway then runs unoptimised code for seconds to minutes under load. Same setting as run.sh and the Dockerfile.
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
service_pids() { # this bench's own Redis and PostgreSQL (postmaster and its children), not every server on the machine
  local port pid
  for port in "${GATEWAY_REDIS##*:}" "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$GATEWAY_POSTGRES")"; do
    for pid in $(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do echo "$pid"; pgrep -P "$pid" || true; done
  done
}
pin_services() { # to the given cores (new Postgres backends inherit the postmaster's)
  for pid in $(service_pids); do taskset -acp "$1" "$pid" >/dev/null 2>&1 || true; done
}
bench_cleanup() {
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done # only ours: a caller's tee stays
  pin_services "0-$(( $(nproc) - 1 ))"
}
trap bench_cleanup EXIT
pin_services 1

wait_up() { for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 || curl -sf "http://127.0.0.1:$1/v1/models" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "port $1 did not come up" >&2; return 1; }

start_simulator() {
  # Answers up to a million tokens (the long-answer streams ask for 100,000); the rest ask for a few.
  taskset -c 1 dotnet "$DLL" --simulator --urls "http://127.0.0.1:$SIM_PORT" --Logging:LogLevel:Default=Warning \
    --Simulator:MaxTokens=1000000 >/tmp/bench-sim.log 2>&1 &
  BENCH_PIDS+=($!)
  wait_up "$SIM_PORT"
}

# The bench's one tenant opens BENCH_STREAMS streams at once: above the default per-tenant cap (1000, issue #8).
start_gateway() { # port, then extra VAR=value settings
  local port="$1"; shift
  env ConnectionStrings__Redis="$GATEWAY_REDIS" ConnectionStrings__Postgres="$GATEWAY_POSTGRES" \
    Admin__Token="$ADMIN_TOKEN" Demo__TenantId=bench Demo__Key="$KEY" \
    Providers__openai__Kind=simulated Providers__openai__BaseUrl="http://127.0.0.1:$SIM_PORT/v1" \
    Logging__LogLevel__Default=Warning Proxy__MaxConcurrentStreamsPerTenant="${BENCH_STREAM_CAP:-100000}" "$@" \
    taskset -c 0 "${GW_CMD[@]}" --urls "http://127.0.0.1:$port" >"/tmp/bench-gw-$port.log" 2>&1 &
  BENCH_PIDS+=($!)
  wait_up "$port"
}

top_up() { # port: a large credit so no arm runs dry
  curl -sf "http://127.0.0.1:$1/admin/tenants/bench/credits" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "{\"amount\":1000000,\"idempotency_key\":\"bench-$(date +%s%N)\"}" >/dev/null
}

run_wrk() { # url connections seconds -> "p50_us p99_us rps requests errors"
  BENCH_KEY="$KEY" taskset -c 1 wrk -t1 -c"$2" -d"$3"s -s bench/chat.lua "$1/v1/chat/completions" \
    | sed -n 's/^RESULT p50_us=\([0-9]*\) p99_us=\([0-9]*\) rps=\([0-9.]*\) requests=\([0-9]*\) errors=\([0-9]*\)$/\1 \2 \3 \4 \5/p'
}

warm_up() { # url... : BENCH_WARMUP seconds of load each (20: a pinned .NET process compiles for ~25 s under load)
  local url; for url in "$@"; do run_wrk "$url" 4 "${BENCH_WARMUP:-20}" >/dev/null; done
}

rss_kb() { local t=0 p v; for p in "$@"; do v=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || true); t=$(( t + ${v:-0} )); done; echo "$t"; }
cpu_ticks() { local t=0 p v; for p in "$@"; do v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || true); t=$(( t + ${v:-0} )); done; echo "$t"; }
peak_rss() { # file pids...: the highest total VmRSS seen (kB), sampled every 100 ms until killed
  local out="$1" peak=0 now; shift
  while true; do now=$(rss_kb "$@"); if [ "$now" -gt "$peak" ]; then peak=$now; echo "$peak" >"$out"; fi; sleep 0.1; done
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { printf '%s\n' $1 | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s-%s", lo, hi}'; } # "v1 v2 ..." -> min-max

redis_calls() { # total calls of all commands, and of script commands (EVAL/EVALSHA)
  redis-cli -h 127.0.0.1 -p "${GATEWAY_REDIS##*:}" info commandstats \
    | awk -F'[:=,]' '/^cmdstat_/ { total += $3; if ($1 ~ /cmdstat_eval/) scripts += $3 } END { print total+0, scripts+0 }'
}

machine_line() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); gateways pinned to core 0; simulator, wrk, Redis and Postgres to core 1"
}

redis_roundtrips() { # url seconds -> "requests client_commands script_calls": MONITOR tags script-internal calls "lua"
  local log; log="$(mktemp)"
  timeout "$(( $2 + 2 ))" redis-cli -h 127.0.0.1 -p "${GATEWAY_REDIS##*:}" monitor >"$log" 2>/dev/null &
  local mon=$!
  sleep 0.5
  local reqs; read -r _ _ _ reqs _ <<<"$(run_wrk "$1" 1 "$2")"
  sleep 0.3; kill "$mon" 2>/dev/null || true; wait "$mon" 2>/dev/null || true
  awk -v r="$reqs" '/^[0-9]/ && !/\[[0-9]+ lua\]/ { n++; if (tolower($0) ~ /"evalsha"|"eval"/) s++ } END { printf "%d %d %d\n", r, n, s }' "$log"
  rm -f "$log"
}
