#!/usr/bin/env bash
# The gateway side by side with its peers: what each adds to every call, on one machine, in one run.
# Arms, all on loopback in front of the same simulated provider (its own process, zero delay):
#   direct   wrk -> simulator
#   nginx    a plain reverse proxy (Debian nginx-light; generated config, keepalive upstream, proxy_buffering off)
#   bare     this gateway with Metering:Enabled=false and Admission:Enabled=false: key check + YARP, nothing else
#   gateway  this gateway fully on: Redis admission, capture, settle + event stream, flusher to Postgres
#   portkey  the Portkey OSS gateway (npm @portkey-ai/gateway, bench/portkey) with x-portkey-custom-host = simulator
# Proxies run pinned to core 0; the simulator, wrk, the stream client, Redis and Postgres to core 1. Arms are
# interleaved in rounds; the tables show medians of rounds and their spread (min-max).
# Measures: added latency at concurrency 1 (p50, p99) for a 1 KB chat request; requests per second at p99 <= 5 ms,
# twice: closed loop (wrk at each of BENCH_CONNS connections, the best rate whose p99 stays in budget) and open loop
# (bench/Gateway.Bench open: wrk2 is not packaged here; requests sent at each rate of BENCH_RATES over
# BENCH_OPEN_CONNS connections, each timed from its send or from joining the queue for a busy connection, the highest
# rate whose p99 stays in budget); streaming time to first event and gaps between events (bench/Gateway.Bench
# stream); CPU time per request of the proxy and of Redis + Postgres (/proc utime+stime over the rate runs);
# resident memory idle and peak under load; Redis commands per request; BENCH_STREAMS concurrent streams through the
# gateway with every chunk counted, and BENCH_LONG long answers ("200 100000": streams and tokens each; "0 0" skips).
# Ends with the goals of the issue, met or NOT met (never fails).
# Usage: bench/compare.sh [rounds] [seconds]   env: BENCH_CONNS ("1 4 8 16 32 64"), BENCH_STREAMS (5000),
#        BENCH_LONG ("200 100000"), BENCH_RATES ("250 500 1000 2000 3000 4000 6000 8000 12000 16000 24000 32000"), BENCH_OPEN_CONNS (64),
#        BENCH_ARMS ("direct nginx bare gateway portkey"), BENCH_WARMUP (20: seconds of load per arm before round 1),
#        BENCH_GATEWAY_ENV (extra VAR=value settings for both of this gateway's arms, bare and fully on),
#        BENCH_BUILD (jit, the default, or aot: both of this gateway's arms run as the Native AOT binary)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-3}"; SECS="${2:-3}"
read -r -a CONNS <<<"${BENCH_CONNS:-1 4 8 16 32 64}"
read -r -a RATES <<<"${BENCH_RATES:-250 500 1000 2000 3000 4000 6000 8000 12000 16000 24000 32000}"
OPEN_CONNS="${BENCH_OPEN_CONNS:-64}"
read -r -a ARMS <<<"${BENCH_ARMS:-direct nginx bare gateway portkey}"
STREAMS="${BENCH_STREAMS:-5000}"
read -r LONG_STREAMS LONG_TOKENS <<<"${BENCH_LONG:-200 100000}"
# A .NET process pinned to one core keeps compiling under load for ~25 s (tier-0 -> instrumented -> tier-1; ~5,600
# methods and 3 s of JIT time in the first 6 s, a few percent of the core until ~25 s, dotnet-counters). Rounds
# measured before that compare a compiler with a steady state, so every arm gets the same warm-up under load.
WARMUP="${BENCH_WARMUP:-20}"
BUDGET_US=5000
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dotnet build bench/Gateway.Bench -c Release -nologo -v q >/dev/null
BENCH_DLL=bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll
OUT_DIR="$ROOT/bench/results"; mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/compare-$(date -u +%Y%m%dT%H%M%SZ).md"
exec > >(tee "$OUT") 2>&1
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "compare.sh $ROUNDS rounds x ${SECS}s, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD), load average at start $LOAD_START"
echo "build of the bare and gateway arms: $( [ "$BENCH_BUILD" = aot ] && echo "Native AOT (${GW_CMD[0]#$ROOT/})" || echo "JIT (dotnet ${DLL})")"
[ -n "${BENCH_GATEWAY_ENV:-}" ] && echo "bare and gateway arms started with: $BENCH_GATEWAY_ENV"

NGINX_PORT=9110; BARE_PORT=9111; GW_PORT=9112; PK_PORT=9113
declare -A URL PIDS HEADERS SKIP
wait_http() { for _ in $(seq 1 150); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null)" != 000 ] && return 0; sleep 0.2; done; return 1; }
children() { local p; for p in "$@"; do echo "$p"; pgrep -P "$p" || true; done; }

start_simulator
URL[direct]="http://127.0.0.1:$SIM_PORT"; PIDS[direct]=""

if [[ " ${ARMS[*]} " == *" nginx "* ]]; then
  if ! command -v nginx >/dev/null; then
    apt-get update -qq && printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; rm -f /usr/sbin/policy-rc.d
  fi
  NGX="$(mktemp -d /tmp/bench-nginx.XXXXXX)"; mkdir -p "$NGX/logs"
  cat >"$NGX/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $NGX/body;
  proxy_temp_path $NGX/proxy;
  upstream simulator { server 127.0.0.1:$SIM_PORT; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://simulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
CONF
  if command -v nginx >/dev/null; then
    taskset -c 0 nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" &
    BENCH_PIDS+=($!); PIDS[nginx]=$!; URL[nginx]="http://127.0.0.1:$NGINX_PORT"
    wait_http "$NGINX_PORT" || SKIP[nginx]="nginx did not start: $(tail -n 3 "$NGX/error.log" 2>/dev/null)"
  else SKIP[nginx]="nginx is not installed and apt-get could not install nginx-light"; fi
fi

if [[ " ${ARMS[*]} " == *" bare "* ]]; then
  start_gateway "$BARE_PORT" Metering__Enabled=false Admission__Enabled=false ${BENCH_GATEWAY_ENV:-}
  PIDS[bare]="${BENCH_PIDS[-1]}"; URL[bare]="http://127.0.0.1:$BARE_PORT"; HEADERS[bare]="Authorization: Bearer $KEY"
fi
start_gateway "$GW_PORT" ${BENCH_GATEWAY_ENV:-}
PIDS[gateway]="${BENCH_PIDS[-1]}"; URL[gateway]="http://127.0.0.1:$GW_PORT"; HEADERS[gateway]="Authorization: Bearer $KEY"
top_up "$GW_PORT"

if [[ " ${ARMS[*]} " == *" portkey "* ]]; then
  PK="$ROOT/bench/portkey"
  if ! command -v npm >/dev/null; then SKIP[portkey]="node/npm not installed (apt-get install nodejs npm)"
  elif [ ! -d "$PK/node_modules/@portkey-ai/gateway" ] && ! (cd "$PK" && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    SKIP[portkey]="npm install @portkey-ai/gateway failed in bench/portkey (is the npm registry reachable?)"
  else
    NODE_ENV=production taskset -c 0 node "$PK/node_modules/@portkey-ai/gateway/build/start-server.js" --port="$PK_PORT" --headless >/tmp/bench-portkey.log 2>&1 &
    BENCH_PIDS+=($!); PIDS[portkey]=$!; URL[portkey]="http://127.0.0.1:$PK_PORT"
    HEADERS[portkey]="Authorization: Bearer sk-bench|x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$SIM_PORT/v1"
    wait_http "$PK_PORT" || SKIP[portkey]="Portkey did not start: $(tail -c 300 /tmp/bench-portkey.log)"
  fi
fi

ACTIVE=()
for arm in "${ARMS[@]}"; do
  if [ -n "${SKIP[$arm]:-}" ]; then echo "SKIPPED $arm: ${SKIP[$arm]}"; elif [ -n "${URL[$arm]:-}" ]; then ACTIVE+=("$arm"); fi
done

arm_pids() { [ -n "${PIDS[$1]}" ] && children ${PIDS[$1]}; }
wrk_arm() { BENCH_HEADERS="${HEADERS[$1]:-}" run_wrk "${URL[$1]}" "$2" "$3"; }
open_arm() { # arm rate seconds -> "p99_us achieved errors late_p99_us"
  local hdr=(); IFS='|' read -r -a hdr <<<"${HEADERS[$1]:-}"
  [[ "${HEADERS[$1]:-}" == *Authorization* ]] || hdr+=("Authorization: Bearer $KEY") # as bench/chat.lua sends it
  taskset -c 1 dotnet "$BENCH_DLL" open "${URL[$1]}/v1/chat/completions" "$2" "$3" "$OPEN_CONNS" "${hdr[@]}" 2>/dev/null \
    | sed -n 's/^RESULT .* achieved=\([0-9.]*\) .*p99_us=\([0-9]*\) .*errors=\([0-9]*\) late_p99_us=\([0-9]*\)$/\2 \1 \3 \4/p'
}
stream_arm() { # arm seconds -> "ttft_p50 ttft_p99 gap_p50 gap_p99 streams errors"
  local hdr=() h; IFS='|' read -r -a hdr <<<"${HEADERS[$1]:-}"
  taskset -c 1 dotnet "$BENCH_DLL" stream "${URL[$1]}/v1/chat/completions" 1 "$2" 2 8 "${hdr[@]}" \
    | sed -n 's/^RESULT ttft_p50_us=\([0-9]*\) ttft_p99_us=\([0-9]*\) gap_p50_us=\([0-9]*\) gap_p99_us=\([0-9]*\) streams=\([0-9]*\) gaps=[0-9]* errors=\([0-9]*\)$/\1 \2 \3 \4 \5 \6/p'
}
redis_stats() { # "total_calls script_calls" from INFO commandstats (script internals included in the total)
  redis-cli -h 127.0.0.1 -p "${GATEWAY_REDIS##*:}" info commandstats \
    | awk -F'[:=,]' '/^cmdstat_/ { t += $3; if ($1 ~ /cmdstat_eval/) s += $3 } END { print t+0, s+0 }'
}

sleep 2
declare -A IDLE_RSS
for arm in "${ACTIVE[@]}"; do
  if [ -n "${PIDS[$arm]}" ]; then IDLE_RSS[$arm]=$(( $(rss_kb $(arm_pids "$arm")) / 1024 )); else IDLE_RSS[$arm]="-"; fi
done
echo "warming up: ${WARMUP}s of load (8 connections) and 2 s of streams per arm"
for arm in "${ACTIVE[@]}"; do wrk_arm "$arm" 8 "$WARMUP" >/dev/null; stream_arm "$arm" 2 >/dev/null; done

declare -A L50 L99 RPS CPU_P CPU_S PEAK T50 T99 G50 G99 ERR RCALLS RSCRIPTS LADDER TN ORPS OLADDER
for r in $(seq 1 "$ROUNDS"); do
  for arm in "${ACTIVE[@]}"; do
    read -r a b _ _ e <<<"$(wrk_arm "$arm" 1 "$SECS")"
    L50[$arm]+="$a "; L99[$arm]+="$b "; ERR[$arm]=$(( ${ERR[$arm]:-0} + e ))

    mapfile -t pids < <(arm_pids "$arm"); mapfile -t svc < <(service_pids)
    peak_file="$(mktemp)"; echo 0 >"$peak_file"
    if [ ${#pids[@]} -gt 0 ]; then peak_rss "$peak_file" "${pids[@]}" & sampler=$!; else sampler=""; fi
    p0=$(cpu_ticks "${pids[@]}"); s0=$(cpu_ticks "${svc[@]}"); read -r rc0 rs0 <<<"$(redis_stats)"
    best=0; reqs=0; ladder=""
    for c in "${CONNS[@]}"; do
      read -r _ p99 rps n e <<<"$(wrk_arm "$arm" "$c" "$SECS")"
      p99=${p99:-999999999}; rps=${rps:-0}; n=${n:-0}; e=${e:-1}
      reqs=$(( reqs + n )); ERR[$arm]=$(( ${ERR[$arm]:-0} + e )); ladder+="c$c:${rps%.*}/${p99} "
      if [ "$p99" -le "$BUDGET_US" ] && [ "$e" -eq 0 ] && awk "BEGIN{exit !($rps > $best)}"; then best=$rps; fi
    done
    p1=$(cpu_ticks "${pids[@]}"); s1=$(cpu_ticks "${svc[@]}"); read -r rc1 rs1 <<<"$(redis_stats)"
    [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
    tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
    RPS[$arm]+="$best "; LADDER[$arm]="$ladder"
    CPU_P[$arm]+="$(awk "BEGIN{printf \"%.1f\", ($p1-$p0)*$tick_us/($reqs>0?$reqs:1)}") "
    CPU_S[$arm]+="$(awk "BEGIN{printf \"%.1f\", ($s1-$s0)*$tick_us/($reqs>0?$reqs:1)}") "
    RCALLS[$arm]+="$(awk "BEGIN{printf \"%.3f\", ($rc1-$rc0)/($reqs>0?$reqs:1)}") "
    RSCRIPTS[$arm]+="$(awk "BEGIN{printf \"%.3f\", ($rs1-$rs0)/($reqs>0?$reqs:1)}") "
    PEAK[$arm]+="$(( $(cat "$peak_file") / 1024 )) "; rm -f "$peak_file"

    # Open loop: each rate in turn, the highest within budget, until the arm is saturated (answers fall behind the
    # rate, or p99 passes ten budgets: from there the queue only grows). Not the first miss: on this machine a low
    # rate lets every process fall asleep between requests, and waking them costs more than a busy core's queue.
    obest=0; oladder=""
    for rate in "${RATES[@]}"; do
      read -r p99 achieved e late <<<"$(open_arm "$arm" "$rate" "$SECS")"
      p99=${p99:-999999999}; achieved=${achieved:-0}; e=${e:-1}; oladder+="${rate}:${p99}/late${late:-?} "
      full=$(awk "BEGIN{print ($achieved >= 0.97 * $rate) ? 1 : 0}")
      if [ "$p99" -le "$BUDGET_US" ] && [ "$e" -eq 0 ] && [ "$full" = 1 ]; then obest=$rate; fi
      if [ "$full" = 0 ] || [ "$e" -ne 0 ] || [ "$p99" -gt $(( 10 * BUDGET_US )) ]; then break; fi
    done
    ORPS[$arm]+="$obest "; OLADDER[$arm]="$oladder"

    # Streams last ~35 ms each (8 chunks, 2 ms pauses): three times the seconds, for ~150 first events a round.
    read -r a b c d n e <<<"$(stream_arm "$arm" $(( SECS * 3 )))"; TN[$arm]=$(( ${TN[$arm]:-0} + ${n:-0} ))
    T50[$arm]+="${a:-0} "; T99[$arm]+="${b:-0} "; G50[$arm]+="${c:-0} "; G99[$arm]+="${d:-0} "; ERR[$arm]=$(( ${ERR[$arm]:-0} + ${e:-0} ))
    echo "round $r $arm: c=1 p50 $(awk '{print $NF}' <<<"${L50[$arm]}") us; rate ladder (c:rps/p99us) $ladder-> best $best rps; open loop (rate:p99us/late p99us) $oladder-> $obest rps; first event p99 ${b:-?} us"
  done
done

# Redis commands per request of the gateway as MONITOR sees them (every client command, script internals excluded).
read -r mon_reqs mon_cmds mon_evals <<<"$(redis_roundtrips "${URL[gateway]}" 3 || echo 0 0 0)"

# Many concurrent streams through the gateway (and straight to the simulator, to tell its limits from ours).
STREAM_CHUNKS=20; STREAM_DELAY=100
many() { # arm [streams chunks delay] -> RESULT fields (the tool exits 1 when a stream lost anything: a result, not a reason to stop)
  local hdr=() out; IFS='|' read -r -a hdr <<<"${HEADERS[$1]:-}"
  out="$(taskset -c 1 dotnet "$BENCH_DLL" streams "${URL[$1]}/v1/chat/completions" "${2:-$STREAMS}" "${3:-$STREAM_CHUNKS}" "${4:-$STREAM_DELAY}" "${hdr[@]}" 2>&1)" || true
  grep -m1 '^RESULT ' <<<"$out" | sed 's/^RESULT //' || echo "no result: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
}
MANY_DIRECT="$(many direct)"
gw_peak="$(mktemp)"; echo 0 >"$gw_peak"; peak_rss "$gw_peak" "${PIDS[gateway]}" & sampler=$!
MANY_GW="$(many gateway)"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
MANY_GW_RSS=$(( $(cat "$gw_peak") / 1024 )); rm -f "$gw_peak"
# Long answers (a reasoning model's): LONG_STREAMS streams of LONG_TOKENS one-token chunks each, as fast as they come.
# What a request keeps of its answer's text while it streams is what this measures, so a fresh gateway of the same
# build and settings serves them (after a few seconds of load): the one measured above still holds the 5,000 streams'
# connection memory for a while, and would hold the long answers' for the 5,000 streams if they ran first.
LONG_GW=""; LONG_GW_RSS=0; LONG_GW_START=0
if [ "$LONG_STREAMS" -gt 0 ]; then
  LONG_PORT=$(( GW_PORT + 7 ))
  start_gateway "$LONG_PORT" ${BENCH_GATEWAY_ENV:-}; long_pid="${BENCH_PIDS[-1]}"
  run_wrk "http://127.0.0.1:$LONG_PORT" 8 5 >/dev/null
  URL[long]="http://127.0.0.1:$LONG_PORT"; HEADERS[long]="${HEADERS[gateway]}"
  LONG_GW_START=$(( $(rss_kb "$long_pid") / 1024 ))
  gw_peak="$(mktemp)"; echo 0 >"$gw_peak"; peak_rss "$gw_peak" "$long_pid" & sampler=$!
  LONG_GW="$(many long "$LONG_STREAMS" "$LONG_TOKENS" 0)"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  LONG_GW_RSS=$(( $(cat "$gw_peak") / 1024 )); rm -f "$gw_peak"
fi
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report -------------------------------------------------------------------------------------------------
med() { median $1; }
added() { awk "BEGIN{printf \"%.0f\", $(med "$1") - $(med "$2")}"; }
D50=$(med "${L50[direct]}"); D99=$(med "${L99[direct]}"); DT99=$(med "${T99[direct]}"); DT50=$(med "${T50[direct]}")
DG50=$(med "${G50[direct]}"); DG99=$(med "${G99[direct]}")
cat <<TXT

$(machine_line); nginx, bare, gateway and Portkey pinned to core 0 as well; the stream client on core 1
load average: start $LOAD_START, end $LOAD_END
request: 1 KB chat completion, 16 output tokens, non-streamed unless said; ${ROUNDS} rounds x ${SECS}s per measurement,
medians of rounds (spread = min-max over rounds). Added = arm - direct. Rate: closed loop (wrk -t1) at ${CONNS[*]}
connections, the best requests/s whose p99 <= ${BUDGET_US} us and no errors (0 = none in budget). Open loop:
requests sent at each rate of ${RATES[*]}/s for ${SECS}s over ${OPEN_CONNS} connections, each timed from its send or
from joining the queue for a busy connection; the highest rate answered in full with p99 <= ${BUDGET_US} us and no
errors, the ladder ending where the arm saturates.
Streams: 8 tokens, the simulator pausing 2 ms after every chunk, 1 stream at a time for $(( SECS * 3 ))s a round; first
event = first SSE "data:". Warm-up before round 1: ${WARMUP}s of load and 2 s of streams per arm.

| arm | c=1 p50 us | c=1 p99 us | added p50 us | added p99 us | rps at p99<=5ms | open loop rps at p99<=5ms | CPU us/req proxy | CPU us/req Redis+PG | RSS idle MB | RSS peak MB | errors |
|---|---|---|---|---|---|---|---|---|---|---|---|
TXT
for arm in "${ACTIVE[@]}"; do
  echo "| $arm | $(med "${L50[$arm]}") ($(spread "${L50[$arm]}")) | $(med "${L99[$arm]}") ($(spread "${L99[$arm]}")) | $(added "${L50[$arm]}" "${L50[direct]}") | $(added "${L99[$arm]}" "${L99[direct]}") | $(med "${RPS[$arm]}") ($(spread "${RPS[$arm]}")) | $(med "${ORPS[$arm]}") ($(spread "${ORPS[$arm]}")) | $( [ -n "${PIDS[$arm]}" ] && med "${CPU_P[$arm]}" || echo -) | $(med "${CPU_S[$arm]}") | ${IDLE_RSS[$arm]} | $( [ -n "${PIDS[$arm]}" ] && med "${PEAK[$arm]}" || echo -) | ${ERR[$arm]:-0} |"
done
cat <<TXT

| arm | streams | first event p50 us | first event p99 us | added p99 us | gap p50 us | gap p99 us | added gap p99 us | Redis calls/req | scripts/req | last ladder (c:rps/p99us) |
|---|---|---|---|---|---|---|---|---|---|---|
TXT
for arm in "${ACTIVE[@]}"; do
  echo "| $arm | ${TN[$arm]:-0} | $(med "${T50[$arm]}") | $(med "${T99[$arm]}") ($(spread "${T99[$arm]}")) | $(added "${T99[$arm]}" "${T99[direct]}") | $(med "${G50[$arm]}") | $(med "${G99[$arm]}") | $(added "${G99[$arm]}" "${G99[direct]}") | $(med "${RCALLS[$arm]}") | $(med "${RSCRIPTS[$arm]}") | ${LADDER[$arm]} |"
done
cat <<TXT

Redis calls/req: INFO commandstats over the rate runs, every process (commands inside scripts count too).
Gateway by MONITOR (client commands only, c=1, $mon_reqs requests): $(awk "BEGIN{printf \"%.3f\", $mon_cmds/($mon_reqs>0?$mon_reqs:1)}") commands/request, of which scripts $(awk "BEGIN{printf \"%.3f\", $mon_evals/($mon_reqs>0?$mon_reqs:1)}")
Open loop, last round (rate:p99 us/this client's own lateness p99 us):
$(for arm in "${ACTIVE[@]}"; do echo "  $arm: ${OLADDER[$arm]}"; done)
$STREAMS concurrent streams, $STREAM_CHUNKS chunks each, ${STREAM_DELAY} ms apart:
  direct : $MANY_DIRECT
  gateway: $MANY_GW; gateway peak RSS $MANY_GW_RSS MB
$LONG_STREAMS concurrent answers of $LONG_TOKENS tokens (one a chunk, no pause):
  gateway: ${LONG_GW:-skipped}; gateway peak RSS $LONG_GW_RSS MB (a fresh gateway, $LONG_GW_START MB after 5 s of load when they started)
TXT

# ---- goals -------------------------------------------------------------------------------------------------
goal() { if awk "BEGIN{exit !($2)}"; then echo "  met      $1"; else echo "  NOT met  $1"; fi; }
has() { [[ " ${ACTIVE[*]} " == *" $1 "* ]]; }
GA50=$(added "${L50[gateway]}" "${L50[direct]}"); GA99=$(added "${L99[gateway]}" "${L99[direct]}")
GRPS=$(med "${RPS[gateway]}"); GTT=$(added "${T99[gateway]}" "${T99[direct]}"); GORPS=$(med "${ORPS[gateway]}")
echo; echo "goals (issue: performance side by side with peers), from this run:"
goal "added latency c=1 p50 <= 200 us (is $GA50 us)" "$GA50 <= 200"
goal "added latency c=1 p99 <= 500 us (is $GA99 us)" "$GA99 <= 500"
if has bare; then
  BA50=$(added "${L50[bare]}" "${L50[direct]}"); BRPS=$(med "${RPS[bare]}")
  goal "added p50 within 120 us of bare YARP (is $(( GA50 - BA50 )) us)" "$GA50 - $BA50 <= 120"
  goal "rps at p99<=5ms >= 0.75x bare YARP (is $(awk "BEGIN{printf \"%.2f\", $GRPS/($BRPS>0?$BRPS:1)}")x)" "$GRPS > 0 && $GRPS >= 0.75 * $BRPS"
  BORPS=$(med "${ORPS[bare]}")
  goal "open loop: rps at p99<=5ms >= 0.75x bare YARP (is $GORPS against $BORPS, $(awk "BEGIN{printf \"%.2f\", $GORPS/($BORPS>0?$BORPS:1)}")x)" "$GORPS > 0 && $GORPS >= 0.75 * $BORPS"
fi
if has portkey; then
  PA50=$(added "${L50[portkey]}" "${L50[direct]}"); PRPS=$(med "${RPS[portkey]}")
  goal "added p50 <= 0.15x Portkey's (is $(awk "BEGIN{printf \"%.3f\", $GA50/($PA50>0?$PA50:1)}")x of $PA50 us)" "$GA50 <= 0.15 * $PA50"
  goal "rps at p99<=5ms >= 4x Portkey (is $(awk "BEGIN{printf \"%.1f\", $GRPS/($PRPS>0?$PRPS:1)}")x)" "$GRPS > 0 && $GRPS >= 4 * $PRPS"
  PORPS=$(med "${ORPS[portkey]}")
  goal "open loop: rps at p99<=5ms >= 4x Portkey (is $GORPS against $PORPS)" "$GORPS > 0 && $GORPS >= 4 * $PORPS"
else echo "  n/a      Portkey goals: ${SKIP[portkey]:-portkey arm not run}"; fi
goal "added time to first token p99 <= 1000 us (is $GTT us)" "$GTT <= 1000"
goal "$STREAMS concurrent streams on one core, no lost chunk ($MANY_GW)" "$(grep -q "complete=$STREAMS " <<<"$MANY_GW " && echo 1 || echo 0)"
goal "RSS idle <= 60 MB (is ${IDLE_RSS[gateway]} MB)" "${IDLE_RSS[gateway]} <= 60"
GPEAK=$(med "${PEAK[gateway]}")
goal "RSS under load <= 200 MB (peak $GPEAK MB over the rate runs)" "$GPEAK <= 200"
goal "RSS with $STREAMS concurrent streams <= 200 MB (peak $MANY_GW_RSS MB)" "$MANY_GW_RSS <= 200"
[ "$LONG_STREAMS" -gt 0 ] && goal "RSS with $LONG_STREAMS answers of $LONG_TOKENS tokens streaming <= 200 MB (peak $LONG_GW_RSS MB; all whole: $LONG_GW)" "$LONG_GW_RSS <= 200 && $(grep -q "complete=$LONG_STREAMS " <<<"$LONG_GW " && echo 1 || echo 0)"
goal "one Redis script before a request and one after (is $(awk "BEGIN{printf \"%.3f\", $mon_evals/($mon_reqs>0?$mon_reqs:1)}") scripts/request)" "$mon_reqs > 0 && $mon_evals / $mon_reqs >= 1.99 && $mon_evals / $mon_reqs <= 2.01"
echo; echo "took $SECONDS s; written to ${OUT#$ROOT/}"
