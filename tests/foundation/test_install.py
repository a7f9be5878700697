"""A regular (non-editable) install of the repository is a complete extension.

The venv has ``pip install -e .``, where every file is read from the work tree, so
a file that setup.py forgets to ship (a schema YAML, a feature's
config_declaration.yaml, templates, translations, migrations) goes unnoticed
locally and breaks the docker image (docker/Dockerfile runs ``pip install .``).
This test builds such an install into a temporary folder and compares it with the
repository. The expected files are derived from the repository as it is now, so
the test stays true as features add files, and fails when setup.py would not ship
one of them.

The build runs on a copy of the packaging sources (setup.py, pyproject.toml and the
folders setup.py maps; the package's symlinks to harvesters/ and schemas/ copied as the
folders they point to), so that it writes no build/ or egg-info into the shared work tree.
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "setup.py"
PACKAGE = "ckanext.guangdong"

# Kinds of files the package needs at run time (code, data, templates, assets,
# translations, migration scripts). Others (README.md, ...) are not required.
SHIPPED_SUFFIXES = {
    ".py", ".yaml", ".yml", ".json", ".jsonld", ".ttl", ".xml", ".csv", ".txt", ".sql",
    ".html", ".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
    ".woff", ".woff2", ".po", ".mo", ".ini", ".mako", ".cfg",
}
IGNORED_PARTS = {"__pycache__", ".pytest_cache", "node_modules"}


def setup_literal(name: str):
    """A literal assigned at the top of setup.py (PACKAGE_DIR), without running it."""
    tree = ast.parse(SETUP.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"setup.py has no {name}")


def source_roots() -> dict[str, Path]:
    """Package name -> folder in the repository, as setup.py's package_dir maps them."""
    roots = {}
    for package, folder in setup_literal("PACKAGE_DIR").items():
        if package == "":  # the source root of the namespace: ckanext-guangdong/ckanext/guangdong
            roots[PACKAGE] = ROOT / folder / Path(*PACKAGE.split("."))
        else:
            roots[package] = ROOT / folder
    return roots


def shipped(rel: Path) -> bool:
    """Whether a file (path relative to its package folder) is one the package needs."""
    return (rel.suffix in SHIPPED_SUFFIXES
            and not any(p in IGNORED_PARTS or p.startswith(".") or p.endswith(".egg-info")
                        for p in rel.parts))


def files_under(folder: Path) -> Iterator[Path]:
    """Every file below folder, also through the package's symlinks (harvesters/, schemas/)."""
    for dirpath, _, names in os.walk(folder, followlinks=True):
        for name in names:
            yield Path(dirpath) / name


def expected_files() -> set[str]:
    """Paths (relative to the install folder) every file of the repository's packages maps to."""
    roots = source_roots()
    expected = set()
    for package, folder in roots.items():
        # a subfolder mapped to another package is that package's business
        others = [r for p, r in roots.items() if p != package and r.is_relative_to(folder)]
        for path in files_under(folder):
            rel = path.relative_to(folder)
            if shipped(rel) and path.is_file() and not any(path.is_relative_to(o) for o in others):
                expected.add(str(Path(*package.split(".")) / rel))
    return expected


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Path:
    """``pip install --no-deps --no-build-isolation --target`` of a copy of the repository."""
    src = tmp_path_factory.mktemp("src")
    shutil.copy2(SETUP, src / "setup.py")
    for extra in ("pyproject.toml", "setup.cfg", "MANIFEST.in"):
        if (ROOT / extra).exists():
            shutil.copy2(ROOT / extra, src / extra)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")
    for folder in {Path(f).parts[0] for f in setup_literal("PACKAGE_DIR").values()}:
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("target")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-cache-dir", "--disable-pip-version-check", "-q", "--target", str(out), str(src)],
        capture_output=True, text=True, timeout=300, cwd=src)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def run_python(code: str, pythonpath: Path | None) -> dict:
    """Run code in a fresh interpreter of this venv, away from the work tree; JSON result."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd="/", timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


RESOLVE = """
import importlib, importlib.util, json, sys
names = %s
out = {}
for name in names:
    spec = importlib.util.find_spec(name)
    out[name] = spec.origin if spec else None
