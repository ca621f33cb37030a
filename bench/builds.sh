#!/usr/bin/env bash
# The gateway fully on, as the JIT build (dotnet Gateway.dll) and as the Native AOT binary (scripts/publish-aot.sh),
# one at a time in front of the same simulator, alternating in rounds. Per build and round: how long the start took
# (until /healthz answers), resident memory idle (2 s after start), the first 3 s of load at c=1 on the fresh process
# (no warm-up: the JIT build is still compiling), then after the warm-up c=1 latency, the rate at c=8 with its CPU
# time per request, the peak resident memory over those runs, and the peak with BENCH_STREAMS (default 5000) streams
# open at once, and resident memory again once the gateway has been idle for Memory:TrimWhenIdleFor (set to
# BENCH_IDLE_TRIM seconds, default 5; the gateway's default is a minute) plus 2 s. Gateway on core 0; the rest on core 1.
# Usage: bench/builds.sh [rounds] [seconds]   env: BENCH_WARMUP (15: seconds of load at c=4 before measuring)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-3}"; SECS="${2:-8}"; STREAMS="${BENCH_STREAMS:-5000}"; IDLE_TRIM="${BENCH_IDLE_TRIM:-5}"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dotnet build bench/Gateway.Bench -c Release -nologo -v q >/dev/null
BENCH_DLL=bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll
AOT_BIN="$(bash scripts/publish-aot.sh)"
OUT="$ROOT/bench/results/builds-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$ROOT/bench/results"
exec > >(tee "$OUT") 2>&1
echo "builds.sh $ROUNDS rounds x ${SECS}s, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD); $(machine_line)"
start_simulator
PORT=9121
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

echo
echo "| round | build | start ms | RSS idle MB | first 3 s: c=1 requests, p50 us | c=1 p50 us | c=1 p99 us | c=8 rps | c=8 p50 us | c=8 p99 us | CPU us/req | RSS peak MB | $STREAMS streams | RSS with streams MB | RSS idle after, MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for build in jit aot; do
    if [ "$build" = jit ]; then GW_CMD=(dotnet "$DLL"); else GW_CMD=("$AOT_BIN"); fi
    t0=$(date +%s%N); start_gateway "$PORT" Memory__TrimWhenIdleFor="$(printf %02d:%02d:%02d $((IDLE_TRIM / 3600)) $((IDLE_TRIM % 3600 / 60)) $((IDLE_TRIM % 60)))"; pid="${BENCH_PIDS[-1]}"; started=$(( ($(date +%s%N) - t0) / 1000000 ))
    top_up "$PORT"; sleep 2; idle=$(( $(rss_kb "$pid") / 1024 ))
    read -r f50 _ _ fn _ <<<"$(run_wrk "http://127.0.0.1:$PORT" 1 3)"
    peak_file="$(mktemp)"; echo 0 >"$peak_file"; peak_rss "$peak_file" "$pid" & sampler=$!
    run_wrk "http://127.0.0.1:$PORT" 4 "${BENCH_WARMUP:-15}" >/dev/null
    read -r l50 l99 _ _ _ <<<"$(run_wrk "http://127.0.0.1:$PORT" 1 "$SECS")"
    t0=$(cpu_ticks "$pid"); read -r h50 h99 rps n _ <<<"$(run_wrk "http://127.0.0.1:$PORT" 8 "$SECS")"; t1=$(cpu_ticks "$pid")
    cpu=$(awk "BEGIN{printf \"%.0f\", ($t1-$t0)*(1000000/$(getconf CLK_TCK))/($n>0?$n:1)}")
    kill "$sampler"; wait "$sampler" 2>/dev/null || true; peak=$(( $(cat "$peak_file") / 1024 ))
    echo 0 >"$peak_file"; peak_rss "$peak_file" "$pid" & sampler=$!
    many="$(taskset -c 1 dotnet "$BENCH_DLL" streams "http://127.0.0.1:$PORT/v1/chat/completions" "$STREAMS" 20 100 "Authorization: Bearer $KEY" 2>&1 | grep -m1 '^RESULT ' || true)"
    kill "$sampler"; wait "$sampler" 2>/dev/null || true; speak=$(( $(cat "$peak_file") / 1024 )); rm -f "$peak_file"
    sleep $(( IDLE_TRIM + 2 )); after=$(( $(rss_kb "$pid") / 1024 ))
    echo "| $r | $build | $started | $idle | $fn, $f50 | $l50 | $l99 | ${rps%.*} | $h50 | $h99 | $cpu | $peak | complete=$(field complete "$many") lost=$(field lost_chunks "$many") | $speak | $after |"
    kill "$pid"; wait "$pid" 2>/dev/null || true; unset 'BENCH_PIDS[-1]'
  done
done
echo; echo "took $SECONDS s; written to ${OUT#$ROOT/}"
