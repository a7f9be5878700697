"""The two public reports: progress per target and open-data statistics, on any date."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from . import counting, cube
from .counting import Rules
from .store import Target

MET, ON_TRACK, AT_RISK, MISSED = "met", "on_track", "at_risk", "missed"


def status_of(target: Target, as_of: dt.date, count: int, count_at_deadline: int | None,
              projection: int | None) -> str:
    """met / missed once the deadline is past (judged by the count at the deadline);
    before it: met if already reached, on track if the projection reaches it, else at risk."""
    if as_of > target.deadline:
        return MET if (count_at_deadline or 0) >= target.threshold else MISSED
    if count >= target.threshold:
        return MET
    return ON_TRACK if projection is not None and projection >= target.threshold else AT_RISK


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of each month from ``first``'s month to ``last`` (``last`` itself at the end)."""
    days, month = [], dt.date(first.year, first.month, 1)
    while month <= last:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days.append(min(nxt - dt.timedelta(days=1), last))
        month = nxt
    return days


def first_day_reaching(counts_on: Callable[[list[dt.date]], list[int]], first: dt.date, last: dt.date,
                       threshold: int) -> dt.date | None:
    """The first day (from ``first`` to ``last``) whose end-of-day count reached ``threshold``:
    month ends first (the cube keeps them), then each day of the first month that got there.
    A count that reached the threshold in the middle of a month and fell below it again by the
    month's end is not seen."""
    ends = _month_ends(first, last)
    for i, (end, count) in enumerate(zip(ends, counts_on(ends), strict=False)):
        if count >= threshold:
            start = ends[i - 1] + dt.timedelta(days=1) if i else first
            days = [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]
            return next((d for d, n in zip(days, counts_on(days), strict=False) if n >= threshold), end)
    return None


def first_instant_reaching(apps: list[counting.CountedApplication], until: dt.datetime,
                           threshold: int) -> dt.datetime | None:
    """The first moment at which ``threshold`` applications counted (applications are few)."""
    starts = sorted({s for a in apps for s, _e in a.intervals if s < until})
    for s in starts:
        if sum(1 for a in apps if any(b <= s and (e is None or e > s) for b, e in a.intervals)) >= threshold:
            return s
    return None


def _progress_entry(target: Target, as_of: dt.date, rules: Rules, now: int, before: int,
                    at_deadline: int | None, emphasis: int | None,
                    met_on: dt.date | None = None) -> dict[str, Any]:
    days_left = max(0, (target.deadline - as_of).days)
    rate = (now - before) / rules.rate_window_days
    projection = round(now + rate * days_left) if as_of <= target.deadline else None
    entry = target.as_dict()
    entry.update({
        "count": now,
        "percent": round(100.0 * now / target.threshold, 1),
        "days_left": days_left,
        "rate_per_day": round(rate, 4),
        "rate_window_days": rules.rate_window_days,
        "count_window_start": before,
        "projection": projection,
        "count_at_deadline": at_deadline,
        # The day the threshold was first reached (by the deadline, or by as_of before it);
        # after a missed deadline, how many were lacking then.
        "met_on": met_on.isoformat() if met_on else None,
        "shortfall": max(0, target.threshold - at_deadline) if at_deadline is not None else None,
        "status": status_of(target, as_of, now, at_deadline, projection),
    })
    if target.emphasis_theme:
        entry["emphasis_count"] = emphasis
    return entry


def target_progress(conn: Connection, targets: list[Target], as_of: dt.date, rules: Rules) -> list[dict[str, Any]]:
    t_now = counting.instant(as_of, rules)
    t_before = counting.instant(as_of - dt.timedelta(days=rules.rate_window_days), rules)
    orgs = counting.organizations(conn)
    regions = {org_id: org.get("region_code") for org_id, org in orgs.items()}
    org_ids = {org["name"]: org_id for org_id, org in orgs.items()}
    now = dt.datetime.utcnow()
    day_before = as_of - dt.timedelta(days=rules.rate_window_days)
    window_cache: cube.WindowCache = {}  # the same month of changes serves every target
    app_cache: dict[str, list[counting.CountedApplication]] = {}
    out = []
    for target in targets:
        instants = [t_now, t_before]
        deadline_passed = as_of > target.deadline
        if deadline_passed:
            instants.append(counting.instant(target.deadline, rules))
        if target.metric == "datasets":
            days = [as_of, day_before] + ([target.deadline] if deadline_passed else [])
            counts = cube.dataset_counts_on(conn, rules, days, target.scope, target.filter_theme,
                                            regions, org_ids, now, window_cache)
            emphasis = (cube.dataset_counts_on(conn, rules, [as_of], target.scope, target.emphasis_theme,
                                               regions, org_ids, now, window_cache)[0]
                        if target.emphasis_theme else None)
        else:
            if target.scope not in app_cache:
                app_cache[target.scope] = counting.application_intervals(conn, rules, target.scope)
            counts = counting.application_counts(app_cache[target.scope], instants)
            emphasis = None
        reached = (counts[2] if deadline_passed else counts[0]) >= target.threshold
        met_on = None
        if reached:
            limit = min(as_of, target.deadline)
            if target.metric == "datasets":
                first = cube.first_month(conn, rules) or limit
                met_on = first_day_reaching(
                    lambda days, t=target: cube.dataset_counts_on(conn, rules, days, t.scope, t.filter_theme,
                                                                  regions, org_ids, now, window_cache),
                    first, limit, target.threshold)
            else:
                moment = first_instant_reaching(app_cache[target.scope], counting.instant(limit, rules),
                                                target.threshold)
                met_on = counting.local_date(moment, rules) if moment else None
        out.append(_progress_entry(target, as_of, rules, counts[0], counts[1],
                                   counts[2] if deadline_passed else None, emphasis, met_on))
    return out


