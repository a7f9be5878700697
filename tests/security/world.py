"""The leak suite's fixture world: one set per test session, built through the real actions.

Every object carries a marker word unique to this run in its title, notes, tags and resource
names (and the harvest source's credential, the remote records and the error messages carry
their own), so a response can be searched for anything it must not contain. ``World.policy``
says which role may see which marker; everything else in it is derived from the objects.

Harvested datasets and their harvest objects are written here the way the importer writes
them (package_create with the provenance fields, then the harvest object rows) rather than by
running a harvest: the leak suite tests what the portal shows, not the harvester, and a
harvest job would cost seconds per run (tests/harvest runs the real ones).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "owner_member", "other_editor", "sysadmin")

# Internal-field values of the internal-field dataset, and how they read on a page.
INTERNAL_VALUES = {"share_type": "not_shared", "data_level": "level4", "deidentified": "false"}
INTERNAL_TEXTS = ("not_shared", "level4", "不予共享", "四级（高度敏感）", "Level 4 (highly sensitive)",
                  "共享属性（内部）", "分类分级（内部）", "已脱敏（内部）", "Sharing (internal)",
                  "Data grade (internal)", "De-identified (internal)")


@dataclass
class World:
    run: str                       # the run's marker prefix, e.g. "lk3fa9c2"
    users: dict[str, dict[str, Any]]
    tokens: dict[str, str | None]  # role -> API token (None: anonymous)
    markers: dict[str, str]        # object key -> marker word
    packages: dict[str, dict[str, Any]]      # object key -> package dict (as created)
    orgs: dict[str, dict[str, Any]]
    group: dict[str, Any]
    source: dict[str, Any]
    jobs: list[str]
    objects: dict[str, str]        # object key -> harvest object id
    activities: dict[str, list[str]]   # package key -> activity ids
    views: dict[str, str]          # resource id -> a view id (when the resource has one)
    secret: str                    # the harvest source's credential
    # the held dataset (docs/safety.md): the clear values in its file and the masked samples
    # of the scan's findings
    held_values: list[str] = field(default_factory=list)
    held_samples: list[str] = field(default_factory=list)
    # role -> {label: text that must not appear}
    forbidden: dict[str, dict[str, str]] = field(default_factory=dict)
    # role -> {label: text that must appear somewhere (the suite reaches it)}
    expected: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def search_term(self) -> str:
        """A word every fixture carries: searching for it finds them all, and a page that
        echoes it shows no marker."""
        return f"{self.run}all"

    def internal_visible(self, role: str) -> bool:
        # (the publisher edits organization A's datasets: editors see internal fields)
        return role in ("sysadmin", "publisher")


# Which package keys each role may see (CKAN's permission labels: members of the owning
# organization see its private, draft and deleted datasets; everybody sees public active ones).
PUBLIC = ("public", "internal", "harvested_public", "app_public")
HIDDEN = ("private", "draft", "not_open", "harvested_private", "harvested_withdrawn",
          "harvested_not_open", "harvested_deleted", "app_private", "held")
# Remote records (the raw harvest object content) and harvest error texts: the source's
# editors only, i.e. the sysadmin among our roles (docs/security.md).
RECORDS = ("harvested_public", "harvested_private", "harvested_withdrawn", "harvested_not_open",
           "harvested_deleted", "rejected")


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def build() -> World:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError, HarvestSource
    from gd_testing import make_sysadmin, make_user

    from ckanext.guangdong.harvesters.site import site_context
    from ckanext.guangdong.harvesters.withdrawal import withdraw

    run = "lk" + uuid.uuid4().hex[:6]
    site = site_context()

    def ctx() -> dict[str, Any]:
        return dict(site)

    member, editor, admin = make_user(), make_user(), make_sysadmin()
    publisher = make_user()  # an editor of organization A: the held dataset's publisher
    users = {"owner_member": member, "other_editor": editor, "sysadmin": admin,
             "publisher": publisher}
    # (image_url empty: the factories' default is a picture on an outside host)
    org_a = factories.Organization(name=f"org-{run}-a", title=f"{run}orga 泄漏测试部门", image_url="",
                                   users=[{"name": member["name"], "capacity": "member"},
                                          {"name": publisher["name"], "capacity": "editor"}])
    org_b = factories.Organization(name=f"org-{run}-b", title=f"{run}orgb 其他部门", image_url="",
                                   users=[{"name": editor["name"], "capacity": "editor"}])
    group = factories.Group(name=f"group-{run}", title=f"{run}grp 泄漏测试专题", image_url="")

    markers = {key: f"{run}{key.replace('_', '')}" for key in
               (*PUBLIC, *HIDDEN, "source", "rejected", "gather", "secret")}
    for key in RECORDS:
        markers[f"record_{key}"] = f"{run}rec{key.replace('_', '')}"

    def dataset(key: str, **overrides: Any) -> dict[str, Any]:
        m = markers[key]
        data: dict[str, Any] = {
            "type": "dataset", "title": f"{m} 泄漏测试 {run}all", "notes": f"摘要 {m} {run}all",
            "tag_string": f"{m},{run}all", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
            "owner_org": org_a["id"], "private": False, "publisher_name": "广东省泄漏测试厅",
            "theme": ["民生服务"], "access_rights": "unconditional", "frequency": "monthly",
            "issued": "2018-06-01", "modified": "2018-07-01", "region_code": "440100",
            "contact_name": "数据管理科", "contact_email": "opendata@gd.gov.cn",
            "contact_phone": "020-12345678", "record_count": 10, "license_id": "cc-by",
            "share_type": "conditional_share", "data_level": "level2", "deidentified": "true",
            "resources": [{"url": f"http://127.0.0.1/{m}.csv", "name": f"{m} 数据文件",
                           "format": "CSV"}],
        }
        data.update(overrides)
        pkg = tk.get_action("package_create")(ctx(), data)
        # Its DataStore table (as the load job would leave it), with a marked cell: the
        # DataStore API (datastore_search, _info, _search_sql, dumps) is a surface too.
        tk.get_action("datastore_create")(ctx(), {
            "resource_id": pkg["resources"][0]["id"], "force": True,
            "fields": [{"id": "名称", "type": "text"}, {"id": "数量", "type": "int"}],
            "records": [{"名称": f"{m}cell 数据行", "数量": 1}]})
        return pkg

    packages: dict[str, dict[str, Any]] = {
        "public": dataset("public"),
        "internal": dataset("internal", **INTERNAL_VALUES),
        "private": dataset("private", private=True),
        "draft": dataset("draft", state="draft"),
        "not_open": dataset("not_open", access_rights="not_open", private=True),
    }

    # The harvest source (owned by organization A) with a credential in its config.
    secret = f"{markers['secret']}token"
    config = {"region_code": "441600", "preset": "kaifang_guangdong",
              "auth_header": {"name": "Authorization", "value": f"Bearer {secret}"}}
    source = tk.get_action("harvest_source_create")(ctx(), {
        "name": f"source-{run}", "title": f"{markers['source']} 采集源", "owner_org": org_a["id"],
        "url": f"http://127.0.0.1:9/{markers['source']}", "source_type": "guangdong_api",
        "config": json.dumps(config), "frequency": "MANUAL"})

    now = dt.datetime.utcnow()
    src = HarvestSource.get(source["id"])
    job = HarvestJob(source=src, status="Finished", gather_started=now, gather_finished=now,
                     finished=now)
    job.save()
    objects: dict[str, str] = {}

    def harvested(key: str, **overrides: Any) -> dict[str, Any]:
        remote_id = f"{run}-{key}"
        pkg = dataset(key, harvest_source_id=source["id"], harvest_remote_id=remote_id,
                      harvest_remote_url=f"http://127.0.0.1:9/{remote_id}",
                      harvested_at=now.replace(microsecond=0).isoformat(), **overrides)
        content = {"remote_url": f"http://127.0.0.1:9/{remote_id}",
                   "record": {"resId": remote_id, "resTitle": markers[f"record_{key}"],
                              "resAbstract": f"{markers[f'record_{key}']} 原始记录"}}
        obj = HarvestObject(guid=remote_id, job=job, source=src, package_id=pkg["id"],
                            current=True, state="COMPLETE", content=json.dumps(content),
                            gathered=now, fetch_started=now, fetch_finished=now,
                            import_started=now, import_finished=now)
        obj.save()
        objects[key] = obj.id
        return pkg

    packages["harvested_public"] = harvested("harvested_public")
    packages["harvested_private"] = harvested("harvested_private", private=True)
    packages["harvested_not_open"] = harvested("harvested_not_open", access_rights="not_open",
                                               private=True)
    packages["harvested_withdrawn"] = harvested("harvested_withdrawn")
    packages["harvested_deleted"] = harvested("harvested_deleted")
    assert withdraw(packages["harvested_withdrawn"]["id"], source["id"], "withdraw") == "withdrawn"
    assert withdraw(packages["harvested_deleted"]["id"], source["id"], "delete") == "deleted"

    # A record the import rejected: its object and error text belong to the source's editors.
    rejected = HarvestObject(guid=f"{run}-rejected", job=job, source=src, current=False,
                             state="ERROR", gathered=now, content=json.dumps(
                                 {"record": {"resTitle": markers["record_rejected"]}}))
    rejected.save()
    objects["rejected"] = rejected.id
    HarvestObjectError(object=rejected, stage="Import",
                       message=f"记录无效 {markers['rejected']}").save()
    HarvestGatherError(job=job, message=f"列表页失败 {markers['gather']}").save()

    # Applications: a public one using the public dataset, and a private one.
    def application(key: str, **overrides: Any) -> dict[str, Any]:
        m = markers[key]
        data = {"type": "application", "title": f"{m} 应用 {run}all", "notes": f"简介 {m} {run}all",
                "owner_org": org_a["id"], "developer_name": "某公司", "developer_type": "organization",
                "application_kind": "web", "url": f"http://127.0.0.1/{m}",
                "tag_string": f"{m},{run}all", "used_datasets": [packages["public"]["id"]]}
        data.update(overrides)
        return tk.get_action("package_create")(ctx(), data)

    packages["app_public"] = application("app_public")
    packages["app_private"] = application("app_private", private=True)

    held_values, held_samples = _held(packages, dataset, markers["held"])

    # The group holds a public, a private and a 不予开放 dataset.
    for key in ("public", "private", "not_open"):
        tk.get_action("member_create")(ctx(), {"id": group["id"], "object": packages[key]["id"],
                                               "object_type": "package", "capacity": "public"})

    # Dicts as stored now (state, private, resource ids after withdrawal and deletion).
    for key, pkg in list(packages.items()):
        packages[key] = tk.get_action("package_show")(ctx(), {"id": pkg["id"]})

    from ckanext.activity.model import Activity
    activities: dict[str, list[str]] = {}
    for key, pkg in packages.items():
        rows = (model.Session.query(Activity.id).filter(Activity.object_id == pkg["id"])
                .order_by(Activity.timestamp.desc()).all())
        activities[key] = [r[0] for r in rows]
    views = {}
    for pkg in packages.values():
        for res in pkg.get("resources", []):
            row = model.Session.query(model.ResourceView.id).filter(
                model.ResourceView.resource_id == res["id"]).first()
            if row:
                views[res["id"]] = row[0]

    tokens: dict[str, str | None] = {"anonymous": None}
    for role, user in users.items():
        tokens[role] = tk.get_action("api_token_create")(
            {"user": user["name"], "ignore_auth": True}, {"user": user["name"], "name": "leak"})["token"]
    model.Session.commit()

    world = World(run=run, users=users, tokens=tokens, markers=markers, packages=packages,
                  orgs={"a": org_a, "b": org_b}, group=group, source=source, jobs=[job.id],
                  objects=objects, activities=activities, views=views, secret=secret,
                  held_values=held_values, held_samples=held_samples)
    _policy(world)
    return world


def _held(packages: dict[str, dict[str, Any]], dataset: Any, marker: str) -> tuple[list[str], list[str]]:
    """A public dataset whose file turns out to hold ID numbers and mobiles: its DataStore
    table as the load job leaves it, and the job's scan of the same rows (the data feature's
    prepare, then safety/job.py), after which the gate holds it (stored private, a publication
    request with the findings). Returns the clear values and the findings' masked samples."""
    import csv
    import hashlib
    import os
    import random
    import tempfile

    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.data import config as data_config
    from ckanext.guangdong.data.prepare import prepare
    from ckanext.guangdong.safety import detectors, job
    from ckanext.guangdong.safety import tables as safety_tables

    rng = random.Random(marker)
    ids, mobiles = [], []
    for _n in range(12):
        first17 = f"440103{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        ids.append(first17 + detectors.id_check_character(first17))
        mobiles.append(f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}")
    header = ["名称", "身份证号码", "手机号码"]
    rows = [[f"{marker}cell 数据行", i, m] for i, m in zip(ids, mobiles, strict=False)]
    pkg = dataset("held")
    resource = pkg["resources"][0]
    tk.get_action("datastore_create")({"ignore_auth": True}, {
        "resource_id": resource["id"], "force": True,
        "fields": [{"id": h, "type": "text"} for h in header],
        "records": [dict(zip(header, r, strict=False)) for r in rows]})
    with tempfile.TemporaryDirectory(prefix="leak-held-") as tmp:
        src = os.path.join(tmp, "file.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows])
        with open(src, "rb") as f:
            digest = hashlib.md5(f.read(), usedforsecurity=False).hexdigest()
        prepared = prepare(src, "CSV", os.path.join(tmp, "prepared.csv"),
                           max_rows=data_config.max_rows(), candidates=data_config.encodings())
        job.on_prepared(resource, pkg, prepared, digest)
    row = safety_tables.scans(pkg["id"])[resource["id"]]
    assert row["state"] == "findings", row
    held = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})
    assert held["private"] is True, "the gate did not hold the dataset"
    packages["held"] = held
    samples = [s for f in row["findings"] for s in f["samples"]]
    assert {f["detector"] for f in row["findings"]} >= {"resident_id", "mobile"}, row["findings"]
    return ids + mobiles, samples


