#!/usr/bin/env bash
# Installs (when missing) and starts the gateway's local Redis and PostgreSQL as plain processes on loopback,
# with their data under .data/ in the project. Safe to run any number of times: a running server is left alone.
# Sourced by run.sh and test.sh; exports GATEWAY_REDIS and GATEWAY_POSTGRES for them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${GATEWAY_DATA_DIR:-$ROOT/.data}"
REDIS_PORT="${GATEWAY_REDIS_PORT:-6380}"
PG_PORT="${GATEWAY_PG_PORT:-5433}"
PG_DB="${GATEWAY_PG_DB:-gateway}"

log() { printf '[services] %s\n' "$*" >&2; }

need_pkg() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v dotnet >/dev/null 2>&1 || { log "dotnet is not on PATH: install the .NET 10 SDK first"; exit 1; }
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then log "missing ${missing[*]}: run as root or install them"; exit 1; fi
    log "installing ${missing[*]} from Debian packages"
    apt-get update -qq
    # policy-rc.d keeps the package scripts from starting system-wide services: we run our own.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
}

# PONG, not just an answer: redis-cli exits 0 on an error reply, and a restarted server answers LOADING while it reads
# its append-only file back (seconds, for a big one), refusing every command meanwhile.
redis_ready() { # port [tries of 0.1 s]
  local _
  for _ in $(seq 1 "${2:-1}"); do
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    [ "${2:-1}" -gt 1 ] && sleep 0.1
  done
  return 1
}

start_redis() {
  mkdir -p "$DATA/redis"
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis_ready "$REDIS_PORT" 600 || { log "redis on 127.0.0.1:$REDIS_PORT answers but is not ready; see $DATA/redis/redis.log"; exit 1; }
    log "redis already up on 127.0.0.1:$REDIS_PORT"; return
  fi
  # appendonly with fsync everysec: a crash of the machine can lose up to one second of writes;
  # set GATEWAY_REDIS_FSYNC=always to fsync every write (slower, loses nothing acknowledged).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --daemonize yes \
    --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" \
    --appendonly yes --appendfsync "${GATEWAY_REDIS_FSYNC:-everysec}" --save "" --protected-mode yes
  redis_ready "$REDIS_PORT" 600 && { log "redis up on 127.0.0.1:$REDIS_PORT"; return; }
  log "redis did not start; see $DATA/redis/redis.log"; exit 1
}

# A three-node Redis Cluster (ports 7001-7003, no replicas) for the tests that prove the scripts are cluster-safe.
start_redis_cluster() {
  local ports=(7001 7002 7003) p
  for p in "${ports[@]}"; do
    mkdir -p "$DATA/redis-cluster/$p"
    if ! redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1; then
      redis-server --bind 127.0.0.1 --port "$p" --dir "$DATA/redis-cluster/$p" --daemonize yes \
        --pidfile "$DATA/redis-cluster/$p/redis.pid" --logfile "$DATA/redis-cluster/$p/redis.log" \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
        --appendonly yes --save ""
    fi
  done
  # A restarted node answers LOADING (not PONG) while it reads its append-only file back.
  for p in "${ports[@]}"; do redis_ready "$p" 600 || true; done
  cluster_ok() { redis-cli -h 127.0.0.1 -p 7001 cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }
  if ! cluster_ok; then
    local known
    known="$(redis-cli -h 127.0.0.1 -p 7001 cluster info 2>/dev/null | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')"
    if [ "${known:-1}" -le 1 ]; then # new nodes: form the cluster (restarted ones find each other from nodes.conf)
      local out
      if ! out="$(redis-cli --cluster create 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 --cluster-replicas 0 --cluster-yes 2>&1)"; then
        log "redis cluster create failed: $(tail -n 3 <<<"$out")"; exit 1
      fi
    fi
    for _ in $(seq 1 300); do cluster_ok && break; sleep 0.1; done
  fi
  cluster_ok || { log "redis cluster on 127.0.0.1:7001-7003 is not ok; see $DATA/redis-cluster/*/redis.log"; exit 1; }
  log "redis cluster up on 127.0.0.1:7001-7003"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin pgdata
  bin="$(pg_bin)"
  pgdata="$DATA/postgres"
  mkdir -p "$pgdata"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$pgdata"; chmod 700 "$pgdata"
    # PostgreSQL refuses to run as root; its user must be able to reach the data folder.
    if ! runuser -u postgres -- test -w "$pgdata"; then
      pgdata="/var/tmp/gateway-$(printf '%s' "$DATA" | sha1sum | cut -c1-12)/postgres"
      log "postgres cannot reach $DATA; using $pgdata instead"
      mkdir -p "$pgdata"; chown -R postgres:postgres "$(dirname "$pgdata")"; chmod 700 "$pgdata"
    fi
  fi
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    log "initdb in $pgdata"
    as_postgres "$bin/initdb" -D "$pgdata" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --no-locale >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    if as_postgres "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
      log "port $PG_PORT is taken by another PostgreSQL (not $pgdata); stop it or set GATEWAY_PG_PORT"; exit 1
    fi
    as_postgres "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pgdata -c fsync=on -c max_connections=200" start >/dev/null
  fi
  local psql=("$bin/psql" -h "$pgdata" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  as_postgres "${psql[@]}" -d postgres -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='gateway') THEN CREATE ROLE gateway LOGIN PASSWORD 'gateway' CREATEDB; END IF; END\$\$;"
  if [ "${GATEWAY_FRESH_TEST_DATA:-0}" = 1 ]; then # the test suite starts from empty, as on a clean CI machine
    as_postgres "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${PG_DB}_test WITH (FORCE)"
  fi
  for db in "$PG_DB" "${PG_DB}_test"; do
    if [ -z "$(as_postgres "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
      as_postgres "${psql[@]}" -d postgres -c "CREATE DATABASE $db OWNER gateway"
    fi
  done
  log "postgres up on 127.0.0.1:$PG_PORT (databases $PG_DB, ${PG_DB}_test)"
}

need_pkg
start_redis
if [ "${GATEWAY_FRESH_TEST_DATA:-0}" = 1 ]; then # Redis databases 1-15 are the tests' (0 is run.sh's gateway)
  for n in $(seq 1 15); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$n" flushdb >/dev/null; done
fi
start_postgres
if [ "${GATEWAY_REDIS_CLUSTER_NEEDED:-0}" = 1 ]; then start_redis_cluster; fi

export GATEWAY_REDIS="127.0.0.1:$REDIS_PORT"
export GATEWAY_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=gateway;Password=gateway;Database=$PG_DB"
export GATEWAY_PG_BIN="$(pg_bin)"
export GATEWAY_PGDATA="$(ls -d "$DATA/postgres" 2>/dev/null || true)"
export GATEWAY_REDIS_CLUSTER="127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
export GATEWAY_POSTGRES_TEST="Host=127.0.0.1;Port=$PG_PORT;Username=gateway;Password=gateway;Database=${PG_DB}_test"
