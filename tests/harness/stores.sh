#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis for tests, as local processes under a state folder.
#   stores.sh start STATE_DIR   starts both (idempotent) and writes STATE_DIR/stores.env
#   stores.sh stop STATE_DIR    stops both
# stores.env exports ZT_TEST_PG_DSN (superuser; tests create their own databases) and ZT_TEST_REDIS_ADDR.
set -euo pipefail

cmd=${1:?usage: stores.sh start|stop STATE_DIR}
state=$(realpath -m "${2:?usage: stores.sh start|stop STATE_DIR}")
pg_bin=/usr/lib/postgresql/15/bin
pg_data=$state/pg
redis_dir=$state/redis

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# postgres refuses to run as root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_running() { [ -f "$pg_data/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; }
redis_running() { [ -f "$redis_dir/port" ] && redis-cli -p "$(cat "$redis_dir/port")" ping >/dev/null 2>&1; }

start() {
  mkdir -p "$state" "$redis_dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$state"; fi
  if ! pg_running; then
    if [ ! -f "$pg_data/PG_VERSION" ]; then
      rm -rf "$pg_data"
      as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    rm -f "$pg_data/postmaster.pid"  # left by a crash; pg_ctl status said nothing runs
    local port; port=$(free_port)
    echo "$port" > "$state/pg.port"
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$state/pg.log" -w -t 60 start \
      -o "-p $port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements" >/dev/null
  fi
  if ! redis_running; then
    local port; port=$(free_port)
    echo "$port" > "$redis_dir/port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
    for _ in $(seq 50); do redis_running && break; sleep 0.1; done
    redis_running || { echo "redis did not start; see $redis_dir/redis.log" >&2; exit 1; }
  fi
  cat > "$state/stores.env" <<ENV
export ZT_TEST_PG_DSN="postgresql://postgres@127.0.0.1:$(cat "$state/pg.port")/postgres"
export ZT_TEST_REDIS_ADDR="127.0.0.1:$(cat "$redis_dir/port")"
ENV
  cat "$state/stores.env"
}

stop() {
  if [ -f "$redis_dir/port" ]; then redis-cli -p "$(cat "$redis_dir/port")" shutdown nosave >/dev/null 2>&1 || true; fi
  if [ -f "$pg_data/PG_VERSION" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: stores.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
