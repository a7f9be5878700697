"""The Solr that `make test-solr` runs is the docker image's; the ini selects it only when asked.
No Java needed: these run in `make test`."""
from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from solr_helpers import ROOT

DOCKER_SOLR = ROOT / "docker" / "solr"


def pom_property(name: str) -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom = ET.parse(DOCKER_SOLR / "launcher" / "pom.xml").getroot()
    return pom.find(f"m:properties/m:{name}", ns).text.strip()


def test_docker_image_and_launcher_run_the_same_solr_release() -> None:
    image = re.search(r"^FROM\s+solr:(\S+)", (DOCKER_SOLR / "Dockerfile").read_text(), re.M).group(1)
    tested = pom_property("solr.version")
    # the image tag names major.minor (it follows that line's patch releases): same line
    assert tested.startswith(image + "."), f"docker image solr:{image}, tests run Solr {tested}"


def render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str, **env: str) -> str:
    """scripts/render_config.py's ini for ``profile`` with ``env`` (secrets in a temp var/)."""
    spec = importlib.util.spec_from_file_location("gd_render_config_solr", ROOT / "scripts" / "render_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "secrets").mkdir(exist_ok=True)
    for name in ("db_password", "secret_key", "datastore_write_password", "datastore_read_password"):
        (tmp_path / "secrets" / name).write_text("x")
    monkeypatch.setenv("GD_VAR", str(tmp_path))
    for name in ("GD_TEST_DB", "GD_SEARCH_BACKEND", "GD_SOLR_URL", "GD_SOLR_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return module.render(profile).read_text()


def option(ini: str, key: str) -> str:
    return re.search(rf"^{re.escape(key)} = (.*)$", ini, re.M).group(1)


def test_backend_defaults_to_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = render(tmp_path, monkeypatch, "run")
    assert option(ini, "ckanext.guangdong.search_backend") == "postgres"


@pytest.mark.parametrize("profile, core", [("run", "ckan"), ("test", "ckan_test")])
def test_solr_backend_points_at_the_local_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               profile: str, core: str) -> None:
    ini = render(tmp_path, monkeypatch, profile, GD_SEARCH_BACKEND="solr", GD_SOLR_PORT="8990")
    assert option(ini, "ckanext.guangdong.search_backend") == "solr"
    assert option(ini, "solr_url") == f"http://127.0.0.1:8990/solr/{core}"


@pytest.mark.parametrize("value", ["elasticsearch", "Solr", "solr\nsolr_url = http://evil/", "solr\x00",
                                   pytest.param("postgres " * 1000, id="huge")])
def test_unknown_backend_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    if "\x00" in value:  # the environment cannot hold NUL: the renderer never sees it
        with pytest.raises(ValueError):
            monkeypatch.setenv("GD_SEARCH_BACKEND", value)
        return
    with pytest.raises(SystemExit, match="GD_SEARCH_BACKEND"):
        render(tmp_path, monkeypatch, "run", GD_SEARCH_BACKEND=value)
    assert not (tmp_path / "ckan.ini").exists()
