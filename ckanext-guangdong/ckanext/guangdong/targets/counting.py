"""Counting open datasets and applications on any date, with SQL aggregates over the events
feature's tables (never per-dataset actions). The rules are in docs/targets.md.

"Open on date D" means open at the end of D in the portal's time zone: an interval counts
when ``opened_at < T`` and it was not closed before ``T``, T being the next local midnight
(in UTC, as CKAN stores times).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong.metadata import openness

Interval = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class Rules:
    """Where reasonable people differ (config options, see config_declaration.yaml)."""
    dedupe_identifier: bool = True
    applications_require_open_dataset: bool = True
    rate_window_days: int = 90
    timezone: str = "Asia/Shanghai"


def instant(day: dt.date, rules: Rules) -> dt.datetime:
    """End of ``day`` in the portal's time zone, as naive UTC."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, ZoneInfo(rules.timezone))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def local_date(t: dt.datetime, rules: Rules) -> dt.date:
    """The portal's local date of a naive UTC time."""
    return t.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(rules.timezone)).date()


def today(rules: Rules) -> dt.date:
    return dt.datetime.now(ZoneInfo(rules.timezone)).date()


def scope_clause(scope: str, params: dict[str, Any], alias: str = "p") -> str:
    """SQL restricting ``alias`` (a row with owner_org) to a target scope; harvested city
    datasets belong to their owner organization's region, and everything to the province."""
    kind, _, value = scope.partition(":")
    if kind == "province":
        return ""
    if kind == "city":
        params["scope_region"] = value
        return (f" AND {alias}.owner_org IN (SELECT ge.group_id FROM group_extra ge WHERE ge.key = 'region_code'"
                " AND ge.value = :scope_region AND coalesce(ge.state, 'active') = 'active')")
    if kind == "organization":
        params["scope_org"] = value
        return f" AND {alias}.owner_org IN (SELECT g.id FROM \"group\" g WHERE g.name = :scope_org OR g.id = :scope_org)"
    raise ValueError(f"unknown scope {scope!r}")


def dataset_counts(conn: Connection, rules: Rules, instants: list[dt.datetime], scope: str = "province",
                   theme: str | None = None) -> list[int]:
    """Open datasets at each instant within a scope (one SQL statement, one scan)."""
    if not instants:
        return []
    params: dict[str, Any] = {"type": openness.DATASET_TYPE, "tmin": min(instants), "tmax": max(instants)}
    for i, t in enumerate(instants):
        params[f"t{i}"] = t
    if scope == "province" and theme is None and rules.dedupe_identifier:
        # The province's plain count is the number of open identifier intervals: a scan of a
        # narrow table, no join (the same table the monthly series is computed from).
        aggs = ", ".join(f"count(*) FILTER (WHERE opened_at < :t{i} AND (closed_at IS NULL OR closed_at >= :t{i}))"
                         for i in range(len(instants)))
        row = conn.execute(text(f"SELECT {aggs} FROM guangdong_key_period WHERE opened_at < :tmax "
                                "AND (closed_at IS NULL OR closed_at >= :tmin)"), params).first()
        assert row is not None  # an aggregate without GROUP BY returns one row
        return [int(v) for v in row]
    where = scope_clause(scope, params)
    table = "guangdong_open_period"
    if theme:  # one row per interval and theme (events/tables.py), indexed by (dim, value)
        params["theme"] = theme
        table = "guangdong_open_period_value"
        where += " AND p.dim = 'theme' AND p.value = :theme"
    base = (f"FROM {table} p WHERE p.package_type = :type AND p.opened_at < :tmax "
            f"AND (p.closed_at IS NULL OR p.closed_at >= :tmin) {where}")
    open_at = [f"(p.opened_at < :t{i} AND (p.closed_at IS NULL OR p.closed_at >= :t{i}))"
               for i in range(len(instants))]
    if not rules.dedupe_identifier:  # a package has at most one interval open at any instant
        row = conn.execute(text("SELECT " + ", ".join(f"count(*) FILTER (WHERE {o})" for o in open_at)
                                + " " + base), params).first()
        assert row is not None  # an aggregate without GROUP BY returns one row
        return [int(v or 0) for v in row]
    # Packages whose identifier no other package holds count directly; the few that share one
    # are grouped by identifier so that copies count once.
    single = conn.execute(text("SELECT " + ", ".join(f"count(*) FILTER (WHERE {o})" for o in open_at)
                               + f" {base} AND NOT p.shared"), params).first()
    flags = ", ".join(f"bool_or({o}) AS o{i}" for i, o in enumerate(open_at))
    shared = conn.execute(text(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE o{i})" for i in range(len(instants)))
        + f" FROM (SELECT p.count_key, {flags} {base} AND p.shared GROUP BY p.count_key) x"), params).first()
    assert single is not None and shared is not None  # aggregates without GROUP BY: one row each
    return [int(a or 0) + int(b or 0) for a, b in zip(single, shared, strict=False)]


