"""Month-end counts kept in a table, so that a count on any date reads one month of changes
instead of the whole catalog.

At 100k datasets even a single scan of the intervals costs 100-250 ms on the 2-core machine
(measured), so ``open_stats`` cannot scan them on every call. Instead:

    counts(T) = counts at the end of the month before T's month      (guangdong_open_cube)
              + changes of the intervals opened or closed since then  (an index range scan)

Month ends that are in the past never change (events are dated when they happen), so a month is
computed once: by the daily snapshot command (all months), or lazily for the one month a call
needs. A backfill, which writes events dated in the past, empties the table.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ckanext.guangdong.metadata import openness

from . import counting
from .counting import DIMENSIONS, Rules

Counts = dict[str, dict[str, int]]

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS guangdong_open_cube (
        month date NOT NULL,
        rules text NOT NULL,
        dim text NOT NULL,
        value text NOT NULL,
        count integer NOT NULL,
        computed_at timestamp without time zone NOT NULL,
        PRIMARY KEY (month, rules, dim, value)
    )""",
)


def signature(rules: Rules) -> str:
    """The cube depends on the rules that change counts (not on the rate window)."""
    return f"dedupe={int(rules.dedupe_identifier)};tz={rules.timezone}"


def month_start(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1, 1)


def base_month_for(day: dt.date, rules: Rules, now: dt.datetime) -> dt.date:
    """The last complete month before ``day``'s month (for a future day: before this month)."""
    return previous_month(min(month_start(day), counting._month(now, rules)))


def month_end_instant(month: dt.date, rules: Rules) -> dt.datetime:
    """End of ``month`` (local), i.e. the start of the next month, as naive UTC."""
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return counting.instant(nxt - dt.timedelta(days=1), rules)


def _compute(conn: Connection, rules: Rules, month: dt.date, org_regions: dict[str, str | None]) -> Counts:
    t = month_end_instant(month, rules)
    counts = counting.open_dataset_breakdowns(conn, rules, t, org_regions)
    counts["total"] = {"": counting.dataset_counts(conn, rules, [t])[0]}
    return counts


def _load(conn: Connection, rules: Rules, months: list[dt.date],
          dims: list[str] | None = None) -> dict[dt.date, Counts]:
    found: dict[dt.date, Counts] = {}
    for month, dim, value, count in conn.execute(text(
            "SELECT month, dim, value, count FROM guangdong_open_cube WHERE rules = :r AND month = ANY(:m)"
            + (" AND dim = ANY(:d)" if dims else "")),
            {"r": signature(rules), "m": months, "d": dims or []}):
        found.setdefault(month, {d: {} for d in DIMENSIONS + ("total", "computed")})[dim][value] = count
    return found


def ensure_months(conn: Connection, rules: Rules, months: list[dt.date],
                  org_regions: dict[str, str | None], now: dt.datetime) -> dict[dt.date, Counts]:
    """Month-end counts of ``months``, computing and storing those missing (complete months only)."""
    have = _load(conn, rules, months)
    todo = [m for m in months if m not in have and month_end_instant(m, rules) <= now]
    if not todo:
        return have
    # Computed and stored in a transaction of its own, committed at once: a read request
    # must not hold row locks on the cache (another request computing the same month would
    # wait for it), and a past month end only depends on committed events.
    with conn.engine.begin() as own:
        for month in todo:
            counts = _compute(own, rules, month, org_regions)
            rows = [{"m": month, "r": signature(rules), "d": dim, "v": value, "c": count, "at": now}
                    for dim, values in counts.items() for value, count in values.items()]
            # A marker row, so that an empty month is not recomputed on every call.
            rows.append({"m": month, "r": signature(rules), "d": "computed", "v": "", "c": 1, "at": now})
            own.execute(text("""INSERT INTO guangdong_open_cube (month, rules, dim, value, count, computed_at)
                VALUES (:m, :r, :d, :v, :c, :at) ON CONFLICT DO NOTHING"""), rows)
            have[month] = counts
    return have


def first_month(conn: Connection, rules: Rules) -> dt.date | None:
    first = conn.execute(text("SELECT min(opened_at) FROM guangdong_open_period WHERE package_type = :t"),
                         {"t": openness.DATASET_TYPE}).scalar()
    return counting._month(first, rules) if first else None