print(json.dumps(out))
"""


def resolve(packages: list[str], pythonpath: Path | None) -> dict[str, str | None]:
    return run_python(RESOLVE % json.dumps(packages), pythonpath)


def installed_packages(target: Path) -> list[str]:
    base = target / "ckanext" / "guangdong"
    return sorted(".".join(p.parent.relative_to(target).parts) for p in base.rglob("__init__.py"))


def test_non_editable_install_ships_every_file_of_the_repository(target):
    expected = expected_files()
    assert "ckanext/guangdong/schemas/dataset.yaml" in expected  # the derivation itself works
    assert "ckanext/guangdong/wsgi.py" in expected
    installed = {str(p.relative_to(target)) for p in (target / "ckanext").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    missing = sorted(expected - installed)
    assert not missing, ("setup.py does not ship these files in a non-editable install "
                         f"(fix package_data): {missing}")


def test_the_files_features_rely_on_are_shipped(target):
    """The kinds of files named in the foundation issue, each derived from the repository."""
    pkg = target / "ckanext" / "guangdong"
    roots = source_roots()
    code = roots[PACKAGE]
    schemas, harvesters = code / "schemas", code / "harvesters"  # symlinks to the top-level folders
    assert (pkg / "schemas" / "dataset.yaml").is_file()
    for path in schemas.rglob("*.yaml"):  # dataset/application/presets and vocab/*.yaml
        assert (pkg / "schemas" / path.relative_to(schemas)).is_file(), path
    for path in harvesters.rglob("*.yaml"):  # crosswalk.yaml once it exists
        assert (pkg / "harvesters" / path.relative_to(harvesters)).is_file(), path
    kinds = {
        "config_declaration": list(code.rglob("config_declaration.yaml")),
        "templates": [p for p in code.rglob("*") if "templates" in p.parts and p.is_file()],
        "migrations": [p for p in (code / "migration").rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts],
        "translations": list(code.rglob("*.po")) + list(code.rglob("*.mo")),
    }
    assert kinds["config_declaration"], "no feature declares its options?"
    for kind, paths in kinds.items():
        for path in paths:
            assert (pkg / path.relative_to(code)).is_file(), f"{kind}: {path.relative_to(ROOT)} not shipped"


def test_installed_copy_is_what_python_imports(target):
    packages = installed_packages(target)
    assert {PACKAGE, f"{PACKAGE}.schemas", f"{PACKAGE}.harvesters"} <= set(packages)
    origins = resolve(packages, target)
    for name, origin in origins.items():
        assert origin and Path(origin).is_relative_to(target), f"{name} resolved to {origin}"


def test_installed_schemas_load_through_ckanext_scheming(target):
    """The ini names schemas as ckanext.guangdong.schemas:dataset.yaml; scheming finds them."""
    code = """
import json
from ckanext.scheming.plugins import _load_schema_module_path
out = {}
for name in ("dataset.yaml", "application.yaml"):
    schema = _load_schema_module_path("ckanext.guangdong.schemas:" + name)
    out[name] = schema and schema.get("dataset_type")
import ckanext.guangdong.schemas as s
out["from"] = s.__file__
print(json.dumps(out))
"""
    out = run_python(code, target)
    assert out["dataset.yaml"] == "dataset"
    assert out["application.yaml"] == "application"
    assert Path(out["from"]).is_relative_to(target)


def test_installed_entry_points_are_pyprojects_and_resolve_to_the_install(target):
    code = """
import importlib.metadata as md, importlib.util, json, sys
dist = next(d for d in md.distributions(path=[TARGET])
            if d.metadata["Name"] == "ckanext-guangdong")
eps = {ep.group + ":" + ep.name: ep.value for ep in dist.entry_points}
origins = {v: importlib.util.find_spec(v.split(":")[0]).origin for v in eps.values()}
print(json.dumps({"eps": eps, "origins": origins}))
""".replace("TARGET", repr(str(target)))
    out = run_python(code, target)
    plugins = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["entry-points"]["ckan.plugins"]
    installed = {k.split(":", 1)[1]: v for k, v in out["eps"].items() if k.startswith("ckan.plugins:")}
    assert installed == plugins
    for value, origin in out["origins"].items():
        if value.startswith(PACKAGE):
            assert origin and Path(origin).is_relative_to(target), f"{value} -> {origin}"


def test_editable_install_resolves_the_same_packages_to_the_work_tree(target):
    """The venv's ``pip install -e .``: the same packages, each from its folder in the repository."""
    packages = installed_packages(target)
    origins = resolve(packages, None)
    roots = sorted(source_roots().items(), key=lambda kv: -len(kv[0]))
    for name in packages:
        package, folder = next((p, f) for p, f in roots if name == p or name.startswith(p + "."))
        rel = Path(*name[len(package):].lstrip(".").split(".")) if name != package else Path()
        want = folder / rel / "__init__.py"
        assert origins[name] and Path(origins[name]) == want, f"{name}: {origins[name]} != {want}"