def _policy(world: World) -> None:
    """Fill ``forbidden`` and ``expected`` per role from the visibility rules above."""
    m = world.markers
    for role in (*ROLES, "publisher"):
        hidden_pkgs = HIDDEN if role in ("anonymous", "other_editor") else ()
        forbidden: dict[str, str] = {}
        expected: dict[str, str] = {}
        for key in (*PUBLIC, *HIDDEN):
            pkg = world.packages[key]
            texts = {f"{key} marker": m[key], f"{key} id": pkg["id"], f"{key} name": pkg["name"]}
            if pkg.get("identifier"):
                texts[f"{key} identifier"] = pkg["identifier"]
            for res in pkg.get("resources", []):
                texts[f"{key} resource id"] = res["id"]
            if pkg["type"] == "dataset":
                row = {f"{key} DataStore row": f"{m[key]}cell"}
                if key == "held" and role == "owner_member":  # held data: publishers and reviewers
                    forbidden.update(row)
                else:
                    texts.update(row)
            (forbidden if key in hidden_pkgs else expected).update(texts)
        for key in RECORDS:
            target = expected if role == "sysadmin" else forbidden
            target[f"remote record of {key}"] = m[f"record_{key}"]
        for key in ("rejected", "gather"):
            (expected if role == "sysadmin" else forbidden)[f"harvest error {key}"] = m[key]
        (expected if role == "sysadmin" else forbidden)["harvest credential"] = world.secret
        # the held dataset: its data (file, DataStore rows, previews) and the scan's findings
        # are for its publishers and reviewers only; the organization's plain members read its
        # metadata (CKAN's member rule), not its data (docs/safety.md)
        for n, value in enumerate(world.held_values):
            (expected if role in ("sysadmin", "publisher") else forbidden)[f"held value {n}"] = value
        for n, sample in enumerate(world.held_samples):
            (expected if role in ("sysadmin", "publisher") else forbidden)[f"held finding {n}"] = sample
        world.forbidden[role] = forbidden
        world.expected[role] = expected
