"""A stock CKAN — ckanext-dcat's own DCAT-AP schema and profile, ckanext-harvest and its RDF
harvester, none of our plugins — harvests our /catalog.ttl over HTTP without errors.

The stock instance runs in a subprocess (stock_harvest.py) on its own database
(``<test db>_stock``, created and migrated here once), so nothing of ours is loaded in it."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from gd_testing import dataset_dict, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")
ROOT = Path(__file__).resolve().parents[2]
CKAN = Path(sys.executable).parent / "ckan"


def stock_ini(tmp_dir: Path) -> Path:
    """Our test ini with the stock plugins, ckanext-dcat's schema and a database of its own."""
    ini = Path(tk.config["__file__"]).read_text("utf-8")
    db = re.search(r"^sqlalchemy\.url = .*/(\w+)$", ini, re.M).group(1)
    stock_db = f"{db}_stock"
    replace = {
        r"^(sqlalchemy\.url = .*/)\w+$": rf"\g<1>{stock_db}",
        r"^ckan\.plugins = .*$": "ckan.plugins = scheming_datasets dcat harvest dcat_rdf_harvester",
        r"^scheming\.dataset_schemas = .*$":
            "scheming.dataset_schemas = ckanext.dcat.schemas:dcat_ap_full.yaml",
        r"^scheming\.presets = .*$":
            "scheming.presets = ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml",
        r"^ckanext\.dcat\.rdf\.profiles = .*$": "ckanext.dcat.rdf.profiles = euro_dcat_ap_3",
        r"^ckan\.site_id = .*$": "ckan.site_id = stock_ckan",
        r"^(scheming\.organization_schemas|search\.facets|ckanext\.guangdong\.(harvest|targets)\S*) = .*\n": "",
    }
    for pattern, value in replace.items():
        ini = re.sub(pattern, value, ini, flags=re.M)
    path = tmp_dir / "stock.ini"
    path.write_text(ini, "utf-8")
    subprocess.run([str(ROOT / "scripts" / "services.sh"), "createdb", stock_db], check=True,
                   capture_output=True)
    for args in (["db", "init"], ["db", "upgrade", "-p", "harvest"]):
        subprocess.run([str(CKAN), "-c", str(path), *args], check=True, capture_output=True)
    return path


def test_stock_ckan_harvests_our_catalog(live_server, tmp_path) -> None:
    ctx = {"user": make_sysadmin()["name"]}
    org = make_org()
    created = [
        tk.get_action("package_create")(dict(ctx), dataset_dict(org["id"])),
        tk.get_action("package_create")(dict(ctx), dataset_dict(
            org["id"], title="河源市空气质量", access_rights="conditional",
            access_conditions="注册后申请", frequency="daily", theme=["生态环保"])),
    ]
    url = f"{live_server}/catalog.ttl?fq=organization:{org['name']}"
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("stock_harvest.py")),
                          str(stock_ini(tmp_path)), url],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["gather_errors"] == [] and result["object_errors"] == []
    assert result["objects"] == 2
    harvested = {d["identifier"]: d for d in result["datasets"]}
    assert set(harvested) == {p["identifier"] for p in created}
    air = harvested[created[1]["identifier"]]
    assert air["title"] == "河源市空气质量"
    assert air["frequency"] == "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert air["access_rights"].endswith("/access-right/RESTRICTED")
    assert air["theme"] == [tk.config["ckan.site_url"].rstrip("/") + "/vocab/themes#ecology-environment"]
    assert air["formats"] == ["http://publications.europa.eu/resource/authority/file-type/CSV"]
