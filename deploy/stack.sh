#!/usr/bin/env bash
# The whole suite as local processes: PostgreSQL (one database and login role per service) and
# Redis under STATE_DIR, then the five services and the gateway, and Prometheus scraping all six with the rules of
# deploy/prometheus/rules loaded (ZT_STACK_SCRAPE_INTERVAL, default 15s; tests use 1s). The payment simulator
# (zt-payment-simulator) stands in for the payment provider: the order service pays through it, and it sends its
# signed notifications to the gateway with a secret made under STATE_DIR.
#   stack.sh start STATE_DIR   idempotent; writes STATE_DIR/stack.env; prints the gateway address
#   stack.sh stop STATE_DIR
#   stack.sh restart STATE_DIR NAME   SIGTERM one service (or the gateway), wait for its graceful exit, start it
#                                     again with the same settings; fails if it does not stop cleanly in 30 s
#   stack.sh kill STATE_DIR NAME      SIGKILL one service (a crash: no draining, nothing flushed) and start it again
#   restart and kill apply STATE_DIR/run/NAME.override.env (export lines) over the saved settings when it exists: a
#   fault test routes a process through its own proxy that way (tests/reliability); start removes such files.
# Each service's domain clock is moved by the seconds in STATE_DIR/run/NAME.clock-offset while that file exists
# (ZT_TEST_CLOCK_OFFSET_FILE, common/clock/service_clock.h): the fault tests' clock jump.
# Binaries come from ZT_BUILD_DIR (default: build/). Ports: the usual defaults when free, else any free
# port (ZT_STACK_FREE_PORTS=1 always picks free ones, as tests do). Extra service settings pass
# through from the environment (e.g. ZT_ORDER_PAYMENT_TIMEOUT=4s). Services talk mutual TLS with certificates
# from a CA made under STATE_DIR/tls (deploy/tls/make-credentials.sh); ZT_DEV_PLAINTEXT=true runs them without TLS.
set -euo pipefail

usage="usage: stack.sh start|stop STATE_DIR | restart|kill STATE_DIR SERVICE"
cmd=${1:?$usage}
state=$(realpath -m "${2:?$usage}")
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZT_BUILD_DIR:-$repo/build}
services=(product marketing user order datahub)

port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local wanted=$1
  if [ "${ZT_STACK_FREE_PORTS:-0}" != 1 ] && port_free "$wanted"; then echo "$wanted"; return; fi
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Running, not a zombie: the services are orphans, and the init process here may reap them late.
running() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

