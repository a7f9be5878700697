#!/usr/bin/env bash
# Bring this checkout to a runnable state; idempotent and safe to repeat.
#   setup.sh run   -> var/ckan.ini, database "ckan", sysadmin, demo catalog
#   setup.sh test  -> var/test.ini, database "ckan_test"
source "$(dirname "$0")/lib.sh"
PROFILE=${1:-run}
case "$PROFILE" in run|test) ;; *) die "usage: setup.sh run|test" ;; esac

"$GD_ROOT/scripts/system-packages.sh"
"$GD_ROOT/scripts/venv.sh"
mkdir -p "$VAR" "$LOG" "$RUN"
secret secret_key >/dev/null; secret db_password >/dev/null
secret datastore_write_password >/dev/null; secret datastore_read_password >/dev/null
"$GD_ROOT/scripts/services.sh" start
if [ "$PROFILE" = run ]; then DB=ckan; else DB=${GD_TEST_DB:-ckan_test}; fi
"$GD_ROOT/scripts/services.sh" createdb "$DB"
INI=$("$PY" "$GD_ROOT/scripts/render_config.py" "$PROFILE")
mkdir -p "$VAR/storage" "$VAR/storage-test"
"$PY" "$GD_ROOT/scripts/compile_translations.py" >/dev/null

STAMP=$VAR/.migrated-$DB
want=$(find "$GD_ROOT/ckanext-guangdong/ckanext/guangdong/migration" -name "*.py" -path "*versions*" -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  say "applying database migrations (core, activity, harvest, guangdong)"
  "$VENV/bin/ckan" -c "$INI" db upgrade >"$LOG/migrate-$DB.log" 2>&1 \
    || { tail -n 30 "$LOG/migrate-$DB.log" >&2; die "migrations failed, see $LOG/migrate-$DB.log"; }
  echo "$want" > "$STAMP"
fi

# The DataStore's permissions (CKAN's set-permissions script), once per database and ini.
DS_STAMP=$VAR/.datastore-permissions-$DB
ds_want=$(grep -E '^(sqlalchemy.url|ckan.datastore)' "$INI" | sha256sum | cut -c1-16)
if [ ! -f "$DS_STAMP" ] || [ "$(cat "$DS_STAMP")" != "$ds_want" ]; then
  say "setting the DataStore permissions (${DB}_datastore: $GD_DS_WRITE_USER writes, $GD_DS_READ_USER reads)"
  "$GD_ROOT/scripts/services.sh" datastore-permissions "$INI"
  echo "$ds_want" > "$DS_STAMP"
fi

if [ "$PROFILE" = run ]; then
  ADMIN=${GD_ADMIN_USER:-admin}
  if [ ! -f "$VAR/secrets/admin_created" ]; then
    PW=${GD_ADMIN_PASSWORD:-$(secret admin_password)}
    "$VENV/bin/ckan" -c "$INI" user add "$ADMIN" email="$ADMIN@open.gd.gov.cn" password="$PW" fullname="平台管理员" >/dev/null 2>&1 || true
    "$VENV/bin/ckan" -c "$INI" sysadmin add "$ADMIN" >/dev/null 2>&1 || die "could not make $ADMIN a sysadmin"
    touch "$VAR/secrets/admin_created"
    say "sysadmin '$ADMIN' created; password: $PW (kept in var/secrets/admin_password)"
  fi
  if [ ! -f "$VAR/.demo-loaded" ]; then
    say "loading the demo catalog"
    "$VENV/bin/ckan" -c "$INI" guangdong demo load >"$LOG/demo.log" 2>&1 \
      || { tail -n 30 "$LOG/demo.log" >&2; die "demo catalog failed to load, see $LOG/demo.log"; }
    touch "$VAR/.demo-loaded"
  fi
  # The demo's accounts (docs/demo-accounts.md): a department editor, its organization admin and
  # a provincial reviewer, each with a generated password kept in var/secrets/ and printed once.
  if [ ! -f "$VAR/secrets/demo_accounts_created" ]; then
    for u in demo-editor demo-orgadmin demo-reviewer; do
      export "GD_DEMO_PASSWORD_$(echo "$u" | tr 'a-z-' 'A-Z_')=$(secret "${u//-/_}_password")"
    done
    "$VENV/bin/ckan" -c "$INI" guangdong demo accounts >"$LOG/demo-accounts.log" 2>&1 \
      || { tail -n 30 "$LOG/demo-accounts.log" >&2; die "demo accounts failed, see $LOG/demo-accounts.log"; }
    touch "$VAR/secrets/demo_accounts_created"
    say "demo accounts (department 广东省统计局 = gdstats):"
    say "  demo-editor    (editor: publishes)           password: $(cat "$VAR/secrets/demo_editor_password")"
    say "  demo-orgadmin  (approves its reviews: admin) password: $(cat "$VAR/secrets/demo_orgadmin_password")"
    say "  demo-reviewer  (provincial reviewer)           password: $(cat "$VAR/secrets/demo_reviewer_password")"
    say "  (kept in var/secrets/demo_*_password)"
  fi
  if [ ! -f "$VAR/.city-sources-loaded" ]; then
    say "registering the city portals as harvest sources (config/city_sources.yaml)"
    "$VENV/bin/ckan" -c "$INI" guangdong harvest sources load >"$LOG/city-sources.log" 2>&1 \
      || { tail -n 30 "$LOG/city-sources.log" >&2; die "loading harvest sources failed, see $LOG/city-sources.log"; }
    touch "$VAR/.city-sources-loaded"
  fi
fi

# The search index follows the backend (GD_SEARCH_BACKEND, default postgres): after a
# switch, or when Solr's core is empty (var/solr removed), rebuild it from the database.
if [ "$PROFILE" = run ]; then
  BACKEND=${GD_SEARCH_BACKEND:-postgres}
  rebuild=
  [ "$(cat "$VAR/.search-backend" 2>/dev/null || echo postgres)" != "$BACKEND" ] && rebuild=1
  if [ "$BACKEND" = solr ] && [ -z "$rebuild" ]; then
    solr_count=$(curl -fsS "http://127.0.0.1:${GD_SOLR_PORT:-8983}/solr/ckan/select?q=*:*&rows=0&wt=json" \
      | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["response"]["numFound"])') || die "Solr does not answer"
    [ "$solr_count" = 0 ] && rebuild=1
  fi
  if [ -n "$rebuild" ]; then
    say "search backend $BACKEND: rebuilding its index from the database (ckan search-index rebuild)"
    "$VENV/bin/ckan" -c "$INI" search-index rebuild >"$LOG/search-rebuild.log" 2>&1 \
      || { tail -n 30 "$LOG/search-rebuild.log" >&2; die "search-index rebuild failed, see $LOG/search-rebuild.log"; }
  fi
  echo "$BACKEND" > "$VAR/.search-backend"
fi
