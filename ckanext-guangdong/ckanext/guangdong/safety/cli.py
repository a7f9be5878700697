"""``ckan guangdong deidentify``: a de-identified copy of a CSV/XLSX, of a resource (added to
its dataset, optionally published in the same step) or of a local file; and ``ckan guangdong
safety scan`` to scan a local file as the load job would."""
from __future__ import annotations

import json
import os
import sys

import ckan.plugins.toolkit as tk
import click

from ckanext.guangdong.cli import guangdong

# What @tk.blanket.cli registers: the portal's group, to which this feature adds its commands
__all__ = ["guangdong"]


def _rules(pairs: tuple[str, ...]) -> dict[str, str]:
    rules = {}
    for pair in pairs:
        column, sep, rule = pair.partition("=")
        if not sep or not column.strip() or not rule.strip():
            raise click.BadParameter(f"{pair!r}: write COLUMN=RULE, e.g. 身份证号码=hash", param_hint="--rule")
        rules[column.strip()] = rule.strip()
    return rules


@click.command("deidentify")
@click.argument("resource_id", required=False)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="A local CSV/XLSX instead of a resource.")
@click.option("--output", type=click.Path(dir_okay=False), help="Where to write the copy of --file.")
@click.option("--rule", "rules", multiple=True,
              help="COLUMN=RULE (mask, truncate, month, year, hash, drop, keep); repeatable.")
@click.option("--publish", is_flag=True, help="Replace the resource by its copy and request publication.")
def deidentify(resource_id: str | None, path: str | None, output: str | None,
               rules: tuple[str, ...], publish: bool) -> None:
    """A de-identified (脱敏) copy by column rules; columns with findings and no rule get the
    rule suggested for their kind."""
    from ckanext.guangdong.safety import config
    from ckanext.guangdong.safety import deidentify as de
    given = _rules(rules)
    if path:
        if not output:
            raise click.UsageError("--file needs --output")
        try:
            result = de.deidentify_file(path, os.path.splitext(path)[1].lstrip("."), output, given,
                                        config.hash_salt(), config.options())
        except de.BadRules as e:
            raise click.ClickException("; ".join(en for _zh, en in e.problems)) from e
        except Exception as e:  # a file that is not a table: the data feature's message
            raise click.ClickException(str(e)[:500]) from e
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if not resource_id:
        raise click.UsageError("give a RESOURCE_ID or --file")
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        result = tk.get_action("guangdong_safety_deidentify")(
            {"user": site["name"], "ignore_auth": True},
            {"resource_id": resource_id, "rules": given, "publish": publish})
    except (tk.ValidationError, tk.ObjectNotFound) as e:
        raise click.ClickException(str(getattr(e, "error_dict", None) or e)) from e
    click.echo(json.dumps({"resource_id": result["resource"]["id"], "rules": result["rules"],
                           "rows": result["rows"], "findings": result["findings"]}, ensure_ascii=False))


@click.group("safety")
def safety() -> None:
    """Publishing safety: personal data scans, the review queue."""


@safety.command("scan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def scan(path: str) -> None:
    """Scan a local CSV/XLSX file as the load job would; print the findings (masked)."""
    from ckanext.guangdong.safety import config
    from ckanext.guangdong.safety.deidentify import read_table
    from ckanext.guangdong.safety.scanner import scan_table
    try:
        _kind, header, rows = read_table(path, os.path.splitext(path)[1].lstrip("."))
    except Exception as e:
        raise click.ClickException(str(e)[:500]) from e
    findings, n = scan_table(header, rows, config.options(), config.thresholds())
    click.echo(json.dumps({"rows": n, "findings": [f.as_dict() for f in findings]}, ensure_ascii=False))
    sys.exit(1 if findings else 0)


@safety.command("rescan-links")
@click.option("--limit", default=1000, show_default=True, help="At most this many links.")
def rescan_links(limit: int) -> None:
    """Queue a new read of the links whose last clean scan is older than link_rescan_hours."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    result = tk.get_action("guangdong_safety_rescan_links")({"user": site["name"], "ignore_auth": True},
                                                            {"limit": limit})
    click.echo(json.dumps(result))


guangdong.add_command(deidentify)
guangdong.add_command(safety)
