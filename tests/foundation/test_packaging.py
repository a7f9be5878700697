"""The production image installs the runtime only; the test tools come with the tests.

requirements/requirements.txt is pyproject.toml's `dependencies` and is all the image
(docker/Dockerfile) installs; requirements/test.txt is the `test` extra and is installed by
scripts/test.sh's setup (GD_TEST_TOOLS=1). Read from the files, nothing is installed.
"""
from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
TEST_ONLY = {"playwright", "pyshacl", "axe-playwright-python"}


def _read(path: Path) -> list[Requirement]:
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    assert not any(line.startswith("-") for line in lines), f"{path.name}: includes or options"
    return [Requirement(line) for line in lines if line]


def _names(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_runtime_requirements_hold_no_test_tool() -> None:
    runtime = _read(REQUIREMENTS / "requirements.txt")
    assert not _names(runtime) & TEST_ONLY
    ckan = next(r for r in runtime if r.name == "ckan")
    assert ckan.extras == {"requirements"}  # not "dev": pytest, factories, the debug toolbar


def test_the_test_requirements_hold_the_test_tools() -> None:
    test = _read(REQUIREMENTS / "test.txt")
    assert TEST_ONLY <= _names(test)
    assert next(r for r in test if r.name == "ckan").extras == {"dev"}


def test_the_requirement_files_follow_pyproject() -> None:
    project = _pyproject()
    # pyproject.toml also names what CKAN brings and we import directly; the file need not
    assert _names(_read(REQUIREMENTS / "requirements.txt")) <= \
        _names([Requirement(r) for r in project["dependencies"]])
    assert _names(_read(REQUIREMENTS / "test.txt")) == \
        _names([Requirement(r) for r in project["optional-dependencies"]["test"]])


def test_the_image_installs_the_runtime_only() -> None:
    dockerfile = "\n".join(line for line in (ROOT / "docker" / "Dockerfile").read_text(
        encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))
    installs = re.findall(r"-r (\S+)", dockerfile)
    assert installs == ["/src/requirements/requirements.txt"]
    assert "test.txt" not in dockerfile and "[test]" not in dockerfile and "[dev]" not in dockerfile


def test_the_test_setup_installs_the_test_tools() -> None:
    venv_sh = (ROOT / "scripts" / "venv.sh").read_text(encoding="utf-8")
    assert re.search(r'GD_TEST_TOOLS.*\n(.*\n){0,4}.*-r "\$GD_ROOT/requirements/test.txt"', venv_sh)
    for script in ("test.sh", "test-solr.sh"):
        assert "GD_TEST_TOOLS=1" in (ROOT / "scripts" / script).read_text(encoding="utf-8"), script
