"""The application tests share the schema tests' test data (tests/schema/schema_data.py);
their fixtures gd, gd_app and gd_plugins come from tests/conftest.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schema"))