stop_processes() {
  for name in prometheus gateway "${services[@]}" payment-simulator; do
    local pidfile=$state/run/$name.pid
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    if running "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for name in prometheus gateway "${services[@]}" payment-simulator; do
    local pidfile=$state/run/$name.pid
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    for _ in $(seq 150); do running "$pid" || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

start_process() {  # name; settings come from the environment
  # Each process gets its own certificate; only the user service, which issues tokens, gets the signing key.
  local tls=() signing=()
  [ "${ZT_DEV_PLAINTEXT:-false}" = true ] || tls=("ZT_TLS_DIR=$state/tls/$1")
  [ "$1" = user ] && signing=("ZT_AUTH_SIGNING_KEY=$(cat "$state/tls/token.signing-key")")
  # setsid: the service outlives this script and gets its own process group.
  env "${tls[@]}" "${signing[@]}" ZT_TEST_CLOCK_OFFSET_FILE="$state/run/$1.clock-offset" \
    setsid "$build/services/$1/zt-$1" >> "$state/logs/$1.log" 2>&1 < /dev/null &
  echo $! > "$state/run/$1.pid"
}

# The payment provider's stand-in: plain HTTP on 127.0.0.1, no certificate (it plays a party outside the suite).
start_simulator() {
  setsid "$build/services/payment-simulator/zt-payment-simulator" >> "$state/logs/payment-simulator.log" 2>&1 \
    < /dev/null &
  echo $! > "$state/run/payment-simulator.pid"
}

wait_http() {  # url, seconds
  for _ in $(seq $(($2 * 10))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start() {
  mkdir -p "$state/run" "$state/logs"
  for name in "${services[@]}" gateway; do
    [ -x "$build/services/$name/zt-$name" ] || { echo "missing $build/services/$name/zt-$name: build first" >&2; exit 1; }
  done
  [ -x "$build/services/payment-simulator/zt-payment-simulator" ] ||
    { echo "missing $build/services/payment-simulator/zt-payment-simulator: build first" >&2; exit 1; }
  stop_processes  # a crash or a second start leaves nothing behind
  rm -f "$state"/run/*.override.env "$state"/run/*.clock-offset  # a fault test's leftovers

  "$repo/tests/harness/stores.sh" start "$state/stores" >/dev/null
  # shellcheck disable=SC1091
  source "$state/stores/stores.env"
  local pg_host_port=${ZT_TEST_PG_DSN#postgresql://postgres@}
  pg_host_port=${pg_host_port%%/*}

  # The suite's CA, a certificate per process and the token key pair (kept across restarts).
  "$repo/deploy/tls/make-credentials.sh" "$state/tls" "${services[@]}" gateway
  # Secrets are readable by their owner only; each database role gets its own random password (kept across restarts),
  # so one leaked password opens one database and tells nothing about the others.
  mkdir -p "$state/db-passwords"
  chmod 700 "$state/db-passwords"
  [ -f "$state/admin.password" ] || (umask 077; head -c 12 /dev/urandom | base64 -w0 | tr '+/' 'xy' \
    > "$state/admin.password")
  # The secret the payment simulator signs its notifications with, and the gateway checks them with.
  [ -f "$state/payment-notify.secret" ] || (umask 077; head -c 32 /dev/urandom | base64 -w0 | tr '+/=' 'xyz' \
    > "$state/payment-notify.secret")
  chmod 600 "$state/admin.password"
  local admin_password
  admin_password=$(cat "$state/admin.password")
  local admin_login=${ZT_USER_ADMIN_LOGIN:-admin@zhongtai.local}

  # One database and one login role per service; each role owns only its database.
  for name in "${services[@]}"; do
    local password_file=$state/db-passwords/$name
    [ -f "$password_file" ] || (umask 077; head -c 18 /dev/urandom | base64 -w0 | tr '+/' 'xy' > "$password_file")
    local password; password=$(cat "$password_file")
    psql -q -v ON_ERROR_STOP=1 "$ZT_TEST_PG_DSN" <<SQL >/dev/null
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$name', '$password')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$name') \gexec
ALTER ROLE "$name" PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I', '$name', '$name')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$name') \gexec
REVOKE ALL ON DATABASE "$name" FROM PUBLIC;
SQL
    local upper; upper=$(echo "$name" | tr a-z A-Z)
    export "ZT_${upper}_PG_DSN=postgresql://$name:$password@$pg_host_port/$name"
    export "ZT_${upper}_REDIS_ADDR=$ZT_TEST_REDIS_ADDR"
  done
  # HyperLogLog for the data hub's distinct counts: not a trusted extension, so the superuser creates it.
  psql -q -v ON_ERROR_STOP=1 "${ZT_TEST_PG_DSN%/*}/datahub" -c 'CREATE EXTENSION IF NOT EXISTS hll' >/dev/null

  declare -A grpc=([product]=50051 [order]=50052 [marketing]=50053 [user]=50054 [datahub]=50055)
  declare -A metrics=([product]=9101 [order]=9102 [marketing]=9103 [user]=9104 [datahub]=9105 [gateway]=9106)
  local env_file=$state/stack.env
  : > "$env_file"
  chmod 600 "$env_file"  # holds the admin password
  for name in "${services[@]}" gateway; do
    local upper; upper=$(echo "$name" | tr a-z A-Z)
    if [ "$name" != gateway ]; then
      grpc[$name]=$(pick_port "${grpc[$name]}")
      export "ZT_${upper}_GRPC_PORT=${grpc[$name]}"
      echo "export ZT_STACK_${upper}_GRPC=127.0.0.1:${grpc[$name]}" >> "$env_file"
    fi
    metrics[$name]=$(pick_port "${metrics[$name]}")
    export "ZT_${upper}_METRICS_PORT=${metrics[$name]}"
    echo "export ZT_STACK_${upper}_METRICS=127.0.0.1:${metrics[$name]}" >> "$env_file"
  done
  local http_port; http_port=$(pick_port "${ZT_GATEWAY_HTTP_PORT:-8080}")
  export ZT_GATEWAY_HTTP_PORT=$http_port
  ZT_AUTH_PUBLIC_KEY=$(cat "$state/tls/token.public-key")
  export ZT_AUTH_PUBLIC_KEY
  export ZT_USER_ADMIN_LOGIN=$admin_login ZT_USER_ADMIN_PASSWORD=$admin_password
  export ZT_ORDER_PRODUCT_ADDR=127.0.0.1:${grpc[product]} ZT_ORDER_MARKETING_ADDR=127.0.0.1:${grpc[marketing]}
  export ZT_USER_ORDER_ADDR=127.0.0.1:${grpc[order]} ZT_USER_MARKETING_ADDR=127.0.0.1:${grpc[marketing]}
  export ZT_USER_DATAHUB_ADDR=127.0.0.1:${grpc[datahub]}
  export ZT_MARKETING_USER_ADDR=127.0.0.1:${grpc[user]}
  export ZT_MARKETING_PRODUCT_ADDR=127.0.0.1:${grpc[product]}
  export ZT_ORDER_USER_ADDR=127.0.0.1:${grpc[user]}
  # Payments: the order service calls the simulator, the simulator notifies the gateway, which checks the signature.
  local simulator_port; simulator_port=$(pick_port "${ZT_PAYSIM_HTTP_PORT:-8090}")
  local notify_secret; notify_secret=$(cat "$state/payment-notify.secret")
  export ZT_PAYSIM_HTTP_PORT=$simulator_port ZT_PAYSIM_NOTIFY_SECRET=$notify_secret
  export ZT_PAYSIM_NOTIFY_URL=http://127.0.0.1:$http_port/v1/payments/notify/simulator
  export ZT_ORDER_PAYMENT_PROVIDER=simulator ZT_ORDER_PAYMENT_PROVIDER_URL=http://127.0.0.1:$simulator_port
  # The warehouse system's and the carriers' signed callbacks (fulfilment); local secrets unless given.
  local wms_secret=${ZT_WMS_CALLBACK_SECRET:-wms-dev-secret}
  local logistics_secret=${ZT_LOGISTICS_CALLBACK_SECRET:-logistics-dev-secret}
  export ZT_GATEWAY_PARTNER_SECRETS=payment-simulator=$notify_secret,wms=$wms_secret,logistics=$logistics_secret
  # The gateway keeps its rate limits in the stack's Redis. Every client of a local stack (tests, benchmarks,
  # the seed) comes from this machine and one address, so the limits default to values it never reaches: the
  # limiter still does its Redis round trip on every request. Set ZT_GATEWAY_RATE_* to try real limits.
  export ZT_GATEWAY_REDIS_ADDR=$ZT_TEST_REDIS_ADDR
  export ZT_GATEWAY_RATE_IP_PER_MINUTE=${ZT_GATEWAY_RATE_IP_PER_MINUTE:-100000000}
  export ZT_GATEWAY_RATE_IP_BURST=${ZT_GATEWAY_RATE_IP_BURST:-1000000}
  export ZT_GATEWAY_RATE_USER_PER_MINUTE=${ZT_GATEWAY_RATE_USER_PER_MINUTE:-100000000}
  export ZT_GATEWAY_RATE_USER_BURST=${ZT_GATEWAY_RATE_USER_BURST:-1000000}
  export ZT_GATEWAY_RATE_AUTH_PER_MINUTE=${ZT_GATEWAY_RATE_AUTH_PER_MINUTE:-100000000}
  export ZT_GATEWAY_RATE_AUTH_BURST=${ZT_GATEWAY_RATE_AUTH_BURST:-1000000}
  for name in "${services[@]}"; do
    local upper; upper=$(echo "$name" | tr a-z A-Z)
    export "ZT_GATEWAY_${upper}_ADDR=127.0.0.1:${grpc[$name]}"
  done

  # What restart needs to start a process again exactly as now (holds secrets: owner-only).
  (umask 077; export -p | grep -E '^declare -x ZT_' > "$state/run/settings.env")
  start_simulator
  for name in "${services[@]}" gateway; do start_process "$name"; done

  local gateway=http://127.0.0.1:$http_port
  if ! wait_http "$gateway/readyz" 60; then
    echo "the suite did not become ready; logs in $state/logs" >&2
    for name in "${services[@]}" gateway payment-simulator; do
      running "$(cat "$state/run/$name.pid")" || { echo "--- $name exited:" >&2; tail -5 "$state/logs/$name.log" >&2; }
    done
    exit 1
  fi
  if ! wait_http "http://127.0.0.1:$simulator_port/healthz" 30; then
    echo "the payment simulator did not start; log in $state/logs/payment-simulator.log" >&2
    exit 1
  fi

  # Prometheus (Debian package) with its TSDB under the state dir; the storage survives a restart of the stack.
  local prom_port; prom_port=$(pick_port "${ZT_STACK_PROMETHEUS_PORT:-9090}")
  mkdir -p "$state/prometheus/data"
  sed -e "s|@SCRAPE_INTERVAL@|${ZT_STACK_SCRAPE_INTERVAL:-15s}|g" -e "s|@RULES_DIR@|$repo/deploy/prometheus/rules|g" \
      -e "s|@PRODUCT_METRICS@|127.0.0.1:${metrics[product]}|" -e "s|@ORDER_METRICS@|127.0.0.1:${metrics[order]}|" \
      -e "s|@MARKETING_METRICS@|127.0.0.1:${metrics[marketing]}|" -e "s|@USER_METRICS@|127.0.0.1:${metrics[user]}|" \
      -e "s|@DATAHUB_METRICS@|127.0.0.1:${metrics[datahub]}|" -e "s|@GATEWAY_METRICS@|127.0.0.1:${metrics[gateway]}|" \
      "$repo/deploy/prometheus/prometheus.yml" > "$state/prometheus/prometheus.yml"
  setsid prometheus --config.file="$state/prometheus/prometheus.yml" --storage.tsdb.path="$state/prometheus/data" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$prom_port" \
    >> "$state/logs/prometheus.log" 2>&1 < /dev/null &
  echo $! > "$state/run/prometheus.pid"
  local prometheus=http://127.0.0.1:$prom_port
  if ! wait_http "$prometheus/-/ready" 30; then
    echo "prometheus did not become ready; log in $state/logs/prometheus.log" >&2
    tail -5 "$state/logs/prometheus.log" >&2
    exit 1
  fi
  cat >> "$env_file" <<ENV
export ZT_STACK_PROMETHEUS=$prometheus
export ZT_STACK_GATEWAY=$gateway
export ZT_STACK_PAYMENT_SIMULATOR=http://127.0.0.1:$simulator_port
export ZT_STACK_WMS_SECRET=$wms_secret
export ZT_STACK_LOGISTICS_SECRET=$logistics_secret
export ZT_STACK_ADMIN_LOGIN=$admin_login
export ZT_STACK_ADMIN_PASSWORD=$admin_password
export ZT_STACK_PG_DSN=$ZT_TEST_PG_DSN
export ZT_STACK_REDIS_ADDR=$ZT_TEST_REDIS_ADDR
export ZT_STACK_STATE=$state
export ZT_STACK_TLS=$([ "${ZT_DEV_PLAINTEXT:-false}" = true ] || echo "$state/tls")
ENV
  echo "gateway: $gateway"
}

restart() {  # name, signal (TERM: graceful, checked; KILL: a crash)
  local name=${1:?$usage} signal=${2:-TERM}
  [ -f "$state/run/$name.pid" ] || { echo "$name is not running under $state" >&2; exit 1; }
  # shellcheck disable=SC1091
  source "$state/run/settings.env"
  # shellcheck disable=SC1090
  [ -f "$state/run/$name.override.env" ] && source "$state/run/$name.override.env"
  local pid; pid=$(cat "$state/run/$name.pid")
  kill "-$signal" "$pid"
  echo "sent SIG$signal to $name at $(date +%s.%N)"  # when the fault began, for a test's recovery times
  for _ in $(seq 600); do running "$pid" || break; sleep 0.05; done
  if running "$pid"; then echo "$name did not stop within 30 s of SIG$signal" >&2; exit 1; fi
  # The runner logs "stopped" as the last step of a graceful shutdown.
  if [ "$signal" = TERM ]; then
    tail -3 "$state/logs/$name.log" | grep -q '"stopped"' || { echo "$name did not shut down gracefully" >&2; exit 1; }
  fi
  if [ "$name" = payment-simulator ]; then start_simulator; else start_process "$name"; fi
  local upper; upper=$(echo "$name" | tr a-z A-Z)
  local port_var=ZT_${upper}_GRPC_PORT
  [ "$name" = gateway ] && port_var=ZT_GATEWAY_HTTP_PORT
  [ "$name" = payment-simulator ] && port_var=ZT_PAYSIM_HTTP_PORT
  for _ in $(seq 300); do port_free "${!port_var}" || { echo "restarted $name"; return 0; }; sleep 0.1; done
  echo "$name did not listen again within 30 s; see $state/logs/$name.log" >&2
  exit 1
}

stop() {
  stop_processes
  "$repo/tests/harness/stores.sh" stop "$state/stores"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) restart "${3:-}" TERM ;;
  kill) restart "${3:-}" KILL ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
