"""``ckan guangdong ...``: the portal's one command group. Each feature adds its own
sub-commands to it from its plugin's ``get_commands`` (demo and site: theme; ``search``:
search; ``harvest`` and ``scheduler``: harvest_ops; ``snapshot``: targets)."""
from __future__ import annotations

import click


@click.group(short_help="开放广东 portal commands")
def guangdong() -> None:
    """开放广东 portal commands."""