def clear(conn: Connection) -> None:
    if conn.execute(text("SELECT to_regclass('guangdong_open_cube')")).scalar() is not None:
        conn.execute(text("DELETE FROM guangdong_open_cube"))


def breakdowns_at(conn: Connection, rules: Rules, as_of: dt.date,
                  org_regions: dict[str, str | None], now: dt.datetime,
                  cache: WindowCache | None = None) -> Counts:
    """Open datasets on ``as_of`` by each dimension: the cube's month end before it plus the
    intervals that opened or closed since (exactly what a full scan would count)."""
    t = counting.instant(as_of, rules)
    base_month = base_month_for(as_of, rules, now)
    b = month_end_instant(base_month, rules)
    base = ensure_months(conn, rules, [base_month], org_regions, now).get(base_month)
    out: Counts = {d: dict((base or {}).get(d, {})) for d in DIMENSIONS}

    def add(dim: str, value: str | None, n: int) -> None:
        if dim == "city" and not value:
            return
        key = value if value is not None else ""
        out[dim][key] = out[dim].get(key, 0) + n

    def values_of(org: Any, access: Any, freq: Any, themes: Any, formats: Any) -> dict[str, list[Any]]:
        return {"organization": [org], "city": [org_regions.get(org) if org else None],
                "access_rights": [access], "frequency": [freq], "theme": list(themes or []),
                "format": list(formats or [])}

    def open_at(opened: dt.datetime, closed: dt.datetime | None, at: dt.datetime) -> bool:
        return opened < at and (closed is None or closed >= at)

    shared_keys = set()
    for _id, key, org, access, freq, themes, formats, shared, opened, closed in window_rows(conn, b, t, cache):
        if shared and rules.dedupe_identifier:
            shared_keys.add(key)
            continue
        change = int(open_at(opened, closed, t)) - int(open_at(opened, closed, b))
        if change:
            for dim, items in values_of(org, access, freq, themes, formats).items():
                for value in items:
                    add(dim, value, change)
    if shared_keys:
        # Copies of one identifier count once per value: compare the distinct sets at both ends.
        sets: dict[dt.datetime, dict[str, set]] = {b: {d: set() for d in DIMENSIONS},
                                                   t: {d: set() for d in DIMENSIONS}}
        for key, org, access, freq, themes, formats, opened, closed in conn.execute(text("""
                SELECT count_key, owner_org, access_rights, frequency, themes, formats, opened_at, closed_at
                FROM guangdong_open_period WHERE package_type = :type AND count_key = ANY(:keys)"""),
                {"type": openness.DATASET_TYPE, "keys": sorted(shared_keys)}):
            for at in (b, t):
                if open_at(opened, closed, at):
                    for dim, items in values_of(org, access, freq, themes, formats).items():
                        sets[at][dim].update((key, v) for v in items)
        for dim in DIMENSIONS:
            for _key, value in sets[t][dim] - sets[b][dim]:
                add(dim, value, 1)
            for _key, value in sets[b][dim] - sets[t][dim]:
                add(dim, value, -1)
    return {dim: {v: c for v, c in values.items() if c > 0} for dim, values in out.items()}


def dataset_series(conn: Connection, rules: Rules, as_of: dt.date, now: dt.datetime,
                   org_regions: dict[str, str | None], cache: WindowCache | None = None) -> list[dict[str, Any]]:
    """Open datasets at the end of each month up to ``as_of`` (the last point is ``as_of``)."""
    first = first_month(conn, rules)
    last = month_start(as_of)
    if first is None or first > last:
        return []
    months, month = [], first
    while month < last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    have = _load(conn, rules, months, ["total", "computed"])  # the series needs only the totals
    missing = [m for m in months if m not in have]
    if len(missing) > 2:
        # Not precomputed yet (the snapshot command fills the cube): one scan for the totals.
        deltas = counting.dataset_month_deltas(conn, rules, counting.instant(as_of, rules))
        return counting.cumulative_series(deltas, first, last)
    have.update(ensure_months(conn, rules, missing, org_regions, now))
    series = [{"month": m.strftime("%Y-%m"), "count": have[m]["total"].get("", 0)} for m in months]
    series.append({"month": last.strftime("%Y-%m"),
                   "count": dataset_counts_on(conn, rules, [as_of], "province", None, org_regions, {}, now, cache)[0]})
    return series


