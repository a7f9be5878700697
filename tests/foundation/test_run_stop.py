"""`make stop` ends everything `make run` started, whenever it arrives.

The first test drives scripts/run.sh and scripts/stop.sh for real with stand-in programs (a
tiny HTTP server for gunicorn, sleepers for the CKAN commands: starting the real stack here
would take a minute and is what `make run` itself shows); the second starts the real demo
city portals command and stops it while its city CKAN is still starting."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_mentioning(marker: str) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            found[int(entry.name)] = cmdline
    return found


def _end(pids) -> None:
    for pid in pids:  # only processes this test started (found by its unique marker)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


GUNICORN = """#!{python}
import sys, http.server
host, port = sys.argv[sys.argv.index("--bind") + 1].rsplit(":", 1)
open({args!r}, "w").write(" ".join(sys.argv[1:]))
class OK(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{{}}")
    def log_message(self, *a): pass
http.server.HTTPServer((host, int(port)), OK).serve_forever()
"""
# The CKAN commands stand in as sleepers that name this file (so the test finds them); the
# demo portals command has a child in its group, as the city CKAN is.
CKAN = """#!/bin/bash
sleeper() {{ {python} -c 'import time; time.sleep(300)' "$0"; }}
case "$*" in *portals*) sleeper & sleeper ;; *) sleeper ;; esac
"""


def test_stop_right_after_serving_leaves_nothing_running(tmp_path: Path) -> None:
    var, venv = tmp_path / "var", tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for folder in ("run", "log"):  # made by scripts/setup.sh
        (var / folder).mkdir(parents=True)
    (var / "ckan.ini").write_text("")
    args_file = tmp_path / "gunicorn-args"
    (venv / "bin" / "gunicorn").write_text(GUNICORN.format(python=sys.executable, args=str(args_file)))
    (venv / "bin" / "ckan").write_text(CKAN.format(python=sys.executable))
    for name in ("gunicorn", "ckan"):
        (venv / "bin" / name).chmod(0o755)
    env = {**os.environ, "GD_VAR": str(var), "GD_VENV": str(venv), "GD_WEB_PORT": str(_free_port()),
           "GD_DEMO_CITY_PORTALS": "1", "GD_DEMO_API_PORT": str(_free_port()),
           "GD_DEMO_CKAN_PORT": str(_free_port())}
    run = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in run.stdout:  # type: ignore[union-attr]
            if "serving" in line:
                break
        stop = subprocess.run([str(ROOT / "scripts" / "stop.sh")], env=env, capture_output=True,
                              text=True, timeout=60)
        assert stop.returncode == 0, stop.stderr
        assert run.wait(timeout=60) == 0
        time.sleep(0.5)
        assert _processes_mentioning(str(tmp_path)) == {}
        assert f"--control-socket {var}/run/gunicorn.ctl" in args_file.read_text()
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        _end(_processes_mentioning(str(tmp_path)))


def test_stopping_the_demo_portals_while_the_city_starts_stops_the_city() -> None:
    from ckan.common import config
    ini = config["__file__"]
    city_port = _free_port()
    marker = f"-p {city_port}"
    portals = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "ckan"), "-c", ini, "guangdong", "harvest", "portals", "serve",
         "--port", str(_free_port()), "--ckan-port", str(city_port), "--count", "5"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while not _processes_mentioning(marker) and time.time() < deadline and portals.poll() is None:
            time.sleep(0.1)
        city = _processes_mentioning(marker)
        assert city, "the city CKAN never started"
        os.killpg(portals.pid, signal.SIGTERM)  # what scripts/stop.sh does, mid-start
        portals.wait(timeout=30)
        deadline = time.time() + 15
        while _processes_mentioning(marker) and time.time() < deadline:
            time.sleep(0.2)
        assert _processes_mentioning(marker) == {}
    finally:
        if portals.poll() is None:
            os.killpg(portals.pid, signal.SIGKILL)
        _end(_processes_mentioning(marker))
