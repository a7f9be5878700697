#!/usr/bin/env bash
# Create .venv and install the pinned stack plus this repository (editable); with GD_TEST_TOOLS=1
# (scripts/test.sh, scripts/test-solr.sh) also the test tools of requirements/test.txt.
# The editable install is setuptools' "compat" mode: a .pth file that puts ckanext-guangdong/ on
# sys.path, which pyright, mypy and editors read (the default mode's import hook they do not run).
# Skipped when the lock files have not changed since the last install.
source "$(dirname "$0")/lib.sh"
STAMP=$VENV/.gd-installed
TEST_STAMP=$VENV/.gd-test-tools
want=$(cat "$GD_ROOT/requirements/requirements.txt" "$GD_ROOT/requirements/constraints.txt" "$GD_ROOT/setup.py" "$GD_ROOT/pyproject.toml" | sha256sum | cut -c1-16)
test_want=$(cat "$GD_ROOT/requirements/test.txt" "$GD_ROOT/requirements/constraints.txt" | sha256sum | cut -c1-16)
install_test_tools() {
  [ -n "${GD_TEST_TOOLS:-}" ] || return 0
  [ -f "$TEST_STAMP" ] && [ "$(cat "$TEST_STAMP")" = "$test_want" ] && return 0
  say "installing the test tools (requirements/test.txt)"
  mkdir -p "$LOG"
  "$PY" -m pip install -c "$GD_ROOT/requirements/constraints.txt" -r "$GD_ROOT/requirements/test.txt" \
    >"$LOG/pip-install-test.log" 2>&1 || { tail -n 40 "$LOG/pip-install-test.log" >&2; die "pip install of the test tools failed, see $LOG/pip-install-test.log"; }
  echo "$test_want" > "$TEST_STAMP"
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$PY" ]; then install_test_tools; exit 0; fi
if [ ! -x "$PY" ]; then
  say "creating virtualenv $VENV"
  python3 -m venv "$VENV" || die "could not create $VENV (is python3-venv installed?)"
fi
say "installing the pinned stack (requirements/constraints.txt); a cold install takes about 2 minutes"
mkdir -p "$LOG"
pip_log=$LOG/pip-install.log
{
  "$PY" -m pip install --upgrade "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0" &&
  "$PY" -m pip install -c "$GD_ROOT/requirements/constraints.txt" -r "$GD_ROOT/requirements/requirements.txt" &&
  "$PY" -m pip install --no-deps -e "$GD_ROOT" --config-settings editable_mode=compat
} >"$pip_log" 2>&1 || { tail -n 40 "$pip_log" >&2; die "pip install failed, see $pip_log"; }
# ckanext is a PEP 420 namespace package in CKAN 2.11; ckanext-xloader's wheel adds a
# pkg_resources-style ckanext/__init__.py that would make it a legacy one (and let an editable
# checkout shadow an installed copy). Remove it, as CKAN's own wheel has none.
"$PY" - <<'PY'
import pathlib, sysconfig
init = pathlib.Path(sysconfig.get_paths()["purelib"]) / "ckanext" / "__init__.py"
if init.exists() and "declare_namespace" in init.read_text():
    init.unlink()
PY
echo "$want" > "$STAMP"
install_test_tools
