"""``ckan guangdong snapshot``: the daily audit snapshot of target progress and statistics."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.guangdong.cli import guangdong

# What @tk.blanket.cli registers: the portal's group, to which this feature adds its commands
__all__ = ["guangdong"]


@click.command("snapshot")
@click.option("--as-of", default=None, help="Date of the snapshot (YYYY-MM-DD); default today.")
def snapshot(as_of: str | None) -> None:
    """Reconcile the publication record and store the day's progress and statistics."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    result = tk.get_action("guangdong_targets_snapshot")(
        {"user": site_user["name"], "ignore_auth": True}, {"as_of": as_of} if as_of else {})
    click.secho(f"snapshot {result['snapshot_date']}: {result['datasets']} open datasets, "
                f"{result['applications']} applications; reconciled {result['reconciled']}", fg="green")
    for target_id, status in sorted(result["targets"].items()):
        click.echo(f"  {target_id}: {status}")


guangdong.add_command(snapshot)
