"""``ckan guangdong search ...``: commands of the search feature."""
from __future__ import annotations

import time

import click

from ckanext.guangdong.cli import guangdong

# What @tk.blanket.cli registers: the portal's group, to which this feature adds its commands
__all__ = ["guangdong"]


@click.group("search", short_help="Embedded search index commands")
def search() -> None:
    """Embedded PostgreSQL search index."""


@search.command("reindex")
@click.option("--workers", "-w", default=2, show_default=True, help="Parallel processes.")
@click.option("--clear", is_flag=True, help="Empty the index first.")
@click.option("--bulk/--no-bulk", default=True, show_default=True,
              help="Build package_show's dicts for a batch at a time (--no-bulk: "
                   "package_show per dataset).")
@click.option("--batch", default=250, show_default=True, help="Datasets per transaction.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def reindex(workers: int, clear: bool, bulk: bool, batch: int, quiet: bool) -> None:
    """Rebuild the whole index in parallel (like `ckan search-index rebuild`, faster)."""
    from ckanext.guangdong.search.reindex import rebuild

    last = [0.0]

    def progress(done: int, total: int, failed: int, seconds: float) -> None:
        now = time.monotonic()
        if quiet or (now - last[0] < 5 and done < total):
            return
        last[0] = now
        rate = done / seconds if seconds else 0.0
        left = (total - done) / rate if rate else 0.0
        click.echo(f"  {done}/{total} datasets, {failed} failed, {rate:.1f}/s, "
                   f"about {left:.0f} s left", err=True)

    result = rebuild(workers=workers, clear=clear, bulk=bulk, batch=batch, progress=progress)
    click.secho(f"indexed {result.total - len(result.failed)} of {result.total} datasets in "
                f"{result.seconds:.1f} s ({result.rate:.1f}/s, {workers} workers, "
                f"{'bulk' if bulk else 'package_show'}; {result.fallbacks} via package_show)",
                fg="green" if not result.failed else "yellow")
    for pkg_id in result.failed:
        click.echo(f"failed: {pkg_id}", err=True)
    if result.failed:
        raise click.exceptions.Exit(1)


guangdong.add_command(search)