def _intersect(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start < end else None


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_end = merged[-1][1]
            merged[-1] = (merged[-1][0], None if last_end is None or end is None else max(last_end, end))
        else:
            merged.append((start, end))
    return merged


@dataclass
class CountedApplication:
    package_id: str
    owner_org: str | None
    intervals: list[Interval]

    def open_at(self, t: dt.datetime) -> bool:
        return any(s < t and (e is None or e >= t) for s, e in self.intervals)


def application_intervals(conn: Connection, rules: Rules, scope: str = "province") -> list[CountedApplication]:
    """When each application counted: while public and (by default) linked to a dataset that
    was open at the same time. Applications are few (hundreds), so the interval arithmetic
    is done here on rows fetched with two queries."""
    params: dict[str, Any] = {"type": openness.APPLICATION_TYPE}
    where = scope_clause(scope, params)
    periods = conn.execute(text(f"""
        SELECT p.package_id, p.opened_at, p.closed_at, p.owner_org
        FROM guangdong_open_period p WHERE p.package_type = :type {where}"""), params).all()
    # Links by primary key (a join let PostgreSQL scan the whole state table for 600 rows).
    links: dict[str, list[str] | None] = {pid: used for pid, used in conn.execute(text(
        "SELECT package_id, used_datasets FROM guangdong_package_state WHERE package_id = ANY(:ids)"),
        {"ids": sorted({r[0] for r in periods})}).all()}
    rows = [(pid, start, end, links.get(pid) or [], owner) for pid, start, end, owner in periods]
    linked: dict[str, list[Interval]] = defaultdict(list)
    if rules.applications_require_open_dataset:
        ids = sorted({d for row in rows for d in (row[3] or [])})
        for pid, start, end in conn.execute(text(
                "SELECT package_id, opened_at, closed_at FROM guangdong_open_period "
                "WHERE package_type = :type AND package_id = ANY(:ids)"),
                {"type": openness.DATASET_TYPE, "ids": ids}):
            linked[pid].append((start, end))
    apps: dict[str, CountedApplication] = {}
    for pid, start, end, used, owner in rows:
        app = apps.setdefault(pid, CountedApplication(pid, owner, []))
        own: Interval = (start, end)
        if not rules.applications_require_open_dataset:
            app.intervals.append(own)
            continue
        for dataset_id in used or []:
            for period in linked.get(dataset_id, []):
                both = _intersect(own, period)
                if both:
                    app.intervals.append(both)
    for app in apps.values():
        app.intervals = _merge(app.intervals)
    return [a for a in apps.values() if a.intervals]


def application_counts(apps: list[CountedApplication], instants: list[dt.datetime]) -> list[int]:
    return [sum(1 for a in apps if a.open_at(t)) for t in instants]


def _month(t: dt.datetime, rules: Rules) -> dt.date:
    local = t.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(rules.timezone))
    return dt.date(local.year, local.month, 1)


def _add_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def cumulative_series(deltas: dict[dt.date, int], first: dt.date | None, last: dt.date) -> list[dict[str, Any]]:
    """Monthly values (the count at the end of each month) from +1/-1 deltas per month."""
    if first is None:
        return []
    series, total, month = [], 0, first
    while month <= last:
        total += deltas.get(month, 0)
        series.append({"month": month.strftime("%Y-%m"), "count": total})
        month = _add_month(month)
    return series


def dataset_month_deltas(conn: Connection, rules: Rules, until: dt.datetime) -> dict[dt.date, int]:
    """+1 per interval opened and -1 per interval closed, per local month, before ``until``."""
    table, tfilter = (("guangdong_key_period", "") if rules.dedupe_identifier
                      else ("guangdong_open_period", "AND package_type = :type"))
    params = {"tz": rules.timezone, "until": until, "type": openness.DATASET_TYPE}
    rows = conn.execute(text(f"""
        SELECT m, sum(d) FROM (
            SELECT date_trunc('month', (opened_at AT TIME ZONE 'UTC') AT TIME ZONE :tz) AS m, 1 AS d
            FROM {table} WHERE opened_at < :until {tfilter}
            UNION ALL
            SELECT date_trunc('month', (closed_at AT TIME ZONE 'UTC') AT TIME ZONE :tz), -1
            FROM {table} WHERE closed_at < :until {tfilter}) x
        GROUP BY m"""), params)
    return {m.date(): int(d) for m, d in rows}


