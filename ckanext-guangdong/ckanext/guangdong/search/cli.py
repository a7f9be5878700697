"""``ckan guangdong search ...``: commands of the search feature."""
from __future__ import annotations

import click


@click.group("search", short_help="Embedded search index commands")
def search() -> None:
    """Embedded PostgreSQL search index."""


@search.command("reindex")
@click.option("--workers", "-w", default=2, show_default=True, help="Parallel processes.")
@click.option("--clear", is_flag=True, help="Empty the index first.")
def reindex(workers: int, clear: bool) -> None:
    """Rebuild the whole index in parallel (like `ckan search-index rebuild`, faster)."""
    from ckanext.guangdong.search.reindex import reindex as run
    count, failed, seconds = run(workers=workers, clear=clear)
    rate = count / seconds if seconds else 0.0
    click.secho(f"indexed {count - failed} of {count} datasets in {seconds:.1f} s "
                f"({rate:.1f}/s, {workers} workers)", fg="green" if not failed else "yellow")
    if failed:
        raise click.exceptions.Exit(1)