def open_stats(conn: Connection, as_of: dt.date, rules: Rules, with_series: bool = True) -> dict[str, Any]:
    t = counting.instant(as_of, rules)
    orgs = counting.organizations(conn)
    regions = {org_id: org.get("region_code") for org_id, org in orgs.items()}
    now = dt.datetime.utcnow()
    window_cache: cube.WindowCache = {}
    breakdowns = cube.breakdowns_at(conn, rules, as_of, regions, now, window_cache)
    apps = counting.application_intervals(conn, rules)
    open_apps = [a for a in apps if a.open_at(t)]
    apps_by_org: dict[str, int] = {}
    for app in open_apps:
        apps_by_org[app.owner_org or ""] = apps_by_org.get(app.owner_org or "", 0) + 1
    total = cube.dataset_counts_on(conn, rules, [as_of], "province", None, regions, {}, now, window_cache)[0]

    def org_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
        rows = []
        for org_id, count in counts.items():
            org = orgs.get(org_id, {})
            rows.append({"id": org_id, "name": org.get("name"), "title": org.get("title") or org_id,
                         "region_code": org.get("region_code"), "org_type": org.get("org_type"),
                         "datasets": count, "applications": apps_by_org.get(org_id, 0)})
        return sorted(rows, key=lambda r: (-r["datasets"], r["title"] or ""))

    city_titles = {o["region_code"]: o["title"] for o in orgs.values()
                   if o.get("org_type") == "city" and o.get("region_code")}
    apps_by_city: dict[str, int] = {}
    for app in open_apps:
        region = orgs.get(app.owner_org or "", {}).get("region_code")
        if region:
            apps_by_city[region] = apps_by_city.get(region, 0) + 1
    cities = sorted(({"region_code": code, "title": city_titles.get(code, code), "datasets": count,
                      "applications": apps_by_city.get(code, 0)}
                     for code, count in breakdowns["city"].items()), key=lambda r: r["region_code"])

    def plain(dim: str) -> list[dict[str, Any]]:
        return [{"value": v, "datasets": c} for v, c in
                sorted(breakdowns[dim].items(), key=lambda i: (-i[1], i[0]))]

    stats: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "datasets": total,
        "applications": len(open_apps),
        "by_organization": org_rows(breakdowns["organization"]),
        "by_department": [r for r in org_rows(breakdowns["organization"]) if r["org_type"] != "city"],
        "by_city": cities,
        "by_theme": plain("theme"),
        "by_access_rights": plain("access_rights"),
        "by_format": plain("format"),
        "by_frequency": plain("frequency"),
        "rules": {"dedupe_identifier": rules.dedupe_identifier,
                  "applications_require_open_dataset": rules.applications_require_open_dataset,
                  "timezone": rules.timezone},
    }
    if with_series:
        datasets = cube.dataset_series(conn, rules, as_of, now, regions, window_cache)
        ap = counting.application_month_deltas(apps, rules, t)
        last = dt.date(as_of.year, as_of.month, 1)
        starts = ([dt.date.fromisoformat(datasets[0]["month"] + "-01")] if datasets else []) + sorted(ap)[:1]
        first = min(starts) if starts else last
        applications = counting.cumulative_series(ap, first, last) if starts else []
        if applications and (not datasets or datasets[0]["month"] != applications[0]["month"]):
            # Both series over the same months: zeros before the first open dataset.
            known = {p["month"]: p["count"] for p in datasets}
            datasets = [{"month": p["month"], "count": known.get(p["month"], 0)} for p in applications]
        stats["series"] = {"datasets": datasets, "applications": applications}
    return stats
