#!/usr/bin/env bash
# Start or stop a throwaway ClickHouse server for tests, on non-default ports so a developer's own
# server is never touched. Uses the distribution's config as a template with every path and port
# rewritten into a private state directory.
#
#   .ci/clickhouse.sh start   # waits until http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping answers
#   .ci/clickhouse.sh stop    # stops the server started by `start`, by its PID
#
# Environment: CLICKHOUSE_HTTP_PORT (18123), CLICKHOUSE_TCP_PORT (19000),
# CLICKHOUSE_INTERSERVER_PORT (19009), CLICKHOUSE_STATE_DIR (${TMPDIR:-/tmp}/casefile-clickhouse-$HTTP_PORT),
# CLICKHOUSE_CONFIG_DIR (/etc/clickhouse-server).
set -euo pipefail

http_port="${CLICKHOUSE_HTTP_PORT:-18123}"
tcp_port="${CLICKHOUSE_TCP_PORT:-19000}"
interserver_port="${CLICKHOUSE_INTERSERVER_PORT:-19009}"
state_dir="${CLICKHOUSE_STATE_DIR:-${TMPDIR:-/tmp}/casefile-clickhouse-${http_port}}"
config_dir="${CLICKHOUSE_CONFIG_DIR:-/etc/clickhouse-server}"
pid_file="${state_dir}/server.pid"

find_binary() {
  if command -v clickhouse-server >/dev/null 2>&1; then
    echo "clickhouse-server"
  elif [ -x /usr/sbin/clickhouse-server ]; then
    echo "/usr/sbin/clickhouse-server"
  elif command -v clickhouse >/dev/null 2>&1; then
    echo "clickhouse server"
  else
    echo "clickhouse.sh: no clickhouse-server binary found (apt-get install clickhouse-server)" >&2
    exit 1
  fi
}

ping_ok() {
  [ "$(curl -s --max-time 1 "http://127.0.0.1:${http_port}/ping" 2>/dev/null || true)" = "Ok." ]
}

start() {
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "clickhouse.sh: already running (pid $(cat "$pid_file"))" >&2
    exit 1
  fi
  if ping_ok; then
    echo "clickhouse.sh: something already answers on port ${http_port}" >&2
    exit 1
  fi
  mkdir -p "$state_dir/data" "$state_dir/log"
  sed -e "s#/var/lib/clickhouse/#${state_dir}/data/#g" \
    -e "s#/var/log/clickhouse-server/#${state_dir}/log/#g" \
    -e "s#<http_port>[0-9]*</http_port>#<http_port>${http_port}</http_port>#" \
    -e "s#<tcp_port>[0-9]*</tcp_port>#<tcp_port>${tcp_port}</tcp_port>#" \
    -e "s#<interserver_http_port>[0-9]*</interserver_http_port>#<interserver_http_port>${interserver_port}</interserver_http_port>#" \
    "$config_dir/config.xml" >"$state_dir/config.xml"
  cp "$config_dir/users.xml" "$state_dir/users.xml"

  local bin
  bin="$(find_binary)"
  # shellcheck disable=SC2086 # "clickhouse server" must split into two words
  nohup $bin --config-file="$state_dir/config.xml" >"$state_dir/log/stdout.log" 2>&1 &
  echo $! >"$pid_file"

  for _ in $(seq 1 150); do
    if ping_ok; then return 0; fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "clickhouse.sh: server exited during start-up; see $state_dir/log" >&2
      tail -n 20 "$state_dir/log/stdout.log" "$state_dir/log/clickhouse-server.err.log" >&2 2>/dev/null || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.2
  done
  echo "clickhouse.sh: no answer on port ${http_port} after 30 s" >&2
  exit 1
}

stop() {
  if [ ! -f "$pid_file" ]; then
    echo "clickhouse.sh: not running (no $pid_file)" >&2
    return 0
  fi
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  fi
  rm -f "$pid_file"
  rm -rf "$state_dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
