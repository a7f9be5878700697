#!/usr/bin/env bash
# `make lint`: ruff (rules in pyproject.toml) and pyright in standard mode, both must report 0
# errors. The tools (pinned in requirements/lint.txt) live in a venv of their own,
# var/lint-tools; pyright resolves imports against the project's .venv (scripts/venv.sh).
source "$(dirname "$0")/lib.sh"
"$GD_ROOT/scripts/venv.sh"
TOOLS=$VAR/lint-tools
STAMP=$TOOLS/.gd-installed
want=$(sha256sum < "$GD_ROOT/requirements/lint.txt" | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  say "installing ruff and pyright (requirements/lint.txt) into $TOOLS"
  mkdir -p "$LOG"
  { python3 -m venv "$TOOLS" && "$TOOLS/bin/python" -m pip install -q -r "$GD_ROOT/requirements/lint.txt"; } \
    >"$LOG/lint-install.log" 2>&1 || { tail -n 20 "$LOG/lint-install.log" >&2; die "could not install the lint tools"; }
  echo "$want" > "$STAMP"
fi
cd "$GD_ROOT"
status=0
say "ruff check"
"$TOOLS/bin/ruff" check . || status=1
say "pyright (standard mode)"
"$TOOLS/bin/pyright" || status=1
exit $status
