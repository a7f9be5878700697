"""The events tests use the same catalog fixtures as the targets tests (tests/targets/conftest.py)."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "gd_targets_fixtures", Path(__file__).resolve().parents[1] / "targets" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

gd_db = _fixtures.gd_db
catalog = _fixtures.catalog
PLUGINS = _fixtures.PLUGINS
