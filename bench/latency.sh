#!/usr/bin/env bash
# Added latency and throughput of the gateway over calling the simulated provider directly (issue #2).
# Arms, interleaved in rounds so machine drift hits both alike:
#   direct   wrk -> simulator (its own process, zero delay)
#   gateway  wrk -> gateway (auth, admission, capture, settle + event, flusher to Postgres) -> the same simulator
# Latency at concurrency 1 (p50, p99); throughput at 32 connections. Usage: bench/latency.sh [rounds] [seconds]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ROUNDS="${1:-3}"; SECS="${2:-5}"
GW_PORT=9101
STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
start_simulator
start_gateway "$GW_PORT"
top_up "$GW_PORT"
SIM="http://127.0.0.1:$SIM_PORT"; GW="http://127.0.0.1:$GW_PORT"

echo "warming up (${BENCH_WARMUP:-20}s of load each)"; warm_up "$SIM" "$GW"
d50=(); d99=(); g50=(); g99=(); drps=(); grps=()
for r in $(seq 1 "$ROUNDS"); do
  read -r a b _ _ e1 <<<"$(run_wrk "$SIM" 1 "$SECS")"; d50+=("$a"); d99+=("$b")
  read -r a b _ _ e2 <<<"$(run_wrk "$GW" 1 "$SECS")"; g50+=("$a"); g99+=("$b")
  read -r _ _ a _ e3 <<<"$(run_wrk "$SIM" 32 "$SECS")"; drps+=("$a")
  read -r _ _ a _ e4 <<<"$(run_wrk "$GW" 32 "$SECS")"; grps+=("$a")
  echo "round $r: c=1 direct p50=${d50[-1]}us p99=${d99[-1]}us | gateway p50=${g50[-1]}us p99=${g99[-1]}us | c=32 rps direct=${drps[-1]} gateway=${grps[-1]} | errors $e1/$e2/$e3/$e4"
done

md50=$(median "${d50[@]}"); md99=$(median "${d99[@]}"); mg50=$(median "${g50[@]}"); mg99=$(median "${g99[@]}")
mdrps=$(median "${drps[@]}"); mgrps=$(median "${grps[@]}")
cat <<TXT

$(machine_line)
request: 1 KB chat completion, non-streamed, 16 output tokens; ${ROUNDS} rounds x ${SECS}s per arm, medians of rounds
latency c=1   direct p50 ${md50} us  p99 ${md99} us
              gateway p50 ${mg50} us  p99 ${mg99} us
ADDED         p50 $(awk "BEGIN{printf \"%.0f\", $mg50-$md50}") us  p99 $(awk "BEGIN{printf \"%.0f\", $mg99-$md99}") us
throughput c=32 direct ${mdrps} rps, gateway ${mgrps} rps (ratio $(awk "BEGIN{printf \"%.2f\", $mgrps/$mdrps}"))
TXT
sleep 2 # the last batches land
# Flusher lag: from the end of a request (occurred_at + latency) to its row being committed (recorded_at).
PGPASSWORD=gateway psql -h 127.0.0.1 -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$GATEWAY_POSTGRES")" -U gateway -d gateway -qtA -F' ' -c "
  SELECT count(*),
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) * 1000)::numeric, 1),
         round((percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) * 1000)::numeric, 1)
  FROM (SELECT extract(epoch FROM recorded_at - occurred_at) - latency_ms / 1000.0 AS lag
        FROM metering_events WHERE tenant_id = 'bench' AND occurred_at >= '$STARTED_AT') t" \
  | awk '{ printf "flusher lag (request end -> row committed) over %d events: p50 %s ms, p99 %s ms\n", $1, $2, $3 }'
