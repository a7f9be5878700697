#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those that are missing.
source "$(dirname "$0")/lib.sh"
NEEDED=(postgresql postgresql-contrib libpq-dev redis-server python3-venv python3-dev build-essential git curl libmagic1)
# Test tools: headless Chromium for the browser suite (with a CJK font, so screenshots of
# Chinese pages are readable), the compose CLI to validate docker/.
[ -n "${GD_TEST_TOOLS:-}" ] && NEEDED+=(chromium fonts-wqy-microhei docker-compose)
# Solr from Maven artifacts (scripts/solr.sh): a Java 17 JDK and Maven, unless already on PATH
# (machines that come with their own JDK).
if [ -n "${GD_SOLR_TOOLS:-}" ]; then
  command -v java >/dev/null && command -v javac >/dev/null || NEEDED+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || NEEDED+=(maven)
fi
missing=()
for pkg in "${NEEDED[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv/python3-dev are not needed when the interpreter comes with its own venv and headers.
if python3 -c 'import venv, sysconfig, os; assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}"); missing=("${missing[@]/python3-dev}")
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -v '^$' || true)
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install -y ${missing[*]}"
say "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged servers; ours run from var/ on other ports, so stop the packaged ones.
if command -v service >/dev/null; then service redis-server stop >/dev/null 2>&1 || true; fi
