"""The schema tests use the shared fixtures gd, gd_app and gd_plugins of tests/conftest.py."""
