#!/usr/bin/env bash
# CKAN's own 240 search-dependent tests (../shared/ckan-search-suite) against our
# PostgreSQL search backend; fails when fewer than GD_SEARCH_SUITE_MIN pass.
source "$(dirname "$0")/lib.sh"
SUITE=${GD_SHARED:-$GD_ROOT/../shared}/ckan-search-suite
MIN=${GD_SEARCH_SUITE_MIN:-238}
[ -x "$SUITE/run.sh" ] || [ -f "$SUITE/run.sh" ] || die "$SUITE/run.sh not found (set GD_SHARED to the shared/ folder)"
"$GD_ROOT/scripts/setup.sh" test >/dev/null
"$GD_ROOT/scripts/services.sh" createdb ckan_search_suite >/dev/null
# Same settings as the test ini, but CKAN's stock plugin set and a database of its own:
# the suite resets the database it runs on.
INI=$VAR/ckan-search-suite.ini
sed -e "s#/ckan_test\$#/ckan_search_suite#" -e "s#^ckan.plugins = .*#ckan.plugins = #" \
    -e "s#^scheming\..*##" -e "s#^ckanext.dcat.*##" "$VAR/test.ini" > "$INI"
"$VENV/bin/ckan" -c "$INI" db init >"$LOG/ckan-search-suite-init.log" 2>&1 || die "db init failed, see $LOG/ckan-search-suite-init.log"
OUT=$LOG/ckan-search-suite.log
set +e
PY=$PY bash "$SUITE/run.sh" "$INI" -q "$@" 2>&1 | tee "$OUT"
set -e
passed=$(tail -n 5 "$OUT" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
echo "CKAN search suite: $passed passed (floor $MIN)"
[ "$passed" -ge "$MIN" ] || die "CKAN search suite below the floor: $passed < $MIN (see $OUT and docs/search.md)"
