"""The alembic environment shared by every guangdong_* plugin's migrations.

Each plugin's ``env.py`` calls :func:`run` with its folder name; the version table is
``<plugin>_alembic_version``, as CKAN expects for plugin migrations.
"""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool


def run(plugin: str) -> None:
    config = context.config
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    version_table = f"{plugin}_alembic_version"
    if context.is_offline_mode():
        # SQL script output: a URL is enough, no database connection.
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=None,
                          literal_binds=True, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(config.get_section(config.config_ini_section),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
