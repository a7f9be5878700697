#!/usr/bin/env bash
# A real Solr 9 on 127.0.0.1 without Docker, from Maven artifacts (docs/deployment.md,
# "Solr without Docker"): docker/solr/launcher builds a small launcher around Solr's own
# JettySolrRunner, which serves var/solr/home with the cores "ckan" (make run) and
# "ckan_test" (make test-solr), both on the config set docker/solr/conf, the very files
# the docker image uses.
#   solr.sh build        build the launcher once (cached: var/solr/build, ~/.m2)
#   solr.sh start|stop|status
#   solr.sh cloud-start|cloud-stop|cloud-status   SolrCloud spike: 2 nodes + ZooKeeper in one JVM
#   solr.sh cloud-node stop|start N               stop or restart node N of the cloud
# Settings: GD_SOLR_PORT (8983), GD_SOLR_HEAP (512m; cloud: GD_SOLR_CLOUD_HEAP, 768m).
source "$(dirname "$0")/lib.sh"
LAUNCHER=$GD_ROOT/docker/solr/launcher
BUILD=$VAR/solr/build
HOME_DIR=$VAR/solr/home
CLOUD_DIR=$VAR/solr/cloud
CORES=(ckan ckan_test)

build_stamp() { cat "$LAUNCHER/pom.xml" $(find "$LAUNCHER/src" -type f | sort) | sha256sum | cut -c1-16; }

classpath() { echo "$BUILD/guangdong-solr-launcher-1.0.jar:$(cat "$BUILD/classpath.txt")"; }

built() {  # the stamp matches and every jar of the classpath is still in ~/.m2
  [ -f "$BUILD/.stamp" ] && [ "$(cat "$BUILD/.stamp")" = "$(build_stamp)" ] || return 1
  local jar; local IFS=:
  for jar in $(classpath); do [ -f "$jar" ] || return 1; done
}

build() {
  built && return 0
  GD_SOLR_TOOLS=1 "$GD_ROOT/scripts/system-packages.sh"
  say "building the Solr launcher (Maven; the first build downloads Solr 9 from Maven Central)"
  mkdir -p "$BUILD" "$LOG"
  local t0=$SECONDS
  mvn -B -q -f "$LAUNCHER/pom.xml" -Dgd.build.dir="$BUILD" package >"$LOG/solr-build.log" 2>&1 \
    || { tail -n 30 "$LOG/solr-build.log" >&2; die "the Solr launcher did not build, see $LOG/solr-build.log"; }
  build_stamp > "$BUILD/.stamp"
  say "Solr launcher built in $((SECONDS - t0)) s"
}

# The solr home: solr.xml, the config set "ckan" as a link to docker/solr (so that
# configsets/ckan/conf is docker/solr/conf itself), and one folder per core.
layout_home() {
  mkdir -p "$HOME_DIR/configsets"
  ln -sfn "$GD_ROOT/docker/solr" "$HOME_DIR/configsets/ckan"
  [ -f "$HOME_DIR/solr.xml" ] || printf '<?xml version="1.0" encoding="UTF-8" ?>\n<solr/>\n' > "$HOME_DIR/solr.xml"
  local core
  for core in "${CORES[@]}"; do
    mkdir -p "$HOME_DIR/$core"
    printf 'name=%s\nconfigSet=ckan\n' "$core" > "$HOME_DIR/$core/core.properties"
  done
}

java_opts() {  # heap: bounded for a 2-core machine shared with PostgreSQL and the tests
  echo "-Xms64m -Xmx$1 -Dsolr.log.dir=$LOG -Dlog4j2.configurationFile=$LAUNCHER/log4j2.xml"
}

ping() { curl -fsS -o /dev/null "http://127.0.0.1:$GD_SOLR_PORT/solr/$1/admin/ping" 2>/dev/null; }

start() {
  if pid_alive "$RUN/solr.pid"; then return 0; fi
  pid_alive "$RUN/solr-cloud.pid" && die "the SolrCloud spike is running on $GD_SOLR_PORT; 'scripts/solr.sh cloud-stop' first"
  port_busy "$GD_SOLR_PORT" && die "port $GD_SOLR_PORT is in use by another program. Stop it or choose another port: GD_SOLR_PORT=8984 make ..."
  command -v java >/dev/null || GD_SOLR_TOOLS=1 "$GD_ROOT/scripts/system-packages.sh"
  build
  layout_home
  mkdir -p "$RUN" "$LOG"
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2046
  setsid java $(java_opts "${GD_SOLR_HEAP:-512m}") -cp "$(classpath)" cn.gov.gd.solr.GuangdongSolr \
    single "$HOME_DIR" "$GD_SOLR_PORT" >>"$LOG/solr.log" 2>&1 < /dev/null &
  echo $! > "$RUN/solr.pid"
  for _ in $(seq 600); do
    ping ckan && ping ckan_test && break
    pid_alive "$RUN/solr.pid" || { tail -n 30 "$LOG/solr.log" >&2; die "Solr did not start, see $LOG/solr.log"; }
    sleep 0.1
  done
  ping ckan || { stop_pid "$RUN/solr.pid" Solr; die "Solr did not answer within 60 s, see $LOG/solr.log"; }
  say "Solr is serving http://127.0.0.1:$GD_SOLR_PORT/solr/ckan (started in $(( ($(date +%s%N) - t0) / 1000000 )) ms; log $LOG/solr.log)"
}

