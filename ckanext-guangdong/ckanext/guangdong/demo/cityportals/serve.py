"""Serving the stand-in portals over HTTP on 127.0.0.1 (threads in tests, a process for
the demo: ``python -m ckanext.guangdong.demo.cityportals.serve --port 5101``)."""
from __future__ import annotations

import argparse
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server

from .api_portal import PortalState, create_app
from .ckan_city import free_port


@dataclass
class Served:
    url: str
    server: BaseWSGIServer
    state: PortalState

    def stop(self) -> None:
        self.server.shutdown()


def serve_portal(state: PortalState | None = None, port: int | None = None) -> Served:
    app = create_app(state)
    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Served(f"http://127.0.0.1:{port}", server, app.config["PORTAL"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5101)
    parser.add_argument("--count", type=int, default=110)
    parser.add_argument("--no-broken", action="store_true", help="serve no broken records")
    args = parser.parse_args()
    state = PortalState(count=args.count, broken=not args.no_broken)
    app = create_app(state)
    print(f"开放广东-style API at http://127.0.0.1:{args.port}/data/dataSet/findPage, "
          f"DCAT at http://127.0.0.1:{args.port}/catalog.ttl", flush=True)
    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
