"""guangdong_api_harvester: home-grown JSON APIs described by a list, a detail and a
file-list endpoint, with paging and an optional auth header. The 开放广东 API
(docs/domain.md §4) is the built-in preset ``kaifang_guangdong`` in crosswalk.yaml."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from .base import GuangdongHarvesterBase, Listed
from .errors import HarvestError
from .fetch import Client
from .mapping import RemoteRecord

MAX_PAGES = 100_000


def dig(data: Any, path: str | None) -> Any:
    """Value at a dotted path ("data.list"); the whole document for an empty path."""
    if not path:
        return data
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class GuangdongAPIHarvester(GuangdongHarvesterBase):
    NAME = "guangdong_api"
    TITLE = "City portal: JSON API (开放广东 style)"
    DESCRIPTION = ("Harvests a home-grown JSON API (list, detail and file-list endpoints); "
                   "preset kaifang_guangdong for 开放广东-style platforms.")

    def api(self, cfg: dict[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if cfg.get("preset"):
            preset = self.crosswalk(cfg).api_preset(cfg["preset"])
            if preset is None:  # validate_config names the known presets
                raise ValueError(f"unknown API preset: {cfg['preset']}")
            spec = preset
        for key in ("list", "detail", "files", "id_field", "modified_field", "remote_url"):
            if key in cfg:
                spec[key] = {**spec.get(key, {}), **cfg[key]} if isinstance(cfg[key], dict) else cfg[key]
        spec.setdefault("id_field", "id")
        return spec

    def fetch_urls(self, source_url: str, cfg: dict[str, Any]) -> list[str]:
        spec = self.api(cfg)
        urls = [source_url]
        for key in ("list", "detail", "files"):
            endpoint = spec.get(key)
            if isinstance(endpoint, dict) and isinstance(endpoint.get("path"), str):
                urls.append(self.endpoint_url(source_url, endpoint))
        return urls

    def link_urls(self, source_url: str, cfg: dict[str, Any]) -> list[str]:
        return [self.remote_url(self.api(cfg), source_url, "1")]

    @staticmethod
    def endpoint_url(base: str, endpoint: dict[str, Any]) -> str:
        path = endpoint["path"]
        if not path.startswith("/"):
            # "base" + ".evil.example/x" would name another host
            raise HarvestError("url_refused", f"endpoint path {path!r} must start with /")
        return base.rstrip("/") + path

    def call(self, client: Client, base: str, endpoint: dict[str, Any], params: dict[str, Any]) -> Any:
        url = self.endpoint_url(base, endpoint)
        if endpoint.get("method", "GET") == "POST":
            return client.json("POST", url, json=params), url
        return client.json("GET", url, params=params), url

    def list_records(self, source: Any, cfg: dict[str, Any], client: Client, job: Any) -> Iterator[Listed]:
        spec = self.api(cfg)
        lst = spec["list"]
        size = int(cfg.get("page_size") or lst.get("page_size") or 100)
        page_no = int(lst.get("first_page", 1))
        seen = 0
        for _ in range(MAX_PAGES):
            params = {lst.get("page_param", "page"): page_no, lst.get("size_param", "size"): size}
            body, url = self.call(client, source.url, lst, params)
            records = dig(body, lst.get("records"))
            if not isinstance(records, list):
                raise HarvestError("invalid_response", f"{url} page {page_no}: no record list at "
                                   f"{lst.get('records')!r}")
            total = dig(body, lst.get("total"))
            for item in records:
                rid = item.get(spec["id_field"]) if isinstance(item, dict) else None
                if not isinstance(rid, (str, int)) or isinstance(rid, bool) or str(rid).strip() == "":
                    self.job_error(job, "missing_required",
                                   f"{url} page {page_no}: a record without {spec['id_field']} was skipped")
                    continue
                rid = str(rid).strip()
                modified = item.get(spec.get("modified_field") or "")
                fingerprint = f"modified:{modified}" if modified else "hash:" + hashlib.sha256(
                    json.dumps(item, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
                record = None
                if not spec.get("detail"):
                    record = RemoteRecord(rid, item, [], self.remote_url(spec, source.url, rid))
                yield Listed(rid, fingerprint, record)
            seen += len(records)
            if not records or len(records) < size:
                return
            if isinstance(total, int) and seen >= total:
                return
            page_no += 1
        raise HarvestError("invalid_response", f"{source.url}: more than {MAX_PAGES} pages")

    @staticmethod
    def remote_url(spec: dict[str, Any], base: str, rid: str) -> str:
        template = spec.get("remote_url") or "{base}#{id}"
        try:
            return str(template).format(base=base.rstrip("/"), id=rid)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise HarvestError("invalid_response", f"remote_url {template!r} may only use "
                               "{base} and {id}") from exc

    def fetch_record(self, obj: Any, cfg: dict[str, Any], client: Client) -> RemoteRecord:
        spec = self.api(cfg)
        base = obj.source.url
        detail = spec["detail"]
        body, url = self.call(client, base, detail, {detail.get("id_param", "id"): obj.guid})
        fields = dig(body, detail.get("record"))
        if not isinstance(fields, dict):
            raise HarvestError("invalid_response", f"{url} ({obj.guid}): no record object at "
                               f"{detail.get('record')!r}")
        files: list[Any] = []
        if spec.get("files"):
            fspec = spec["files"]
            fbody, furl = self.call(client, base, fspec, {fspec.get("id_param", "id"): obj.guid})
            files = dig(fbody, fspec.get("records"))
            if files is None:
                files = []
            if not isinstance(files, list):
                raise HarvestError("invalid_response", f"{furl} ({obj.guid}): the file list is not a list")
        return RemoteRecord(obj.guid, fields, files, self.remote_url(spec, base, obj.guid))