stop_pid() {  # stop_pid FILE NAME: SIGTERM (Solr closes its cores), SIGKILL after 30 s
  pid_alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { warn "$2 did not stop within 30 s: killed"; kill -KILL "$pid" 2>/dev/null || true; }
  rm -f "$1"
  say "stopped $2"
}

cloud_start() {
  if pid_alive "$RUN/solr-cloud.pid"; then return 0; fi
  pid_alive "$RUN/solr.pid" && die "Solr is running on $GD_SOLR_PORT; 'scripts/solr.sh stop' first"
  port_busy "$GD_SOLR_PORT" && die "port $GD_SOLR_PORT is in use by another program"
  build
  rm -rf "$CLOUD_DIR"; mkdir -p "$CLOUD_DIR" "$RUN" "$LOG"  # a new cluster each start
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2046
  setsid java $(java_opts "${GD_SOLR_CLOUD_HEAP:-768m}") -cp "$(classpath)" cn.gov.gd.solr.GuangdongSolr \
    cloud "$CLOUD_DIR" "$GD_SOLR_PORT" "$GD_ROOT/docker/solr/conf" ckan 2 2 >>"$LOG/solr-cloud.log" 2>&1 < /dev/null &
  echo $! > "$RUN/solr-cloud.pid"
  for _ in $(seq 1800); do
    [ -f "$CLOUD_DIR/state.json" ] && break
    pid_alive "$RUN/solr-cloud.pid" || { tail -n 40 "$LOG/solr-cloud.log" >&2; die "SolrCloud did not start, see $LOG/solr-cloud.log"; }
    sleep 0.1
  done
  [ -f "$CLOUD_DIR/state.json" ] || { stop_pid "$RUN/solr-cloud.pid" SolrCloud; die "SolrCloud did not start within 180 s, see $LOG/solr-cloud.log"; }
  say "SolrCloud is serving collection ckan at http://127.0.0.1:$GD_SOLR_PORT/solr/ckan (started in $(( ($(date +%s%N) - t0) / 1000000 )) ms; $CLOUD_DIR/state.json)"
}

cloud_node() {  # cloud_node stop|start N: asks the running cluster, waits for state.json to say so
  local action=$1 n=$2 want
  pid_alive "$RUN/solr-cloud.pid" || die "SolrCloud is not running"
  case "$action" in stop) want=false ;; start) want=true ;; *) die "usage: solr.sh cloud-node stop|start N" ;; esac
  touch "$CLOUD_DIR/control/$action-node-$n"
  for _ in $(seq 1200); do
    "$PY" - "$CLOUD_DIR/state.json" "$n" "$want" <<'PY' && return 0
import json, sys
state = json.load(open(sys.argv[1]))
sys.exit(0 if str(state["nodes"][int(sys.argv[2]) - 1]["running"]).lower() == sys.argv[3] else 1)
PY
    sleep 0.1
  done
  die "node $n did not $action within 120 s, see $LOG/solr-cloud.log"
}

status() {
  if pid_alive "$RUN/solr.pid"; then echo "solr: running on $GD_SOLR_PORT (pid $(cat "$RUN/solr.pid"))"; else echo "solr: stopped"; fi
  if pid_alive "$RUN/solr-cloud.pid"; then echo "solr-cloud: running, $(cat "$CLOUD_DIR/state.json" 2>/dev/null)"; fi
}

mkdir -p "$VAR" "$RUN" "$LOG"
case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop_pid "$RUN/solr.pid" Solr ;;
  status) status ;;
  cloud-start) cloud_start ;;
  cloud-stop) stop_pid "$RUN/solr-cloud.pid" SolrCloud ;;
  cloud-status) status ;;
  cloud-node) cloud_node "${2:-}" "${3:-}" ;;
  *) die "usage: solr.sh build|start|stop|status|cloud-start|cloud-stop|cloud-status|cloud-node stop|start N" ;;
esac
