"""``ckan guangdong demo ...``: the demo catalog (organizations, datasets, applications)."""
from __future__ import annotations

import click

from ckanext.guangdong.cli import guangdong

# What @tk.blanket.cli registers (theme plugin): the portal's group with the demo's commands
__all__ = ["guangdong"]


@click.group()
def demo() -> None:
    """The demo catalog (organizations, datasets, applications)."""


@demo.command("load")
def demo_load() -> None:
    """Create the demo catalog; existing demo records are left as they are."""
    from ckanext.guangdong.demo.loader import load
    counts = load()
    click.secho("demo catalog: " + ", ".join(f"{k} {v}" for k, v in counts.items()), fg="green")


guangdong.add_command(demo)
