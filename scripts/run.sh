#!/usr/bin/env bash
# Serve the portal in the foreground: web app, harvest consumers, scheduler, job worker.
# Ctrl-C (or `make stop` from another shell) stops every process started here.
source "$(dirname "$0")/lib.sh"
INI=$VAR/ckan.ini
[ -f "$INI" ] || die "$INI missing: run scripts/setup.sh run first"
for f in run web gather fetch scheduler worker portals; do
  pid_alive "$RUN/$f.pid" && die "the portal is already running (pid $(cat "$RUN/$f.pid")); 'make stop' first"
done
port_busy "$GD_WEB_PORT" && die "port $GD_WEB_PORT is in use by another program. Stop it or choose another: GD_WEB_PORT=5050 make run"

export CKAN_INI=$INI
rm -f "$RUN/stopping"
echo $$ > "$RUN/run.pid"  # scripts/stop.sh waits for this script to finish its own cleanup
# Our own calls of stop.sh must not wait for this script.
stop_all() { GD_STOP_FROM_RUN=1 "$GD_ROOT/scripts/stop.sh" "$@"; }
stopping() { [ -f "$RUN/stopping" ]; }  # `make stop` has begun (scripts/stop.sh)
start() {  # start NAME COMMAND... : in its own session, pid in var/run/NAME.pid, log in var/log/NAME.log
  local name=$1; shift
  stopping && return 0  # nothing new once a stop has begun
  setsid "$@" >>"$LOG/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}
# gunicorn's control socket in this checkout's var/run (its default is one path in the home
# directory, shared by every clone and user session); none if the path is too long for a
# Unix socket (108 bytes).
CONTROL=(--control-socket "$RUN/gunicorn.ctl")
[ ${#RUN} -gt 90 ] && CONTROL=(--no-control-socket)
start web "$VENV/bin/gunicorn" ckanext.guangdong.wsgi:application \
  --bind "$GD_WEB_HOST:$GD_WEB_PORT" --workers "${GD_WEB_WORKERS:-2}" --threads 4 --timeout 120 \
  --limit-request-line 8190 \
  "${CONTROL[@]}" --access-logfile "$LOG/access.log"
WEB_PID=$(cat "$RUN/web.pid")  # the web app this script watches (a later run writes its own file)
trap 'stop_all; exit 0' INT TERM
for _ in $(seq 120); do
  curl -fsS -o /dev/null "http://$GD_WEB_HOST:$GD_WEB_PORT/api/3/action/status_show" 2>/dev/null && break
  stopping && exit 0  # `make stop` while starting
  pid_alive "$RUN/web.pid" || { tail -n 30 "$LOG/web.log" >&2; stop_all; die "the web app did not start, see $LOG/web.log"; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://$GD_WEB_HOST:$GD_WEB_PORT/api/3/action/status_show" 2>/dev/null \
  || { stop_all; die "the web app did not answer within 60 s, see $LOG/web.log"; }
say "开放广东 is serving at http://$GD_WEB_HOST:$GD_WEB_PORT  (logs in var/log/, Ctrl-C or 'make stop' to stop)"
if [ "${GD_DEMO_CITY_PORTALS:-1}" = 1 ]; then
  # Local stand-ins for three city portals (开放广东-style API + DCAT on 5101, CKAN on 5102),
  # which the demo's harvest sources (config/city_sources.yaml) point at.
  API_PORT=${GD_DEMO_API_PORT:-5101} CITY_PORT=${GD_DEMO_CKAN_PORT:-5102}
  if port_busy "$API_PORT" || port_busy "$CITY_PORT"; then
    warn "port $API_PORT or $CITY_PORT is in use: the demo city portals were not started"
  else
    start portals "$VENV/bin/ckan" -c "$INI" guangdong harvest portals serve --port "$API_PORT" --ckan-port "$CITY_PORT"
    # Wait for them (the CKAN city seeds itself on first start), so the first scheduled
    # harvests find them up.
    for _ in $(seq 180); do
      port_busy "$API_PORT" && port_busy "$CITY_PORT" && break
      pid_alive "$RUN/portals.pid" && ! stopping || break
      sleep 0.5
    done
  fi
fi
# The workers start once the web app answers, so that they do not slow its start-up.
start gather "$VENV/bin/ckan" -c "$INI" harvester gather-consumer
start fetch "$VENV/bin/ckan" -c "$INI" harvester fetch-consumer
start scheduler "$VENV/bin/ckan" -c "$INI" guangdong scheduler
# CKAN's background jobs (RQ on our Redis): DataStore loads of uploaded and harvested files.
start worker "$VENV/bin/ckan" -c "$INI" jobs worker
while kill -0 "$WEB_PID" 2>/dev/null; do sleep 1; done
if stopping; then  # `make stop` from another shell: it may have passed before a later start here
  stop_all --keep-services >/dev/null
  exit 0
fi
warn "the web app exited, see $LOG/web.log"
stop_all
