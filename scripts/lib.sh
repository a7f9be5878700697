# Shared settings and helpers for the scripts in this folder (sourced, not run).
# Every setting can be overridden from the environment; defaults are in README.md.
set -euo pipefail

GD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GD_ROOT
VAR=${GD_VAR:-$GD_ROOT/var}
VENV=${GD_VENV:-$GD_ROOT/.venv}
PY=$VENV/bin/python
export GD_PG_PORT=${GD_PG_PORT:-25432}
export GD_REDIS_PORT=${GD_REDIS_PORT:-63799}
export GD_WEB_PORT=${GD_WEB_PORT:-5000}
export GD_SOLR_PORT=${GD_SOLR_PORT:-8983}
export GD_WEB_HOST=${GD_WEB_HOST:-127.0.0.1}
export GD_DB_USER=${GD_DB_USER:-ckan}
export GD_DS_WRITE_USER=${GD_DS_WRITE_USER:-datastore_write}
export GD_DS_READ_USER=${GD_DS_READ_USER:-datastore_read}
PG_BIN=${GD_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PGDATA=$VAR/pgdata
RUN=$VAR/run
LOG=$VAR/log

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# True if something already listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Run a command as the PostgreSQL service user (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# A secret kept under var/ so that it survives restarts; made once.
secret() {
  local file=$VAR/secrets/$1
  if [ ! -s "$file" ]; then
    mkdir -p "$VAR/secrets"; chmod 700 "$VAR/secrets"
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$file"
    chmod 600 "$file"
  fi
  cat "$file"
}
