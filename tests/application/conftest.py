"""The application tests use the shared test data (tests/gd_testing.py) and the fixtures gd,
gd_app and gd_plugins of tests/conftest.py."""
