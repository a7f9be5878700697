"""Load the demo catalog: publishers, datasets with stored CSV/JSON files, applications.

Idempotent: organizations and datasets that exist (by name / identifier) are left alone.
Everything goes through CKAN's actions, so the schema validates the demo like any input.
"""
from __future__ import annotations

import hashlib
import io
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import yaml
from ckan.types import Context
from sqlalchemy import text
from werkzeug.datastructures import FileStorage

from . import credit_code, vocab
from .rows import make_rows, to_csv, to_json

log = logging.getLogger(__name__)
DATA = Path(__file__).parent / "data"


def _read(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _context() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


class Publisher:
    def __init__(self, name: str, title: str, en: str, region_code: str, org_type: str,
                 code: str, districts: list[str]) -> None:
        self.name, self.title, self.en = name, title, en
        self.region_code, self.org_type, self.code, self.districts = region_code, org_type, code, districts
        self.id = ""

    @property
    def credit_code(self) -> str:
        return credit_code.make("11", self.region_code, self.code)


def _publishers() -> dict[str, Publisher]:
    data = _read("publishers.yaml")
    pubs: dict[str, Publisher] = {}
    guangzhou = data["cities"][0]["districts"]
    for city in data["cities"]:
        pubs[city["code"]] = Publisher(f"city-{city['code']}", city["title"], city["en"], city["code"],
                                       "city", city["code"], city["districts"])
    for dept in data["departments"]:
        pubs[dept["name"]] = Publisher(dept["name"], dept["title"], dept["en"], "440000", "department",
                                       dept["dept_code"], guangzhou)
    return pubs


def _description(pub: Publisher) -> str:
    kind = "地级以上市" if pub.org_type == "city" else "省直部门"
    return f"{pub.title}（{kind}，行政区划代码 {pub.region_code}）。"


def _ensure_org(pub: Publisher) -> None:
    context = _context()
    existing = model.Group.get(pub.name)
    if existing is not None:
        pub.id = existing.id
        # earlier demo catalogs ended the description with the English name
        if existing.description and existing.description.endswith(f"{pub.en}, Guangdong."):
            tk.get_action("organization_patch")(context, {"id": existing.id,
                                                          "description": _description(pub)})
        return
    data = {"name": pub.name, "title": pub.title, "description": _description(pub),
            **vocab.org_fields(pub.region_code, pub.org_type)}
    pub.id = tk.get_action("organization_create")(context, data)["id"]


def _upload(filename: str, content: bytes, mimetype: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=mimetype)


def _dataset(topic: dict[str, Any], pub: Publisher, seq: int) -> dict[str, Any]:
    title = topic["title"].format(pub=pub.title)
    digest = int(hashlib.sha256(title.encode()).hexdigest(), 16)
    issued = date(2017, 3, 1) + timedelta(days=digest % 2400)
    modified = min(issued + timedelta(days=30 + digest % 500), date(2026, 10, 31))
    data: dict[str, Any] = {
        "type": "dataset",
        "title": title,
        "notes": topic["notes"].format(pub=pub.title),
        "owner_org": pub.id,
        "private": bool(topic.get("private", False)),
        "identifier": f"{pub.code}/{seq:08d}",
        "publisher_name": pub.title,
        "publisher_identifier": pub.credit_code,
        "theme": topic["themes"],
        "access_rights": topic["access"],
        "frequency": vocab.frequency(topic["frequency"]),
        "issued": issued.isoformat(),
        "modified": modified.isoformat(),
        "region_code": pub.region_code,
        "temporal_start": f"{issued.year}-01-01",
        "temporal_end": modified.isoformat(),
        "contact_name": f"{pub.title}数据开放联络员",
        "contact_email": f"opendata@{pub.name}.gd.gov.cn",
        "contact_phone": (f"020-8{digest % 10_000_000:07d}" if pub.org_type == "department"
                          else f"0{digest % 900 + 100}-{digest % 90_000_000 + 10_000_000}"),
        "data_items": [{"name": n, "type": vocab.column_type(k), "description": d} for n, k, d in topic["columns"]],
        "tag_string": ",".join(topic["tags"]),
        "license_id": topic.get("license") or tk.config.get("ckanext.guangdong.default_license"),
        **vocab.internal_fields(topic["access"]),
    }
    if topic["access"] == "conditional":
        data["access_conditions"] = topic["conditions"]
    return data


def _resources(topic: dict[str, Any], pub: Publisher, package: dict[str, Any],
               count: int) -> list[dict[str, Any]]:
    """The dataset's CSV and JSON files, named after the dataset (its URL name: a user who
    downloads several gets several names, not data.csv, data (1).csv ...), their rows in
    its 时间范围."""
    title, stem = package["title"], package["name"]
    period = (date.fromisoformat(str(package["temporal_start"])[:10]),
              date.fromisoformat(str(package["temporal_end"])[:10]))
    rows = make_rows(topic["columns"], pub.districts, pub.title, count, seed=title, period=period)
    csv_name, json_name = f"{stem}.csv", f"{stem}.json"
    return [
        {"name": f"{title}（CSV）", "description": "逗号分隔值文件，UTF-8 编码。", "format": "CSV",
         "upload": _upload(csv_name, to_csv(rows), "text/csv"), "url": csv_name},
        {"name": f"{title}（JSON）", "description": "JSON 格式，字段与 CSV 相同。", "format": "JSON",
         "upload": _upload(json_name, to_json(rows), "application/json"), "url": json_name},
    ]


def _find_by_identifier(identifier: str) -> str | None:
    row = (model.Session.query(model.PackageExtra.package_id)
           .join(model.Package, model.Package.id == model.PackageExtra.package_id)
           .filter(model.PackageExtra.key == "identifier", model.PackageExtra.value == identifier,
                   model.Package.state != "deleted").first())
    return row[0] if row else None


def _ensure_license(package_id: str, license_id: str) -> None:
    """A demo dataset loaded before it had a licence gets the one it has now."""
    package = model.Package.get(package_id)
    if package is not None and not package.license_id:
        tk.get_action("package_patch")(_context(), {"id": package_id, "license_id": license_id})


def _load_datasets(pubs: dict[str, Publisher], issued: dict[str, datetime]) -> dict[str, str]:
    """Create the topic datasets; returns title -> package id (existing ones included) and
    fills ``issued`` with package id -> the dataset's issued date."""
    ids: dict[str, str] = {}
    seq_by_pub: dict[str, int] = {}
    for topic in _read("topics.yaml")["topics"]:
        for key in topic["by"]:
            pub = pubs[key]
            seq_by_pub[key] = seq_by_pub.get(key, 0) + 1
            data = _dataset(topic, pub, seq_by_pub[key])
            existing = _find_by_identifier(data["identifier"])
            if existing:
                ids[data["title"]] = existing
                _ensure_license(existing, data["license_id"])
                issued[existing] = _on(data["issued"])
                continue
            count = 20 + int(hashlib.md5(data["title"].encode()).hexdigest(), 16) % 40
            data["record_count"] = count
            package = tk.get_action("package_create")(_context(), data)
            package_id = package["id"]
            # Uploads go through resource_create, which stores the file in the portal.
            for resource in _resources(topic, pub, package, count):
                tk.get_action("resource_create")(_context(), {"package_id": package_id, **resource})
            ids[data["title"]] = package_id
            issued[package_id] = _on(data["issued"])
    return ids


def _load_applications(pubs: dict[str, Publisher], dataset_ids: dict[str, str],
                       launched: dict[str, datetime]) -> int:
    created = 0
    owner = pubs["gdei"].id
    for seq, app in enumerate(_read("topics.yaml")["applications"], start=1):
        data = {
            "type": "application", "title": app["title"], "notes": app["description"],
            "owner_org": owner, "developer_name": app["developer"],
            "developer_type": app.get("developer_type", "organization"), "application_kind": app["kind"],
            "url": app["url"], "theme": app["themes"],
            "launch_date": f"{2018 + seq}-0{seq}-15",
            "contact_name": app["developer"], "contact_email": f"app{seq}@open.gd.gov.cn",
            "used_datasets": [dataset_ids[t] for t in app["uses"]],
        }
        existing = model.Session.query(model.Package).filter_by(
            title=app["title"], type="application", state="active").first()
        if existing:
            launched[existing.id] = _on(data["launch_date"])
            continue
        launched[tk.get_action("package_create")(_context(), data)["id"]] = _on(data["launch_date"])
        created += 1
    return created


def _ensure_views(dataset_ids: dict[str, str]) -> None:
    """CKAN's default previews for every demo file (new files get them when created; this
    also gives them to a catalog loaded before previews were enabled). Idempotent."""
    context = _context()
    for package_id in dataset_ids.values():
        package = tk.get_action("package_show")(context, {"id": package_id})
        tk.get_action("package_create_default_resource_views")(context, {"package": package})


def _unload_non_tables(dataset_ids: dict[str, str]) -> None:
    """Drops the DataStore tables an older version made of the demo's JSON files (read as CSV:
    one column named "{"); JSON files are not loaded (docs/data.md)."""
    if not plugins.plugin_loaded("guangdong_data"):
        return
    from ckanext.guangdong.data.job import is_table_format, unload
    for package_id in dataset_ids.values():
        package = tk.get_action("package_show")(_context(), {"id": package_id})
        for resource in package.get("resources", []):
            if resource.get("datastore_active") and not is_table_format(resource):
                unload(resource["id"])


def _scan_held_files(dataset_ids: dict[str, str]) -> int:
    """With scans before publication on (docs/safety.md), a new dataset with a file stays
    private until its file has been scanned, which the job worker does after setup; the demo's
    applications may only use public datasets. So the loader runs the data feature's load job
    (the scan is part of it) itself for the files of its datasets still held. Returns the
    number of files loaded."""
    if not (plugins.plugin_loaded("guangdong_safety") and plugins.plugin_loaded("guangdong_data")):
        return 0
    from ckanext.guangdong.data.job import is_table_format, load_resource
    from ckanext.guangdong.safety.job import scan_upload
    loaded_ids: set[str] = set()
    for package_id in dataset_ids.values():
        package = tk.get_action("package_show")(_context(), {"id": package_id})
        if not package.get("private"):
            continue
        for resource in package.get("resources", []):
            if resource.get("url_type") != "upload":
                continue
            if is_table_format(resource):
                load_resource(resource["id"])
            else:  # JSON: not loaded (docs/data.md), scanned by its content
                scan_upload(resource["id"])
            loaded_ids.add(resource["id"])
    dropped = _drop_queued_loads(loaded_ids)
    log.info("%d files loaded by the demo loader; %d queued jobs for them dropped", len(loaded_ids), dropped)
    return len(loaded_ids)


def _drop_queued_loads(resource_ids: set[str]) -> int:
    """Removes the jobs that creating the files queued (xloader's automatic submission, the
    safety scan of a JSON file) for the files the loader has just loaded itself: otherwise the
    single job worker of `make run` re-reads every demo file ("the file has not changed since
    the last load"; 108 jobs, minutes) before an editor's first upload gets its check.
    Returns how many."""
    if not resource_ids:
        return 0
    from ckan.lib import jobs
    queue = jobs.get_queue()
    dropped = 0
    for job in queue.get_jobs():
        # the data feature's load and the safety scan of a file it does not load (JSON): the
        # loader's own load_resource did both
        if (str(job.func_name).endswith((".load_resource", ".scan_upload")) and job.args
                and job.args[0] in resource_ids):
            job.delete()
            dropped += 1
    return dropped



def _on(day: str) -> datetime:
    """10:00 in Guangdong on ``day``, as naive UTC like the events."""
    return datetime.combine(date.fromisoformat(day[:10]), time(2, 0))


def _date_history(published: dict[str, datetime]) -> int:
    """The demo stands for data opened over the years: its datasets count from their issued
    date and its applications from their launch date, not from the day the demo was loaded,
    so the targets dashboard shows a history (docs/targets.md, Demo catalog)."""
    from ckanext.guangdong.events import backfill
    from ckanext.guangdong.targets import cube
    conn = model.Session.connection()
    if conn.execute(text("SELECT to_regclass('guangdong_publication_event')")).scalar() is None:
        return 0  # the events feature is not enabled
    moved = backfill.date_first_publications(conn, published)
    if moved:
        cube.clear(conn)  # month-end counts computed before are void
    model.Session.commit()
    return moved


def load() -> dict[str, int]:
    pubs = _publishers()
    for pub in pubs.values():
        _ensure_org(pub)
    published: dict[str, datetime] = {}
    dataset_ids = _load_datasets(pubs, published)
    _ensure_views(dataset_ids)
    _unload_non_tables(dataset_ids)
    scanned = _scan_held_files(dataset_ids)
    applications = _load_applications(pubs, dataset_ids, published)
    dated = _date_history(published)
    return {"publishers": len(pubs), "datasets": len(dataset_ids), "new applications": applications,
            "publications dated back": dated,
            "files scanned before publication": scanned}
