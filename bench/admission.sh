#!/usr/bin/env bash
# What admission adds (issue #3): the same gateway binary with Admission:Enabled=false (events straight to the
# in-process queue) against admission on (one Redis script before the upstream, one after that settles and appends
# the event), both in front of the same simulator process; and Redis commands per request from INFO commandstats.
# Usage: bench/admission.sh [rounds] [seconds]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-3}"; SECS="${2:-5}"
OFF_PORT=9102; ON_PORT=9103
start_simulator
start_gateway "$OFF_PORT" Admission__Enabled=false
start_gateway "$ON_PORT"
top_up "$ON_PORT"
OFF="http://127.0.0.1:$OFF_PORT"; ON="http://127.0.0.1:$ON_PORT"

echo "warming up (${BENCH_WARMUP:-20}s of load each)"; warm_up "$OFF" "$ON"
o50=(); o99=(); n50=(); n99=(); orps=(); nrps=()
for r in $(seq 1 "$ROUNDS"); do
  read -r a b _ _ e1 <<<"$(run_wrk "$OFF" 1 "$SECS")"; o50+=("$a"); o99+=("$b")
  read -r a b _ _ e2 <<<"$(run_wrk "$ON" 1 "$SECS")"; n50+=("$a"); n99+=("$b")
  read -r _ _ a _ e3 <<<"$(run_wrk "$OFF" 32 "$SECS")"; orps+=("$a")
  read -r _ _ a _ e4 <<<"$(run_wrk "$ON" 32 "$SECS")"; nrps+=("$a")
  echo "round $r: c=1 off p50=${o50[-1]}us p99=${o99[-1]}us | on p50=${n50[-1]}us p99=${n99[-1]}us | c=32 rps off=${orps[-1]} on=${nrps[-1]} | errors $e1/$e2/$e3/$e4"
done
# Round trips, in a separate short run (MONITOR slows Redis): every command a client sent, script internals excluded.
read -r reqs cmds evals <<<"$(redis_roundtrips "$ON" 3)"

mo50=$(median "${o50[@]}"); mo99=$(median "${o99[@]}"); mn50=$(median "${n50[@]}"); mn99=$(median "${n99[@]}")
cat <<TXT

$(machine_line)
request: 1 KB chat completion, non-streamed, 16 output tokens; ${ROUNDS} rounds x ${SECS}s per arm, medians of rounds
latency c=1   admission off p50 ${mo50} us  p99 ${mo99} us
              admission on  p50 ${mn50} us  p99 ${mn99} us
ADDED by admission  p50 $(awk "BEGIN{printf \"%.0f\", $mn50-$mo50}") us  p99 $(awk "BEGIN{printf \"%.0f\", $mn99-$mo99}") us
throughput c=32 off $(median "${orps[@]}") rps, on $(median "${nrps[@]}") rps (ratio $(awk "BEGIN{printf \"%.2f\", $(median "${nrps[@]}")/$(median "${orps[@]}")}"))
Redis round trips per request (every client command, c=1, ${reqs} requests): $(awk "BEGIN{printf \"%.3f\", $cmds/$reqs}"), of which scripts (EVALSHA): $(awk "BEGIN{printf \"%.3f\", $evals/$reqs}")
TXT
