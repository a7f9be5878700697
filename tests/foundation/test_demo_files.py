"""The demo catalog's files: named after their dataset, their rows inside its 时间范围 (user
trial 9 downloaded several data.csv files, and read 2025 rows under a 2019–2020 range)."""
from __future__ import annotations

import csv
import io
from datetime import date

from ckanext.guangdong.demo.loader import Publisher, _resources
from ckanext.guangdong.demo.rows import make_rows

COLUMNS = [["统计日期", "date", ""], ["统计月份", "month", ""], ["年度", "year", ""],
           ["区县", "district", ""]]


def test_rows_fall_in_the_period() -> None:
    start, end = date(2019, 1, 1), date(2020, 8, 10)
    rows = make_rows(COLUMNS, ["越秀区"], "广州市", 60, seed="x", period=(start, end))
    days = {date.fromisoformat(r["统计日期"]) for r in rows}
    assert min(days) >= start and max(days) == end and len(days) == 60
    months = {r["统计月份"] for r in rows}
    assert max(months) == "2020-08" and min(months) == "2019-09" and len(months) == 12
    assert {r["年度"] for r in rows} == {"2019", "2020"}


def test_a_short_period_repeats_its_own_days_and_months() -> None:
    start, end = date(2020, 7, 20), date(2020, 8, 10)
    rows = make_rows(COLUMNS, ["越秀区"], "广州市", 40, seed="x", period=(start, end))
    days = {date.fromisoformat(r["统计日期"]) for r in rows}
    assert min(days) == start and max(days) == end  # 22 days for 40 rows: none before the start
    assert {r["统计月份"] for r in rows} == {"2020-07", "2020-08"}
    assert {r["年度"] for r in rows} == {"2020"}


def test_files_are_named_after_the_dataset() -> None:
    pub = Publisher("gz", "广州市", "Guangzhou", "440100", "city", "440100", ["越秀区"])
    package = {"title": "广州市测试数据", "name": "gd-440100-00000007",
               "temporal_start": "2019-01-01", "temporal_end": "2020-08-10"}
    files = _resources({"columns": COLUMNS}, pub, package, 20)
    assert [f["url"] for f in files] == ["gd-440100-00000007.csv", "gd-440100-00000007.json"]
    assert [f["upload"].filename for f in files] == [f["url"] for f in files]
    rows = list(csv.DictReader(io.StringIO(files[0]["upload"].stream.read().decode("utf-8-sig"))))
    assert len(rows) == 20 and max(r["统计日期"] for r in rows) == "2020-08-10"
