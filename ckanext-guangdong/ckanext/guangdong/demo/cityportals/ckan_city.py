"""A second, real CKAN instance playing a CKAN city portal (韶关市 by default): its own
database, its own ini derived from ours (no extension plugins: CKAN's default schema, so
the city's fields live in extras with Chinese labels), served by ``ckan run`` as a
subprocess on 127.0.0.1, seeded over its Action API.

Seeding is remembered (var/cityportals/<db>.json) and skipped when the database still
holds exactly the seeded datasets, so a test run costs a few seconds, not a reseed.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from . import fixtures

# The repository the demo and the tests run from (scripts/lib.sh exports GD_ROOT; else the
# working directory): its scripts/services.sh makes the city's database (our database role
# may not create databases) and the city's files go to its var/.
ROOT = Path(os.environ.get("GD_ROOT") or Path.cwd())
VAR = Path(os.environ.get("GD_VAR", ROOT / "var"))
CKAN = Path(sys.executable).with_name("ckan")  # the ckan command of this interpreter's venv
SEED_VERSION = 3
# Options of plugins the city does not run (kept out of its ini).
_DROP = re.compile(r"^(scheming\.|ckanext\.dcat\.|ckan\.harvest\.|ckanext\.guangdong\.(harvest|targets)|"
                   r"search\.facets|ckan\.search\.show_all_types)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def derive_ini(base_ini: Path, db: str, port: int) -> Path:
    """The city's ini: our test ini with its own database, site id, URL and no plugins."""
    out_dir = VAR / "cityportals"
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for line in base_ini.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if _DROP.match(key):
            continue
        if key == "sqlalchemy.url":
            line = re.sub(r"/[^/]+$", f"/{db}", line)
        elif key == "ckan.plugins":
            line = "ckan.plugins = "
        elif key == "ckan.site_id":
            line = f"ckan.site_id = {db}"
        elif key == "ckan.site_url":
            line = f"ckan.site_url = http://127.0.0.1:{port}"
        elif key == "ckan.storage_path":
            line = f"ckan.storage_path = {out_dir / (db + '-storage')}"
        elif key == "ckan.site_title":
            line = "ckan.site_title = 韶关市政府数据开放平台"
        lines.append(line)
    ini = out_dir / f"{db}.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(ini, 0o600)
    return ini


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=check, cwd=ROOT)


@dataclass
class CityCKAN:
    url: str
    ini: Path
    db: str
    token: str
    process: subprocess.Popen
    count: int
    city: fixtures.City = fixtures.SHAOGUAN

    def action(self, action_name: str, **data: Any) -> Any:
        resp = requests.post(f"{self.url}/api/3/action/{action_name}", json=data,
                             headers={"Authorization": self.token}, timeout=60)
        body = resp.json()
        if not body.get("success"):
            raise RuntimeError(f"{action_name}: {body.get('error')}")
        return body["result"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        try:
            if os.getpgid(self.process.pid) == self.process.pid:  # a session of its own
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
        except ProcessLookupError:
            pass


def _dropdb(ini: Path, db: str) -> None:
    """Drop the city's database (our role owns it) so it is seeded afresh."""
    import psycopg2
    url = next(ln.split("=", 1)[1].strip() for ln in ini.read_text().splitlines()
               if ln.split("=", 1)[0].strip() == "sqlalchemy.url")
    conn = psycopg2.connect(re.sub(r"/[^/]+$", "/postgres", url))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()


def _ensure_database(db: str, ini: Path) -> None:
    _run(str(ROOT / "scripts" / "services.sh"), "createdb", db)
    _run(str(CKAN), "-c", str(ini), "db", "init")


def _token(ini: Path) -> str:
    _run(str(CKAN), "-c", str(ini), "user", "add", "seeder", "email=seeder@city.example.cn",
         "password=Seeder-pass-2024", check=False)
    _run(str(CKAN), "-c", str(ini), "sysadmin", "add", "seeder")
    out = _run(str(CKAN), "-c", str(ini), "user", "token", "add", "seeder", "harvest-tests").stdout
    return out.strip().splitlines()[-1].strip()


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"city CKAN exited; see {log}:\n" + log.read_text()[-3000:])
        try:
            if requests.get(f"{url}/api/3/action/status_show", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"city CKAN did not start within {seconds} s; see {log}")


def seed(city: CityCKAN, count: int, workers: int = 3) -> None:
    """Departments as organizations, then `count` datasets in the city's own schema."""
    orgs = []
    for title, code, _theme, _topics in fixtures.DEPARTMENTS:
        name = f"dept-{code}"
        try:
            city.action("organization_show", id=name)
        except RuntimeError:
            city.action("organization_create", name=name, title=f"{city.city.name}{title}")
        orgs.append(name)
    existing = {r["name"] for r in city.action("package_search", q="*:*", rows=1000, fl="name")["results"]} \
        if count <= 1000 else set()

    def create(i: int) -> None:
        data = fixtures.ckan_city_dataset(city.city, i, orgs)
        if data["name"] in existing:
            return
        for attempt in range(3):
            try:
                city.action("package_create", **data)
                return
            except RuntimeError as e:
                if "already in use" in str(e) or attempt == 2:
                    return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(create, range(count)))


def start(base_ini: Path, db: str = "ckan_city", count: int = 40, port: int | None = None,
          own_session: bool = True) -> CityCKAN:
    """own_session: the city CKAN in a session of its own (tests stop it by its process group
    without touching pytest's). The demo (`ckan guangdong harvest portals serve`) passes False:
    the city then stays in the serving process's group, which `make stop` ends as a whole at
    any moment, even before this function has returned."""
    port = port or free_port()
    ini = derive_ini(base_ini, db, port)
    stamp = VAR / "cityportals" / f"{db}.json"
    state = json.loads(stamp.read_text()) if stamp.exists() else {}
    if state.get("version") != SEED_VERSION:
        _dropdb(ini, db)
        state = {}
    _ensure_database(db, ini)
    token = state.get("token") or _token(ini)
    log = VAR / "log" / f"{db}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [str(CKAN), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader",
         "--threaded"],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=own_session)
    url = f"http://127.0.0.1:{port}"
    city = CityCKAN(url, ini, db, token, process, count)
    try:
        _wait(url, process, log)
        if state.get("count") == count and _active_count(city) != count:
            # Seeded before but the index disagrees (e.g. the search backend's tables were
            # re-created): rebuild the city's index from its database.
            _run(str(CKAN), "-c", str(ini), "search-index", "rebuild", check=False)
        if state.get("count") != count or _active_count(city) != count:
            seed(city, count)
            stamp.write_text(json.dumps({"version": SEED_VERSION, "count": count, "token": token}))
            if _active_count(city) != count:
                raise RuntimeError(f"seeding {db} gave {_active_count(city)} datasets, not {count}")
    except BaseException:  # SystemExit from a SIGTERM handler too
        city.stop()
        raise
    return city


def _active_count(city: CityCKAN) -> int:
    return int(city.action("package_search", q="*:*", rows=0)["count"])


if __name__ == "__main__":
    # python -m ckanext.guangdong.demo.cityportals.ckan_city var/test.ini [db] [count] [port]: serve until Ctrl-C
    args = sys.argv[1:]
    c = start(Path(args[0]), *(args[1:2] or ["ckan_city"]), count=int((args[2:3] or [40])[0]),
              port=int(args[3]) if len(args) > 3 else None)
    print(c.url, flush=True)
    try:
        c.process.wait()
    except KeyboardInterrupt:
        c.stop()
