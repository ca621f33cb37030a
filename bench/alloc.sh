#!/usr/bin/env bash
# Allocation and garbage collection per request (issue #7: "remove allocations on the hot path"): bare YARP (the same
# binary with admission and metering off), metering without admission, and the gateway fully on, each read from its
# own /metrics (the runtime's System.Runtime meter) before and after a wrk run at 8 connections: bytes allocated,
# collections and GC pause per request, thread-pool work items per request. Arms interleaved in rounds, medians.
# Usage: bench/alloc.sh [rounds] [seconds]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-3}"; SECS="${2:-8}"
ARMS=(bare metering gateway)
declare -A PORT=([bare]=9111 [metering]=9112 [gateway]=9113)
start_simulator
start_gateway "${PORT[bare]}" Admission__Enabled=false Metering__Enabled=false
start_gateway "${PORT[metering]}" Admission__Enabled=false
start_gateway "${PORT[gateway]}"
top_up "${PORT[gateway]}"
url() { echo "http://127.0.0.1:${PORT[$1]}"; }

sample() { # arm -> "allocated_bytes gc_collections gc_pause_seconds work_items"
  curl -sf "$(url "$1")/metrics" | awk '
    /^dotnet_gc_heap_total_allocated_bytes_total/ { a += $NF }
    /^dotnet_gc_collections_total/ { c += $NF }
    /^dotnet_gc_pause_time_seconds_total/ { p += $NF }
    /^dotnet_thread_pool_work_item_count_total/ { w += $NF }
    END { printf "%.0f %.0f %.6f %.0f\n", a, c, p, w }'
}

echo "warming up (${BENCH_WARMUP:-20}s of load each)"
for arm in "${ARMS[@]}"; do warm_up "$(url "$arm")"; done
declare -A BYTES GCS PAUSE ITEMS RPS
for r in $(seq 1 "$ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    read -r a0 c0 p0 w0 <<<"$(sample "$arm")"
    read -r _ _ rps reqs errors <<<"$(run_wrk "$(url "$arm")" 8 "$SECS")"
    read -r a1 c1 p1 w1 <<<"$(sample "$arm")"
    # /metrics scrapes are requests too, but two of them against thousands of requests do not show.
    BYTES[$arm]+="$(awk "BEGIN{printf \"%.0f\", ($a1-$a0)/$reqs}") "
    GCS[$arm]+="$(awk "BEGIN{printf \"%.2f\", ($c1-$c0)*1000/$reqs}") "
    PAUSE[$arm]+="$(awk "BEGIN{printf \"%.1f\", ($p1-$p0)*1e6/$reqs}") "
    ITEMS[$arm]+="$(awk "BEGIN{printf \"%.2f\", ($w1-$w0)/$reqs}") "
    RPS[$arm]+="$rps "
    echo "round $r $arm: $reqs requests ($rps rps, $errors errors), $(awk "BEGIN{printf \"%.0f\", ($a1-$a0)/$reqs}") B allocated a request"
  done
done

cat <<TXT

$(machine_line)
request: 1 KB chat completion, non-streamed, 16 output tokens; wrk at 8 connections, ${ROUNDS} rounds x ${SECS}s per arm,
medians of rounds (min-max); counters from each gateway's /metrics (System.Runtime meter)

| arm | allocated B/request | GCs per 1,000 requests | GC pause us/request | thread-pool work items/request | rps |
|---|---|---|---|---|---|
TXT
stat() { echo "$(median $1) ($(spread "$1"))"; } # median (min-max) of "v1 v2 ..."
for arm in "${ARMS[@]}"; do
  echo "| $arm | $(stat "${BYTES[$arm]}") | $(stat "${GCS[$arm]}") | $(stat "${PAUSE[$arm]}") | $(stat "${ITEMS[$arm]}") | $(stat "${RPS[$arm]}") |"
done
