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


@demo.command("accounts")
def demo_accounts() -> None:
    """Create the demo's editor, organization admin and provincial reviewer (make run only).
    Passwords come from the environment (GD_DEMO_PASSWORD_<NAME>, scripts/setup.sh)."""
    import os

    from ckanext.guangdong.demo import accounts
    passwords = {}
    for name in accounts.ACCOUNTS:
        key = "GD_DEMO_PASSWORD_" + name.replace("-", "_").upper()
        if not os.environ.get(key):
            raise click.UsageError(f"{key} is not set")
        passwords[name] = os.environ[key]
    created = accounts.create(passwords)
    click.secho("demo accounts created: " + (", ".join(created) or "none (they exist)"), fg="green")


guangdong.add_command(demo)
