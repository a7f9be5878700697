#!/usr/bin/env bash
# Project-local PostgreSQL and Redis under var/, on 127.0.0.1.
#   services.sh start | stop | status
source "$(dirname "$0")/lib.sh"

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

# A quarter of the RAM, between 128 MB and 1 GB (GD_PG_SHARED_BUFFERS_MB overrides): the
# search index of 100k datasets is ~1 GB and is fastest when it stays in PostgreSQL's buffers
# (docs/search.md, "PostgreSQL settings"). Read once, when the cluster is created.
shared_buffers_mb() {
  local ram_mb; ram_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 1024)
  # In a container /proc/meminfo shows the host: a smaller cgroup limit wins.
  local limit; limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || echo max)
  if [[ "$limit" =~ ^[0-9]+$ ]] && [ $(( limit / 1048576 )) -lt "$ram_mb" ]; then ram_mb=$(( limit / 1048576 )); fi
  local mb=${GD_PG_SHARED_BUFFERS_MB:-$(( ram_mb / 4 ))}
  [ "$mb" -lt 128 ] && mb=128
  [ -z "${GD_PG_SHARED_BUFFERS_MB:-}" ] && [ "$mb" -gt 1024 ] && mb=1024
  echo "$mb"
}

pg_init() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (looked in ${PG_BIN:-/usr/lib/postgresql/*/bin}); run scripts/system-packages.sh as root"
  if [ -d "$PGDATA" ] && [ ! -f "$PGDATA/PG_VERSION" ] && [ -n "$(ls -A "$PGDATA" 2>/dev/null)" ]; then
    die "$PGDATA exists but is not a PostgreSQL cluster (half-initialised?). Nothing was deleted. Move it aside (mv $PGDATA $PGDATA.broken) and run again."
  fi
  [ -f "$PGDATA/PG_VERSION" ] && return 0
  say "creating PostgreSQL cluster in $PGDATA"
  mkdir -p "$PGDATA" "$RUN/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA" "$RUN/pg"; fi
  chmod 700 "$PGDATA"
  local pwfile; pwfile=$(mktemp); secret db_password > "$pwfile"; chmod 644 "$pwfile"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$LOG/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; die "initdb failed, see $LOG/initdb.log (is $VAR writable by the postgres user?)"; }
  rm -f "$pwfile"
  cat >> "$PGDATA/postgresql.conf" <<CONF
# ckanext-guangdong: local cluster, loopback only
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN/pg'
shared_buffers = $(shared_buffers_mb)MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = ${GD_PG_FSYNC:-on}
synchronous_commit = ${GD_PG_SYNC_COMMIT:-on}
CONF
}

pg_start() {
  if pg_running; then return 0; fi
  port_busy "$GD_PG_PORT" && die "port $GD_PG_PORT is in use by another program. Stop it or choose another port: GD_PG_PORT=5543 make ..."
  pg_init
  mkdir -p "$RUN/pg" "$LOG/pg"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$RUN/pg" "$LOG/pg"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -o "-p $GD_PG_PORT" -l "$LOG/pg/postgresql.log" -w -t 60 start >/dev/null \
    || die "PostgreSQL did not start, see $LOG/pg/postgresql.log"
  pg_roles
}

psql_admin() { as_pg "$PG_BIN/psql" -h "$RUN/pg" -p "$GD_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# login_role NAME PASSWORD: a login role (no superuser, no createdb) with this password.
login_role() {
  psql_admin -d postgres -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN
      CREATE ROLE $1 LOGIN PASSWORD '$2';
    ELSE ALTER ROLE $1 PASSWORD '$2'; END IF; END\$\$;"
}

pg_roles() {
  login_role "$GD_DB_USER" "$(secret db_password)"
  # The DataStore's two roles: the write one owns the DataStore databases, the read one
  # (datastore_search_sql) may only read them (docs/data.md).
  login_role "$GD_DS_WRITE_USER" "$(secret datastore_write_password)"
  login_role "$GD_DS_READ_USER" "$(secret datastore_read_password)"
}

# createdb NAME: make a database owned by our role if it does not exist, and its DataStore
# database NAME_datastore owned by the DataStore's write role. Only their owners (and the
# DataStore's read role, on the DataStore database: `datastore-permissions`) may connect.
pg_createdb() {
  local db
  for db in "$1" "$1_datastore"; do
    local owner=$GD_DB_USER; [ "$db" = "$1_datastore" ] && owner=$GD_DS_WRITE_USER
    if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      say "creating database $db"
      psql_admin -d postgres -c "CREATE DATABASE $db OWNER $owner ENCODING 'UTF8' TEMPLATE template0"
      psql_admin -d postgres -c "REVOKE CONNECT ON DATABASE $db FROM PUBLIC"
    fi
  done
}

# datastore-permissions INI: CKAN's own permission script for the DataStore (read role: SELECT
# only, new tables readable by default; the full-text trigger), run as the superuser.
pg_datastore_permissions() {
  "$VENV/bin/ckan" -c "$1" datastore set-permissions 2>/dev/null | psql_admin -d postgres >/dev/null \
    || die "ckan datastore set-permissions failed for $1"
}

redis_start() {
  if pid_alive "$RUN/redis.pid"; then return 0; fi
  port_busy "$GD_REDIS_PORT" && die "port $GD_REDIS_PORT is in use by another program. Stop it or choose another port: GD_REDIS_PORT=6390 make ..."
  command -v redis-server >/dev/null || die "redis-server not installed; run scripts/system-packages.sh as root"
  mkdir -p "$VAR/redis"
  redis-server --bind 127.0.0.1 --port "$GD_REDIS_PORT" --daemonize yes --pidfile "$RUN/redis.pid" \
    --dir "$VAR/redis" --logfile "$LOG/redis.log" --save 60 1000 --protected-mode yes \
    || die "Redis did not start, see $LOG/redis.log"
  for _ in $(seq 50); do pid_alive "$RUN/redis.pid" && port_busy "$GD_REDIS_PORT" && return 0; sleep 0.1; done
  die "Redis did not start, see $LOG/redis.log"
}

stop_all() {
  "$GD_ROOT/scripts/solr.sh" stop
  "$GD_ROOT/scripts/solr.sh" cloud-stop
  if pid_alive "$RUN/redis.pid"; then kill "$(cat "$RUN/redis.pid")"; say "stopped Redis"; fi
  if pg_running; then as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; say "stopped PostgreSQL"; fi
}

mkdir -p "$VAR" "$RUN" "$LOG" || die "cannot create $VAR (permissions?)"
[ -w "$VAR" ] || die "$VAR is not writable by $(id -un)"
case "${1:-}" in
  # Solr only where the portal searches it (GD_SEARCH_BACKEND=solr, scripts/solr.sh)
  start) pg_start; redis_start; [ "${GD_SEARCH_BACKEND:-postgres}" = solr ] && "$GD_ROOT/scripts/solr.sh" start; true ;;
  createdb) shift; pg_start; pg_roles; for db in "$@"; do pg_createdb "$db"; done ;;
  datastore-permissions) shift; pg_start; pg_datastore_permissions "$1" ;;
  stop) stop_all ;;
  status) pg_running && echo "postgresql: running on $GD_PG_PORT" || echo "postgresql: stopped"
          pid_alive "$RUN/redis.pid" && echo "redis: running on $GD_REDIS_PORT" || echo "redis: stopped"
          "$GD_ROOT/scripts/solr.sh" status ;;
  *) die "usage: services.sh start|createdb NAME...|datastore-permissions INI|stop|status" ;;
esac
