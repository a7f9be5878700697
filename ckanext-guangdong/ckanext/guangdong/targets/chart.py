"""Server-rendered SVG line chart (no JavaScript, no network): cumulative open datasets and
applications per month, with the province's targets as dashed lines ending at their deadline.
The caller renders the same figures as a table (the text alternative)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 860, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 32, 28, 56
FONT = 'font-family="inherit" fill="#1f2933"'
COLORS = {"datasets": "#0b57a4", "applications": "#a34700"}  # 4.5:1 or more on white


@dataclass
class TargetLine:
    label: str
    metric: str
    threshold: int
    deadline: dt.date


def _month_index(month: str, first: dt.date) -> int:
    year, mon = int(month[:4]), int(month[5:7])
    return (year - first.year) * 12 + mon - first.month


def _nice_max(value: float) -> int:
    if value <= 10:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(value)


def render(series: dict[str, Sequence[dict[str, Any]]], targets: Sequence[TargetLine],
           title: str, desc: str, labels: dict[str, str]) -> str:
    months = sorted({p["month"] for s in series.values() for p in s}
                    | {t.deadline.strftime("%Y-%m") for t in targets})
    if not months:
        return ""
    first = dt.date(int(months[0][:4]), int(months[0][5:7]), 1)
    span = max(1, _month_index(months[-1], first))
    top = _nice_max(max([p["count"] for s in series.values() for p in s] + [t.threshold for t in targets] + [1]) * 1.1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: str) -> float:
        return LEFT + plot_w * _month_index(month, first) / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="gd-chart" '
           f'role="img" aria-labelledby="gd-chart-title gd-chart-desc" width="100%">',
           f'<title id="gd-chart-title">{escape(title)}</title><desc id="gd-chart-desc">{escape(desc)}</desc>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#ccc"/>']
    for i in range(5):  # horizontal grid and y labels
        value = top * i / 4
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="13" {FONT}>{int(value)}</text>')
    years = sorted({m[:4] for m in months})
    for year in range(int(years[0]), int(years[-1]) + 1):  # one tick per January
        label = f"{year}-01"
        if _month_index(label, first) < 0 or _month_index(label, first) > span:
            continue
        out.append(f'<line x1="{x(label):.1f}" x2="{x(label):.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#666"/>'
                   f'<text x="{x(label):.1f}" y="{TOP + plot_h + 20}" text-anchor="middle" '
                   f'font-size="13" {FONT}>{year}</text>')
    # Target labels sit just above their line; labels that would overlap are moved up.
    label_y: dict[int, float] = {}
    for i, target in sorted(enumerate(targets), key=lambda it: -it[1].threshold):
        wanted = max(TOP + 12, y(target.threshold) - 7)
        taken = [v for v in label_y.values() if abs(v - wanted) < 15]
        label_y[i] = min(taken) - 15 if taken and min(taken) - 15 > TOP + 12 else wanted
    for i, target in enumerate(targets):
        color = COLORS.get(target.metric, "#555")
        end = target.deadline.strftime("%Y-%m")
        # The label sits inside the plot: right-aligned at the deadline, or left-aligned when
        # the deadline is too near the left edge for the text.
        anchor, lx = ("end", x(end) - 6) if x(end) - LEFT > 150 else ("start", x(end) + 8)
        out.append(f'<g class="gd-chart-target" data-metric="{target.metric}" data-threshold="{target.threshold}">'
                   f'<line x1="{LEFT}" x2="{x(end):.1f}" y1="{y(target.threshold):.1f}" y2="{y(target.threshold):.1f}" '
                   f'stroke="{color}" stroke-dasharray="6 4" stroke-width="1.5"/>'
                   f'<circle cx="{x(end):.1f}" cy="{y(target.threshold):.1f}" r="4" fill="{color}"/>'
                   f'<text x="{lx:.1f}" y="{label_y[i]:.1f}" text-anchor="{anchor}" '
                   f'font-size="13" fill="{color}" font-weight="bold">{escape(target.label)}</text></g>')
    for metric, points in series.items():
        if not points:
            continue
        color = COLORS.get(metric, "#333")
        coords = " ".join(f"{x(p['month']):.1f},{y(p['count']):.1f}" for p in points)
        last = points[-1]
        lx, ly = x(last["month"]), y(last["count"])
        anchor = "end" if lx > LEFT + plot_w - 60 else "start"
        # The last value above its dot; a second series' value goes below, or (at the axis)
        # further left, so that neither covers the other nor the year labels.
        value_y, value_shift = ly - 8, 0.0
        if metric != next(iter(series)):
            value_y = ly + 18 if ly + 18 < TOP + plot_h - 4 else ly - 8
            value_shift = 0.0 if ly + 18 < TOP + plot_h - 4 else 36.0
        # The actual cumulative count: a line (a dot for a single month) and its last value.
        out.append(f'<polyline class="gd-chart-line" data-metric="{metric}" data-last="{last["count"]}" '
                   f'points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>'
                   f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="4" fill="{color}"/>'
                   f'<text x="{lx + (-8 if anchor == "end" else 8) - value_shift:.1f}" y="{value_y:.1f}" '
                   f'text-anchor="{anchor}" '
                   f'font-size="13" font-weight="bold" fill="{color}">{last["count"]}</text>')
    for i, metric in enumerate(series):  # legend: solid = counted, dashed = target
        lx = LEFT + i * 260
        color = COLORS.get(metric, "#333")
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" stroke="{color}" '
                   f'stroke-width="2.5"/>'
                   f'<line x1="{lx + 28}" x2="{lx + 52}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" stroke="{color}" '
                   f'stroke-dasharray="6 4" stroke-width="1.5"/>'
                   f'<text x="{lx + 58}" y="{HEIGHT - 7}" font-size="13" {FONT}>{escape(labels.get(metric, metric))}</text>')
    out.append("</svg>")
    return "".join(out)
