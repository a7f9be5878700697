#!/usr/bin/env bash
# `make test-solr`: the same search tests against a real Solr (scripts/solr.sh, our
# docker/solr/conf) instead of the embedded PostgreSQL backend:
#   1. the project's engine-neutral search tests (pytest marker `search_engine_neutral`) and
#      the Solr-only checks of tests/solr (marker `solr`),
#   2. CKAN's own search suite (../shared/ckan-search-suite; skipped when absent),
#   3. the SolrCloud test (marker `solrcloud`: 2 nodes, one stopped; GD_SOLR_CLOUD=0 skips it).
# Solr is started if it is not running, and stopped again at the end if it was started here.
#   GD_SOLR_TEST_DB        test database (default ckan_test_solr; the ini is var/test-<db>.ini)
#   GD_SOLR_SUITE_MIN      floor for CKAN's suite on Solr (default 238)
source "$(dirname "$0")/lib.sh"
export GD_SEARCH_BACKEND=solr
export GD_TEST_DB=${GD_SOLR_TEST_DB:-ckan_test_solr}
started=; cloud=
if ! pid_alive "$RUN/solr.pid"; then started=1; fi
stop_solr() { [ -n "$started" ] && "$GD_ROOT/scripts/solr.sh" stop >/dev/null; true; }
stop_all() { stop_solr; [ -n "$cloud" ] && "$GD_ROOT/scripts/solr.sh" cloud-stop >/dev/null; true; }
trap stop_all EXIT
# "N passed" / "N failed" from the closing line of a pytest log, summed over the parts
passed=0; failed=0
tally() {
  local last p f
  last=$(grep -E '(passed|failed|error).* in [0-9.]+s' "$1" 2>/dev/null | tail -n 1 || true)
  p=$(grep -oE '[0-9]+ passed' <<<"$last" | awk '{s += $1} END {print s + 0}' || true)
  f=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$last" | awk '{s += $1} END {print s + 0}' || true)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
"$GD_ROOT/scripts/solr.sh" start
GD_TEST_TOOLS=1 "$GD_ROOT/scripts/setup.sh" test
INI=$VAR/test-$GD_TEST_DB.ini
grep -q "^ckanext.guangdong.search_backend = solr$" "$INI" || die "$INI does not select the solr backend"
cd "$GD_ROOT"
status=0

say "1/3 the project's engine-neutral search tests on Solr ($INI)"
set +e
"$PY" -m pytest --ckan-ini="$INI" -m "search_engine_neutral or solr" tests "$@" 2>&1 | tee "$LOG/test-solr-1.log"
rc=${PIPESTATUS[0]}
set -e
tally "$LOG/test-solr-1.log"
[ $rc -eq 5 ] && warn "no engine-neutral search test was collected"
[ $rc -ne 0 ] && status=1

SUITE=${GD_SHARED:-$GD_ROOT/../shared}/ckan-search-suite
if [ -f "$SUITE/run.sh" ]; then
  say "2/3 CKAN's own search suite on Solr"
  GD_SEARCH_SUITE_DB=ckan_search_suite_solr GD_SEARCH_SUITE_MIN=${GD_SOLR_SUITE_MIN:-238} \
    "$GD_ROOT/scripts/test-ckan-search.sh" || status=1
  tally "$LOG/ckan-search-suite-ckan_search_suite_solr.log"
elif [ "${GD_REQUIRE_SHARED:-0}" = 1 ]; then
  warn "2/3 failed: CKAN's search suite is not at $SUITE and GD_REQUIRE_SHARED=1 (set GD_SHARED)"; status=1
else
  warn "2/3 skipped: CKAN's search suite is not at $SUITE (it lives in the shared/ folder beside the repository; set GD_SHARED)"
fi

if [ "${GD_SOLR_CLOUD:-1}" != 1 ]; then
  warn "3/3 skipped: GD_SOLR_CLOUD=0"
elif [ -z "$started" ]; then
  warn "3/3 skipped: a Solr started before this run holds port $GD_SOLR_PORT, which the cloud's first node needs ('scripts/solr.sh stop' to include it)"
else
  say "3/3 SolrCloud: 2 nodes, 2 shards x 2 replicas, one node stopped"
  stop_solr; started=  # the cloud's first node takes the same port
  cloud=1
  "$GD_ROOT/scripts/solr.sh" cloud-start
  # the test ini, with CKAN's solr_url on the collection (a node's URL; any node routes)
  CLOUD_INI=$VAR/test-$GD_TEST_DB-cloud.ini
  sed "s#^solr_url = .*#solr_url = http://127.0.0.1:$GD_SOLR_PORT/solr/ckan#" "$INI" > "$CLOUD_INI"
  set +e
  GD_SOLR_CLOUD_TEST=1 "$PY" -m pytest --ckan-ini="$CLOUD_INI" -m solrcloud tests 2>&1 | tee "$LOG/test-solr-3.log"
  rc=${PIPESTATUS[0]}
  set -e
  tally "$LOG/test-solr-3.log"
  "$GD_ROOT/scripts/solr.sh" cloud-stop; cloud=
  [ $rc -ne 0 ] && status=1
fi
echo "test-solr: $passed passed, $failed failed"
exit $status
