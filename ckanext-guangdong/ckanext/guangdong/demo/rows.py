"""Small, realistic table contents for demo resources, from the column kinds in topics.yaml."""
from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from typing import Any

from ckanext.guangdong.security.cells import safe_cell

Column = list[str]  # [name, kind, description]
Period = tuple[date, date]  # first and last day the rows cover

_SURNAME_PLACES = ["中心", "人民", "第一", "第二", "滨江", "东湖", "南方", "华南", "新城", "岭南", "珠江", "白云"]


def _value(kind: str, districts: list[str], pub: str, i: int, count: int, period: Period,
           rng: random.Random) -> Any:
    head, _, arg = kind.partition(" ")
    start, end = period
    if head == "district":
        return rng.choice(districts)
    if head == "date":  # the last ``count`` days of the period
        return max(start, end - timedelta(days=count - 1 - i)).isoformat()
    if head == "month":  # its last twelve months (or fewer), in turn
        months = min(12, (end.year - start.year) * 12 + end.month - start.month + 1)
        index = end.year * 12 + end.month - 1 - (months - 1 - i % months)
        return f"{index // 12}-{index % 12 + 1:02d}"
    if head == "year":  # its years, in turn
        return str(start.year + i % (end.year - start.year + 1))
    if head == "int":
        low, high = (int(x) for x in arg.split())
        return rng.randint(low, high)
    if head == "float":
        low, high = (float(x) for x in arg.split())
        return round(rng.uniform(low, high), 1)
    if head == "choice":
        return rng.choice(arg.split("|"))
    if head == "name":
        place = pub.rstrip("市") if i % 3 else rng.choice(districts)
        return f"{place}{rng.choice(_SURNAME_PLACES)}{arg}"
    if head == "code":
        number = rng.randint(1, 899)
        return f"{number}{arg}" if arg == "路" else f"{arg}{number:05d}"
    raise ValueError(f"unknown column kind {kind!r}")


def make_rows(columns: list[Column], districts: list[str], pub: str, count: int, seed: str,
              period: Period) -> list[dict[str, Any]]:
    """``count`` rows; their dates, months and years fall in ``period`` (the dataset's
    temporal_start, temporal_end), so the file agrees with the dataset's 时间范围."""
    rng = random.Random(seed)
    return [{name: _value(kind, districts, pub, i, count, period, rng) for name, kind, _ in columns}
            for i in range(count)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    # UTF-8 with BOM so that Excel on Chinese Windows opens it correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({"total": len(rows), "data": rows}, ensure_ascii=False, indent=1).encode("utf-8")
