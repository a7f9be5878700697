"""Alembic environment of this plugin's migrations (shared body: ckanext.guangdong.migration.alembic_env)."""
import os

from ckanext.guangdong.migration.alembic_env import run

run(os.path.basename(os.path.dirname(__file__)))
