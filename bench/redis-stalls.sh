#!/usr/bin/env bash
# Redis commands that held Redis (issue #7: the c=1 tail). Redis runs one command at a time, so a long one makes every
# admission of every gateway wait. Runs the gateway (fully on) at 1 and 8 connections and reads Redis's SLOWLOG over
# each run: how many commands took longer than BENCH_SLOW_US (500) microseconds, by name, the longest and their sum,
# beside wrk's percentiles. BENCH_BASE_DLL names a second build (say of an earlier commit:
# `git worktree add /tmp/base <commit> && dotnet build /tmp/base/Gateway/Gateway.csproj -c Release`, then
# BENCH_BASE_DLL=/tmp/base/Gateway/bin/Release/net10.0/Gateway.dll) measured in turn with this one. One gateway runs
# at a time: two would drain each other's event streams.
# Usage: bench/redis-stalls.sh [rounds] [seconds]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-2}"; SECS="${2:-8}"; SLOW_US="${BENCH_SLOW_US:-500}"; PORT=9114
declare -A DLLS=([this]="$DLL")
ARMS=(this)
if [ -n "${BENCH_BASE_DLL:-}" ]; then DLLS[base]="$BENCH_BASE_DLL"; ARMS=(base this); fi
REDIS=(redis-cli -h 127.0.0.1 -p "${GATEWAY_REDIS##*:}")
"${REDIS[@]}" config set slowlog-max-len 100000 >/dev/null
"${REDIS[@]}" config set slowlog-log-slower-than "$SLOW_US" >/dev/null
start_simulator

slow() { # -> "count max_us sum_us by-name" of the SLOWLOG since its reset (its own SLOWLOG call left out)
  "${REDIS[@]}" --json slowlog get 100000 | python3 -c '
import json, sys
entries = [e for e in json.load(sys.stdin) if e[3][0].lower() != "slowlog"]
names = {}
for e in entries:
    names[e[3][0].upper()] = names.get(e[3][0].upper(), 0) + 1
print(len(entries), max([e[2] for e in entries], default=0), sum(e[2] for e in entries),
      " ".join(f"{n}:{c}" for n, c in sorted(names.items(), key=lambda x: -x[1])) or "-")'
}

ROWS=()
for r in $(seq 1 "$ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    DLL="${DLLS[$arm]}" start_gateway "$PORT"
    top_up "$PORT"
    warm_up "http://127.0.0.1:$PORT"
    for c in 1 8; do
      "${REDIS[@]}" slowlog reset >/dev/null
      read -r p50 p99 rps _ errors <<<"$(run_wrk "http://127.0.0.1:$PORT" "$c" "$SECS")"
      read -r n max sum names <<<"$(slow)"
      ROWS+=("| $r | $arm | $c | $p50 | $p99 | ${rps%.*} | $errors | $n | $max | $sum | $names |")
      echo "round $r $arm c=$c: p50 $p50 us, p99 $p99 us, $n Redis commands over $SLOW_US us (longest $max us)"
    done
    kill "${BENCH_PIDS[-1]}"; wait "${BENCH_PIDS[-1]}" 2>/dev/null || true; unset 'BENCH_PIDS[-1]'
  done
done
"${REDIS[@]}" config set slowlog-log-slower-than 10000 >/dev/null

cat <<TXT

$(machine_line)
request: 1 KB chat completion, non-streamed; wrk ${SECS}s at 1 and 8 connections; gateway on core 0, Redis, Postgres,
simulator and wrk on core 1; SLOWLOG over each run, threshold ${SLOW_US} us (commands inside scripts are logged too)
$( [ -n "${BENCH_BASE_DLL:-}" ] && echo "base: $BENCH_BASE_DLL" )

| round | arm | conns | p50 us | p99 us | rps | errors | commands over ${SLOW_US} us | longest us | sum us | by command |
|---|---|---|---|---|---|---|---|---|---|---|
TXT
printf '%s\n' "${ROWS[@]}"
