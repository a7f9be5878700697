#!/usr/bin/env bash
# Stop every process `make run` started (by the pids it recorded), then PostgreSQL and Redis.
source "$(dirname "$0")/lib.sh"
mkdir -p "$RUN"; touch "$RUN/stopping"  # tells a running scripts/run.sh that this stop is deliberate
for name in portals web gather fetch scheduler worker; do
  pidfile=$RUN/$name.pid
  if pid_alive "$pidfile"; then
    pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    say "stopped $name"
  fi
  rm -f "$pidfile"
done
# A running scripts/run.sh ends what it started after this sweep; wait for it, so that a
# `make run` right after this one cannot meet its leftovers.
if [ -z "${GD_STOP_FROM_RUN:-}" ] && pid_alive "$RUN/run.pid"; then
  for _ in $(seq 150); do pid_alive "$RUN/run.pid" || break; sleep 0.1; done
fi
[ -z "${GD_STOP_FROM_RUN:-}" ] && rm -f "$RUN/run.pid"
[ "${1:-}" = --keep-services ] || "$GD_ROOT/scripts/services.sh" stop
