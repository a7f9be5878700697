"""The one URL policy for server-side fetches, and who may make the server fetch.

Real HTTP servers on 127.0.0.1 and 127.0.0.2 (Linux answers on all of 127/8) stand in for a
city portal and for an internal service. Only DNS is simulated (patched socket.getaddrinfo in
the rebinding test): no DNS server we control can run here.
"""
from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import make_sysadmin, make_user
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ckanext.guangdong import urlpolicy
from ckanext.guangdong.harvesters.errors import HarvestError
from ckanext.guangdong.harvesters.fetch import Client

ALLOWED = "ckanext.guangdong.harvest.allowed_hosts"


class Server:
    """A tiny HTTP server that counts its requests and bytes sent."""

    def __init__(self, host: str, app: Any) -> None:
        self.requests: list[str] = []
        self.sent = 0

        def wsgi(environ: dict, start_response: Any) -> Any:
            request = Request(environ)
            self.requests.append(f"{request.host} {request.full_path}")
            return app(self, request)(environ, start_response)

        self.server = make_server(host, 0, wsgi, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def internal() -> Iterator[Server]:
    """The 'internal service' a city portal must never make us reach."""
    srv = Server("127.0.0.2", lambda s, r: Response('{"secret": "metadata-token"}',
                                                    mimetype="application/json"))
    yield srv
    srv.stop()


@pytest.fixture
def portal(internal: Server) -> Iterator[Server]:
    def app(srv: Server, request: Request) -> Response:
        if request.path == "/redirect":
            return Response("", status=302, headers={"Location": internal.url + "/latest/meta-data/"})
        if request.path.startswith("/big-"):
            def chunks() -> Iterator[bytes]:
                block = b"x" * (1024 * 1024)
                for _ in range(120):  # 120 MB
                    srv.sent += len(block)
                    yield block
            declared = {"Content-Length": str(120 * 1024 * 1024)} if request.path == "/big-declared" else {}
            return Response(chunks(), mimetype="application/octet-stream", headers=declared)
        if request.path == "/context.jsonld":
            return Response(json.dumps({"@context": {"dct": "http://purl.org/dc/terms/",
                                                     "dcat": "http://www.w3.org/ns/dcat#"}}),
                            mimetype="application/ld+json")
        if request.path.startswith("/catalog-"):  # a DCAT catalog whose JSON-LD context is remote
            where = internal.url if request.path == "/catalog-internal.jsonld" else srv.url
            return Response(json.dumps({
                "@context": where + "/context.jsonld",
                "@graph": [{"@id": "http://data.example.gd.cn/dataset/1", "@type": "dcat:Dataset",
                            "dct:title": "远程上下文数据集", "dct:identifier": "44160003/07770001",
                            "dct:description": "JSON-LD 上下文在别处。"}]}), mimetype="application/ld+json")
        return Response(json.dumps({"host": request.host}), mimetype="application/json")

    srv = Server("127.0.0.1", app)
    yield srv
    srv.stop()


# --- the rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://100.100.100.200/latest/meta-data/",   # cloud metadata in 100.64.0.0/10 (shared)
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:5000/", "http://localhost/",
    "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.10/", "http://0.0.0.0/",
    "http://198.18.0.1/", "http://224.0.0.1/", "http://255.255.255.255/", "http://[::1]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://[fd00::1]/",
    "http://[fe80::1]/", "http://[2002:7f00:1::]/", "http://2130706433/", "http://0x7f.1/",
])
def test_addresses_that_are_not_global_are_refused_with_an_empty_allow_list(url) -> None:
    with pytest.raises(urlpolicy.URLRefused) as e:
        urlpolicy.check_url(url, allowed=[])
    assert "not a public address" in e.value.message or "cannot be resolved" in e.value.message


@pytest.mark.parametrize("url, words", [
    ("ftp://8.8.8.8/x", "only http and https"), ("file:///etc/passwd", "only http and https"),
    ("javascript:alert(1)", "only http and https"), ("gopher://8.8.8.8/", "only http and https"),
    ("http://user:pw@8.8.8.8/", "user name or password"), ("http://@8.8.8.8/", "user name or password"),
    ("http:///x", "no host"), ("http://8.8.8.8/a b", "spaces or control"), ("", "empty"),
])
def test_url_form_is_checked(url, words) -> None:
    with pytest.raises(urlpolicy.URLRefused) as e:
        urlpolicy.check_url(url, allowed=[])
    assert words in e.value.message


def test_public_addresses_and_allow_listed_ones_pass() -> None:
    urlpolicy.check_url("http://8.8.8.8/catalog.ttl", allowed=[])
    urlpolicy.check_url("http://10.1.2.3/", allowed=["10.0.0.0/8"])
    urlpolicy.check_url("http://127.0.0.1:8080/", allowed=["127.0.0.1"])


# --- every hop, every connection ---------------------------------------------------------------

