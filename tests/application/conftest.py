"""The application tests share the schema tests' fixtures and test data (tests/schema)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schema"))

from schema_fixtures import gd, gd_app, gd_plugins  # noqa: E402,F401
