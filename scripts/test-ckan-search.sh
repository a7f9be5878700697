#!/usr/bin/env bash
# CKAN's own 240 search-dependent tests (../shared/ckan-search-suite) against our
# PostgreSQL search backend, or (GD_SEARCH_BACKEND=solr, from scripts/test-solr.sh) against
# the local Solr; fails when fewer than GD_SEARCH_SUITE_MIN pass.
#   GD_SEARCH_SUITE_DB  database the suite may wipe (default ckan_search_suite)
#   GD_TEST_DB          the test database whose ini (var/test-$GD_TEST_DB.ini) is the base
source "$(dirname "$0")/lib.sh"
BACKEND=${GD_SEARCH_BACKEND:-postgres}
SUITE=${GD_SHARED:-$GD_ROOT/../shared}/ckan-search-suite
MIN=${GD_SEARCH_SUITE_MIN:-238}
DB=${GD_SEARCH_SUITE_DB:-ckan_search_suite}
if [ ! -f "$SUITE/run.sh" ]; then
  # CKAN's suite is material outside the repository: a clone without shared/ skips it, saying
  # why; CI (GD_REQUIRE_SHARED=1, .ci/run) fails instead.
  msg="CKAN's search suite not found at $SUITE (material outside the repository: set GD_SHARED to the shared/ folder)"
  [ "${GD_REQUIRE_SHARED:-0}" = 1 ] && die "$msg"
  warn "skipped: $msg"; exit 0
fi
"$GD_ROOT/scripts/setup.sh" test >/dev/null
BASE_INI=$VAR/test.ini; [ -n "${GD_TEST_DB:-}" ] && BASE_INI=$VAR/test-$GD_TEST_DB.ini
"$GD_ROOT/scripts/services.sh" createdb "$DB" >/dev/null
# Same settings as the test ini, but CKAN's stock plugin set (the suite's tests set
# ckan.plugins themselves; our backend is a system plugin, active whatever they
# set) and a database of its own: the suite resets the database it runs on.
INI=$VAR/ckan-search-suite-$DB.ini
sed -e "s#^\(sqlalchemy.url = .*/\)[^/]*\$#\1$DB#" -e "s#^ckan.plugins = .*#ckan.plugins = #" \
    -e "s#^scheming\..*##" -e "s#^ckanext.dcat.*##" -e "s#^search.facets = .*##" \
    -e "s#^ckan.locale.*##" -e "s#^ckan.search.show_all_types.*##" -e "s#^ckan.display_timezone.*##" -e "s#^ckan.auth\..*##" \
    "$BASE_INI" > "$INI"
# What CKAN's own test-core.ini (not shipped in the wheel) sets and the suite relies
# on: English messages (locale lines removed above), the resource extra field its
# index tests check, and its permissive auth settings (unowned datasets, groups).
TEST_CORE="ckan.extra_resource_fields = alt_url\nckan.auth.create_unowned_dataset = true\nckan.auth.create_dataset_if_not_in_organization = true\nckan.auth.user_create_groups = true\nckan.auth.user_create_organizations = true\nckan.auth.user_delete_groups = true\nckan.auth.user_delete_organizations = true\nckan.auth.create_user_via_web = true\nckan.auth.public_user_details = true\nckan.locale_order = en pt_BR ja it cs_CZ ca es fr el sv sr sr@latin no sk fi ru de pl nl bg ko_KR hu sa sl lv"
sed -i "s#^\[app:main\]#[app:main]\n$TEST_CORE#" "$INI"
grep -q "^ckanext.guangdong.search_backend = $BACKEND\$" "$INI" || die "$INI does not select the $BACKEND backend"
"$VENV/bin/ckan" -c "$INI" db init >"$LOG/ckan-search-suite-init.log" 2>&1 || die "db init failed, see $LOG/ckan-search-suite-init.log"
OUT=$LOG/ckan-search-suite-$DB.log
set +e
PY=$PY bash "$SUITE/run.sh" "$INI" -q "$@" 2>&1 | tee "$OUT"
set -e
passed=$(tail -n 5 "$OUT" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
echo "CKAN search suite on $BACKEND: $passed passed (floor $MIN)"
[ "$passed" -ge "$MIN" ] || die "CKAN search suite below the floor: $passed < $MIN (see $OUT and docs/search.md)"