def application_month_deltas(apps: list[CountedApplication], rules: Rules,
                             until: dt.datetime) -> dict[dt.date, int]:
    deltas: dict[dt.date, int] = defaultdict(int)
    for app in apps:
        for start, end in app.intervals:
            if start < until:
                deltas[_month(start, rules)] += 1
                if end is not None and end < until:
                    deltas[_month(end, rules)] -= 1
    return dict(deltas)


DIMENSIONS = ("organization", "city", "theme", "access_rights", "format", "frequency")


def open_dataset_breakdowns(conn: Connection, rules: Rules, t: dt.datetime,
                            org_regions: dict[str, str | None]) -> dict[str, dict[str, int]]:
    """Open datasets at ``t`` by organization, city (owner's region code), theme, access
    rights, format and frequency.

    Built for 100k datasets on a small machine: one scan of the intervals with GROUPING SETS
    for the single-valued attributes, one scan of the per-theme/format rows, cities summed
    from organizations in Python (a few hundred), and no count(DISTINCT): only the few
    packages that share an identifier with another are de-duplicated, here in Python."""
    out: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}

    def add(dim: str, value: str | None, n: int) -> None:
        key = value if value is not None else ""
        out[dim][key] = out[dim].get(key, 0) + n

    params = {"type": openness.DATASET_TYPE, "t": t}
    open_at = "p.opened_at < :t AND (p.closed_at IS NULL OR p.closed_at >= :t)"
    unshared = "AND NOT p.shared" if rules.dedupe_identifier else ""
    for org, access, freq, g_org, g_access, count in conn.execute(text(f"""
            SELECT owner_org, access_rights, frequency, GROUPING(owner_org), GROUPING(access_rights), count(*)
            FROM guangdong_open_period p WHERE p.package_type = :type AND {open_at} {unshared}
            GROUP BY GROUPING SETS ((owner_org), (access_rights), (frequency))"""), params):
        if not g_org:
            add("organization", org, count)
            add("city", org_regions.get(org) if org else None, count)
        elif not g_access:
            add("access_rights", access, count)
        else:
            add("frequency", freq, count)
    for dim, value, count in conn.execute(text(f"""
            SELECT dim, value, count(*) FROM guangdong_open_period_value p
            WHERE p.package_type = :type AND {open_at} {unshared} GROUP BY dim, value"""), params):
        add(dim, value, count)
    if rules.dedupe_identifier:
        seen: dict[str, set[tuple[str, str]]] = {d: set() for d in DIMENSIONS}
        for key, org, access, freq, themes, formats in conn.execute(text(f"""
                SELECT count_key, owner_org, access_rights, frequency, themes, formats
                FROM guangdong_open_period p WHERE p.package_type = :type AND {open_at} AND p.shared"""), params):
            values = {"organization": [org], "city": [org_regions.get(org) if org else None],
                      "access_rights": [access], "frequency": [freq], "theme": themes or [], "format": formats or []}
            for dim, items in values.items():
                for value in items:
                    if (key, value) not in seen[dim]:
                        seen[dim].add((key, value))
                        add(dim, value, 1)
    out["city"].pop("", None)  # organizations without a region code have no city row
    return out


def organizations(conn: Connection) -> dict[str, dict[str, Any]]:
    """Active organizations with their name, title, region code and type (a few hundred)."""
    rows = conn.execute(text("""
        SELECT g.id, g.name, g.title,
            max(ge.value) FILTER (WHERE ge.key = 'region_code'),
            max(ge.value) FILTER (WHERE ge.key = 'org_type')
        FROM "group" g LEFT JOIN group_extra ge ON ge.group_id = g.id
             AND coalesce(ge.state, 'active') = 'active'
        WHERE g.is_organization AND g.state = 'active'
        GROUP BY g.id, g.name, g.title"""))
    return {r[0]: {"id": r[0], "name": r[1], "title": r[2] or r[1], "region_code": r[3], "org_type": r[4]}
            for r in rows}