def test_a_redirect_from_an_allowed_host_to_a_refused_one_is_not_followed(portal, internal) -> None:
    # The allow-list admits 127.0.0.1 (the first hop) only: the second hop, 127.0.0.2, is refused
    client = Client(timeout=5, allowed=["127.0.0.1"])
    with pytest.raises(HarvestError) as e:
        client.request("GET", portal.url + "/redirect")
    assert e.value.kind == "url_refused" and "127.0.0.2" in e.value.message
    assert internal.requests == []  # nothing reached the internal service
    # ... which is reachable: with 127.0.0.2 allowed too, the same redirect is followed
    answer = Client(timeout=5, allowed=["127.0.0.1", "127.0.0.2"]).json("GET", portal.url + "/redirect")
    assert answer == {"secret": "metadata-token"} and len(internal.requests) == 1


def test_dns_rebinding_reaches_nothing(portal, internal, monkeypatch) -> None:
    """The host resolves to a public address when the source is saved and to an internal one
    when the job connects (patched resolver: no DNS server of ours can run here)."""
    real = socket.getaddrinfo
    answers = {"portal.rebind.test": ["8.8.8.8"], "city.allowed.test": ["127.0.0.1"]}

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            address = answers[host][0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    port = internal.url.rsplit(":", 1)[1]
    urlpolicy.check_url(f"http://portal.rebind.test:{port}/", allowed=[])  # saved: public then
    answers["portal.rebind.test"] = ["127.0.0.2"]                          # rebound
    with pytest.raises(HarvestError) as e:
        Client(timeout=5, allowed=[]).request("GET", f"http://portal.rebind.test:{port}/x")
    assert e.value.kind == "url_refused" and internal.requests == []
    # The connection goes to the address that was checked, with the host name kept
    portal_port = portal.url.rsplit(":", 1)[1]
    answer = Client(timeout=5, allowed=["127.0.0.1"]).json("GET", f"http://city.allowed.test:{portal_port}/")
    assert answer == {"host": f"city.allowed.test:{portal_port}"}


def test_environment_proxies_are_not_used(portal, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("http_proxy", "http://10.0.0.1:3128")
    assert Client(timeout=5, allowed=["127.0.0.1"]).json("GET", portal.url + "/") == \
        {"host": portal.url[len("http://"):]}


def test_answers_stop_at_the_size_limit(portal) -> None:
    client = Client(timeout=10, allowed=["127.0.0.1"], max_bytes=1024 * 1024)
    for path in ("/big-declared", "/big-stream"):  # with and without a Content-Length
        portal.sent = 0
        with pytest.raises(HarvestError) as e:
            client.request("GET", portal.url + path)
        assert "larger than" in e.value.message
        # streamed and abandoned: far less than the 120 MB the server was ready to send
        assert portal.sent < 20 * 1024 * 1024, (path, portal.sent)


# --- saving a source: every URL it and its config name ----------------------------------------

@pytest.fixture
def production_allow_list(monkeypatch) -> None:
    monkeypatch.setitem(tk.config, ALLOWED, "")


def _create(source_type: str, url: str, config: dict[str, Any], user: str | None = None) -> dict:
    from ckanext.guangdong.harvesters.crosswalk import load
    from ckanext.guangdong.harvesters.organizations import city_org
    ctx = {"user": user or make_sysadmin()["name"]}
    return tk.get_action("harvest_source_create")(ctx, {
        "name": f"src-{uuid.uuid4().hex[:10]}", "title": "源", "url": url,
        "source_type": source_type, "owner_org": city_org("441600", load()),
        "config": json.dumps(config), "frequency": "MANUAL"})


@pytest.mark.usefixtures("gd", "production_allow_list")
def test_metadata_address_is_refused_when_a_source_is_saved() -> None:
    with pytest.raises(tk.ValidationError) as e:
        _create("guangdong_dcat", "http://100.100.100.200/latest/meta-data/", {"region_code": "441600"})
    assert "not a public address" in str(e.value.error_dict["url"])


@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("source_type, config, words", [
    ("guangdong_ckan", {"region_code": "441600", "remote_ckan_api": "http://100.100.100.200/"},
     "not a public address"),
    ("guangdong_ckan", {"region_code": "441600", "remote_ckan_api": "http://10.0.0.5:5000"},
     "not a public address"),
    ("guangdong_api", {"region_code": "441600", "list": {"path": ".internal.example/x"}},
     "must start with"),
    ("guangdong_api", {"region_code": "441600", "preset": "kaifang_guangdong",
                       "remote_url": "javascript:alert(1)//{id}"}, "only http and https"),
    ("guangdong_api", {"region_code": "441600", "preset": "kaifang_guangdong",
                       "crosswalk": {"api_presets": {"kaifang_guangdong": {"list": {"path": "@10.0.0.1/x"}}}}},
     "must start with /"),
])
def test_urls_in_the_config_are_checked_when_saved(portal, source_type, config, words) -> None:
    with pytest.raises(tk.ValidationError) as e:
        _create(source_type, portal.url, config)
    assert words in str(e.value.error_dict), e.value.error_dict


@pytest.mark.usefixtures("gd")
def test_stock_harvester_types_are_not_enabled(portal) -> None:
    assert not {"ckan_harvester", "dcat_rdf_harvester"} & set(tk.aslist(tk.config["ckan.plugins"]))
    for source_type in ("ckan", "dcat_rdf"):
        with pytest.raises(tk.ValidationError) as e:
            _create(source_type, portal.url, {"region_code": "441600"})
        assert "source_type" in e.value.error_dict


# --- who may make the server fetch ----------------------------------------------------------

@pytest.fixture
def editor(gd) -> dict[str, Any]:
    from ckanext.guangdong.harvesters.crosswalk import load
    from ckanext.guangdong.harvesters.organizations import city_org
    user = make_user()
    org_id = city_org("441600", load())
    tk.get_action("organization_member_create")({"ignore_auth": True}, {
        "id": org_id, "username": user["name"], "role": "editor"})
    return {"name": user["name"], "org": org_id,
            "headers": {"Authorization": factories.APIToken(user=user["name"])["token"]}}


def test_an_editor_cannot_create_or_run_a_harvest_source(gd_app, editor, portal, monkeypatch) -> None:
    payload = {"name": f"ed-{uuid.uuid4().hex[:8]}", "title": "t", "url": portal.url,
               "source_type": "guangdong_dcat", "owner_org": editor["org"],
               "config": json.dumps({"region_code": "441600"}), "frequency": "MANUAL"}
    for action, data in (("harvest_source_create", payload),
                         ("package_create", dict(payload, type="harvest"))):
        answer = gd_app.post(f"/api/3/action/{action}", json=data, headers=editor["headers"])
        assert answer.status_code == 403, (action, answer.get_data(as_text=True)[:300])
    assert gd_app.get("/harvest/new", headers=editor["headers"]).status_code == 403
    source = _create("guangdong_dcat", portal.url, {"region_code": "441600"})
    for action, data in (("harvest_job_create", {"source_id": source["id"]}),
                         ("harvest_source_update", dict(payload, id=source["id"])),
                         ("package_patch", {"id": source["id"], "url": portal.url + "/x"}),
                         ("harvest_source_clear", {"id": source["id"]}),
                         ("package_delete", {"id": source["id"]})):
        answer = gd_app.post(f"/api/3/action/{action}", json=data, headers=editor["headers"])
        assert answer.status_code == 403, (action, answer.get_data(as_text=True)[:300])
    # The option gives sources back to the organization's editors (ckanext-harvest's own rule)
    monkeypatch.setitem(tk.config, "ckanext.guangdong.harvest.editors_manage_sources", "true")
    answer = gd_app.post("/api/3/action/harvest_source_create", headers=editor["headers"],
                         json=dict(payload, name=payload["name"] + "-ok", url=portal.url + "/editors"))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]


def test_anonymous_jobs_run_is_403_and_does_nothing(gd_app, portal) -> None:
    import datetime

    from ckan import model
    from ckanext.harvest.model import HarvestJob, HarvestSource
    source = _create("guangdong_dcat", portal.url, {"region_code": "441600"})
    job = HarvestJob(source=HarvestSource.get(source["id"]), status="Running")
    job.created = job.gather_started = datetime.datetime.utcnow() - datetime.timedelta(days=2)
    job.save()
    for action in ("harvest_jobs_run", "harvest_abort_failed_jobs", "harvest_job_abort",
                   "harvest_sources_reindex", "harvest_job_create_all", "harvest_objects_import"):
        answer = gd_app.post(f"/api/3/action/{action}", json={"source_id": source["id"]})
        assert answer.status_code == 403, (action, answer.get_data(as_text=True)[:300])
    model.Session.remove()
    assert HarvestJob.get(job.id).status == "Running"  # the timeout sweep did not run
    # a sysadmin's call does run it
    tk.get_action("harvest_jobs_run")({"user": make_sysadmin()["name"]}, {})
    model.Session.remove()
    assert HarvestJob.get(job.id).status == "Finished"


@pytest.mark.usefixtures("gd")
def test_remote_json_ld_contexts_go_through_the_policy(portal, internal) -> None:
    """rdflib fetches a JSON-LD document's remote @context by itself, from any address: the
    DCAT harvester fetches contexts through the policy first and hands rdflib inline ones."""
    from cityportals.harness import make_source, run_job
    bad = make_source(portal.url + "/catalog-internal.jsonld", "guangdong_dcat",
                      {"region_code": "441600"}, f"jsonld-internal-{uuid.uuid4().hex[:6]}")
    job, results = run_job(bad)
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    assert internal.requests == []  # the internal service was never asked for the context
    assert {g["kind"] for g in report["by_kind"]} == {"url_refused"}, report
    good = make_source(portal.url + "/catalog-portal.jsonld", "guangdong_dcat",
                       {"region_code": "441600"}, f"jsonld-portal-{uuid.uuid4().hex[:6]}")
    job, results = run_job(good)
    assert any("/context.jsonld" in r for r in portal.requests)
    # the catalog was parsed with the fetched context: its one record reached the import
    assert list(results) == ["http://data.example.gd.cn/dataset/1"], results
