#!/usr/bin/env python
"""Container healthchecks of the CKAN image (docker-compose.yml ``healthcheck:``).

    healthcheck.py web                       CKAN answers /api/3/action/status_show
    healthcheck.py gather|fetch|scheduler|worker    a process runs the role's command and Redis answers

Standard library only: it runs every 30 s in each container.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def web() -> None:
    with urllib.request.urlopen("http://127.0.0.1:5000/api/3/action/status_show", timeout=10) as r:
        body = json.load(r)
    if not body.get("success"):
        raise SystemExit("status_show did not succeed")


def worker(role: str) -> None:
    from entrypoint import ROLES  # the command this container should be running
    tail = ROLES[role][-2:]
    for proc in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = [a.decode() for a in proc.read_bytes().split(b"\0") if a]
        except OSError:
            continue  # the process ended meanwhile
        if args[-len(tail):] == tail:
            break
    else:
        raise SystemExit(f"no process runs the {role} command ({' '.join(tail)})")
    host = os.environ.get("GD_REDIS_HOST", "redis")
    port = int(os.environ.get("GD_REDIS_PORT", "6379"))
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"PING\r\n")
        if not sock.recv(64).startswith(b"+PONG"):
            raise SystemExit("Redis did not answer PONG")


if __name__ == "__main__":
    role = sys.argv[1] if len(sys.argv) > 1 else "web"
    web() if role == "web" else worker(role)
