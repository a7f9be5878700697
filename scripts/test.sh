#!/usr/bin/env bash
# `make test`: the services and a separate test database, then the whole pytest suite.
# Exit status is pytest's (5, "no tests collected", counts as failure).
source "$(dirname "$0")/lib.sh"
GD_TEST_TOOLS=1 "$GD_ROOT/scripts/setup.sh" test
cd "$GD_ROOT"
set +e
INI=$VAR/test.ini; [ -n "${GD_TEST_DB:-}" ] && INI=$VAR/test-$GD_TEST_DB.ini
[ $# -eq 0 ] && set -- tests
"$PY" -m pytest --ckan-ini="$INI" "$@"
status=$?
set -e
[ $status -eq 5 ] && warn "pytest collected no tests"
exit $status
