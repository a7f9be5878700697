"""Fixtures of the schema tests live in schema_fixtures.py (shared with tests/application)."""
from schema_fixtures import gd, gd_app, gd_plugins  # noqa: F401