def fill(conn: Connection, rules: Rules, org_regions: dict[str, str | None], now: dt.datetime) -> int:
    """Compute every complete month since the first publication (the snapshot command)."""
    first = first_month(conn, rules)
    if first is None:
        return 0
    months, month = [], first
    while month_end_instant(month, rules) <= now:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    before = len(_load(conn, rules, months))
    ensure_months(conn, rules, months, org_regions, now)
    return len(months) - before


WindowCache = dict[tuple[dt.datetime, dt.datetime], list[Any]]


def window_rows(conn: Connection, b: dt.datetime, t: dt.datetime, cache: WindowCache | None = None) -> list[Any]:
    """Dataset intervals opened or closed in [b, t): two index range scans (an OR over two
    columns made PostgreSQL scan the whole table). One call of an action reuses them."""
    if cache is not None and (b, t) in cache:
        return cache[(b, t)]
    rows = conn.execute(text("""
        SELECT id, count_key, owner_org, access_rights, frequency, themes, formats, shared, opened_at, closed_at
        FROM guangdong_open_period WHERE package_type = :type AND opened_at >= :b AND opened_at < :t
        UNION
        SELECT id, count_key, owner_org, access_rights, frequency, themes, formats, shared, opened_at, closed_at
        FROM guangdong_open_period WHERE package_type = :type AND closed_at >= :b AND closed_at < :t"""),
        {"type": openness.DATASET_TYPE, "b": b, "t": t}).all()
    if cache is not None:
        cache[(b, t)] = rows
    return rows


def dataset_counts_on(conn: Connection, rules: Rules, days: list[dt.date], scope: str, theme: str | None,
                      org_regions: dict[str, str | None], org_ids: dict[str, str],
                      now: dt.datetime, cache: WindowCache | None = None) -> list[int]:
    """Open datasets within a scope (and theme) at the end of each day: month-end count from
    the cube plus the changes since. Combinations the cube does not hold (a city *and* a
    theme) are counted by scanning the intervals instead."""
    kind, _, value = scope.partition(":")
    if theme is None:
        dim, key = {"province": ("total", ""), "city": ("city", value),
                    "organization": ("organization", org_ids.get(value, value))}[kind]
    elif kind == "province":
        dim, key = "theme", theme
    else:
        return counting.dataset_counts(conn, rules, [counting.instant(d, rules) for d in days], scope, theme)

    def matches(org: str | None, themes: Any) -> bool:
        if dim == "city":
            return bool(org) and org_regions.get(org) == key
        if dim == "organization":
            return org == key
        if dim == "theme":
            return key in (themes or [])
        return True

    def open_at(opened: dt.datetime, closed: dt.datetime | None, at: dt.datetime) -> bool:
        return opened < at and (closed is None or closed >= at)

    results = []
    for day in days:
        base_month = base_month_for(day, rules, now)
        b, t = month_end_instant(base_month, rules), counting.instant(day, rules)
        base = ensure_months(conn, rules, [base_month], org_regions, now).get(base_month, {})
        total = base.get(dim, {}).get(key, 0)
        shared_keys = set()
        for _id, count_key, org, _a, _f, themes, _fm, shared, opened, closed in window_rows(conn, b, t, cache):
            if shared and rules.dedupe_identifier:
                shared_keys.add(count_key)
            elif matches(org, themes):
                total += int(open_at(opened, closed, t)) - int(open_at(opened, closed, b))
        if shared_keys:
            at_b, at_t = set(), set()
            for count_key, org, themes, opened, closed in conn.execute(text("""
                    SELECT count_key, owner_org, themes, opened_at, closed_at FROM guangdong_open_period
                    WHERE package_type = :type AND count_key = ANY(:keys)"""),
                    {"type": openness.DATASET_TYPE, "keys": sorted(shared_keys)}):
                if matches(org, themes):
                    if open_at(opened, closed, b):
                        at_b.add(count_key)
                    if open_at(opened, closed, t):
                        at_t.add(count_key)
            total += len(at_t) - len(at_b)
        results.append(total)
    return results
