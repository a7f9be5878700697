"""guangdong_ckan_harvester: CKAN city portals through the Action API (package_search
pages carry whole datasets, so fetch has nothing to do). Any remote schema works: extras
and custom top-level fields go through the crosswalk."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from .base import GuangdongHarvesterBase, Listed
from .errors import HarvestError
from .fetch import Client
from .mapping import RemoteRecord
from .records import dataset_resources, flatten_dataset

MAX_PAGES = 10_000


class GuangdongCKANHarvester(GuangdongHarvesterBase):
    NAME = "guangdong_ckan"
    TITLE = "City portal: CKAN"
    DESCRIPTION = "Harvests a city's CKAN portal through its Action API, mapped onto the provincial schema."

    def fetch_urls(self, source_url: str, cfg: dict[str, Any]) -> list[str]:
        base = (cfg.get("remote_ckan_api") or source_url).rstrip("/")
        return [source_url, f"{base}/api/3/action/package_search"]

    def list_records(self, source: Any, cfg: dict[str, Any], client: Client, job: Any) -> Iterator[Listed]:
        base = (cfg.get("remote_ckan_api") or source.url).rstrip("/")
        rows = int(cfg.get("page_size") or 100)
        start = 0
        for _ in range(MAX_PAGES):
            params = {"q": "*:*", "rows": rows, "start": start, "sort": "id asc"}
            if cfg.get("fq"):
                params["fq"] = cfg["fq"]
            url = f"{base}/api/3/action/package_search?{urlencode(params)}"
            body = client.json("GET", url)
            result = body.get("result") if isinstance(body, dict) else None
            if not (isinstance(body, dict) and body.get("success") and isinstance(result, dict)
                    and isinstance(result.get("results"), list)):
                raise HarvestError("invalid_response", f"{url}: not a CKAN package_search answer")
            page = result["results"]
            for pkg in page:
                if not isinstance(pkg, dict) or not isinstance(pkg.get("id"), str):
                    self.job_error(job, "invalid_response", f"{url}: a result without an id was skipped")
                    continue
                record = RemoteRecord(
                    remote_id=pkg["id"], fields=flatten_dataset(pkg),
                    resources=dataset_resources(pkg),
                    remote_url=f"{source.url.rstrip('/')}/dataset/{pkg.get('name') or pkg['id']}")
                yield Listed(pkg["id"], record.content_hash(), record)
            start += len(page)
            if not page or start >= int(result.get("count") or 0):
                return
        raise HarvestError("invalid_response", f"{base}: more than {MAX_PAGES} pages")
