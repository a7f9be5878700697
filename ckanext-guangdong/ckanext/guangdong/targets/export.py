"""CSV and XLSX exports of the dashboard figures (the commission's reports)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from ckanext.guangdong.security.cells import safe_row

Translate = Callable[[str], str]


def tables(progress: dict[str, Any], stats: dict[str, Any], _: Translate) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet name, header, rows) for each table of the dashboard."""
    out: list[tuple[str, list[str], list[list[Any]]]] = []
    out.append((_("Targets"), [_("Target"), _("Scope"), _("Metric"), _("Count"), _("Threshold"), _("Percent"),
                               _("Deadline"), _("Days left"), _("Projection"), _("Status"),
                               _("Count at deadline"), _("Reached on"), _("Missed by")],
                [[t["title"]["zh_Hans_CN"], t["scope"], t["metric"], t["count"], t["threshold"], t["percent"],
                  t["deadline"], t["days_left"], t["projection"], t["status"], t["count_at_deadline"],
                  t["met_on"], t["shortfall"] or None] for t in progress["targets"]]))
    out.append((_("Cities"), [_("Region code"), _("City"), _("Open datasets"), _("Applications")],
                [[c["region_code"], c["title"], c["datasets"], c["applications"]] for c in stats["by_city"]]))
    out.append((_("Departments"), [_("Organization"), _("Open datasets"), _("Applications")],
                [[d["title"], d["datasets"], d["applications"]] for d in stats["by_department"]]))
    out.append((_("Themes"), [_("Theme"), _("Open datasets")],
                [[t["value"], t["datasets"]] for t in stats["by_theme"]]))
    series = {p["month"]: [p["count"], 0] for p in stats.get("series", {}).get("datasets", [])}
    for p in stats.get("series", {}).get("applications", []):
        series.setdefault(p["month"], [0, 0])[1] = p["count"]
    out.append((_("Monthly"), [_("Month"), _("Open datasets"), _("Applications")],
                [[m, *v] for m, v in sorted(series.items())]))
    return out


def to_csv(progress: dict[str, Any], stats: dict[str, Any], _: Translate) -> bytes:
    """One CSV with the tables one after another, each under a line naming it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row([_("Open-data progress"), progress["as_of"]]))
    for name, header, rows in tables(progress, stats, _):
        writer.writerow([])
        writer.writerow(safe_row([name]))
        writer.writerow(safe_row(header))
        writer.writerows(safe_row(row) for row in rows)  # titles are data: never formulas
    # A BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(progress: dict[str, Any], stats: dict[str, Any], _: Translate) -> bytes:
    book = Workbook()
    assert book.active is not None  # a new workbook has one empty sheet
    book.remove(book.active)
    for name, header, rows in tables(progress, stats, _):
        sheet = book.create_sheet(title=name[:31])
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))  # openpyxl stores a text starting with "=" as a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
