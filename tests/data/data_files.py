"""Test files made by the tests themselves: the same small table of Guangdong districts in every
encoding and header shape the loader must read."""
from __future__ import annotations

import io
from typing import Any

HEADER = ["地区", "常住人口（万人）", "统计日期", "备注"]
ROWS = [
    ["越秀区", "1,034.5", "2024年3月5日", "老城区"],
    ["天河区", "２，２４７．８", "2024/3/5", "广州市天河区，新中心"],
    ["番禺区", "285", "2024-03-06", "𠮷 与 GB18030"],
]
# what the DataStore should hold: numbers and dates in canonical form
EXPECTED = [
    {"地区": "越秀区", "常住人口（万人）": 1034.5, "统计日期": "2024-03-05", "备注": "老城区"},
    {"地区": "天河区", "常住人口（万人）": 2247.8, "统计日期": "2024-03-05", "备注": "广州市天河区，新中心"},
    {"地区": "番禺区", "常住人口（万人）": 285, "统计日期": "2024-03-06", "备注": "𠮷 与 GB18030"},
]
BIG5_HEADER = ["地區", "人口", "日期"]
BIG5_ROWS = [["臺北市", "250", "2024/3/5"], ["高雄市", "273", "2024年3月6日"]]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",",
             above: list[str] = (), below: list[str] = ()) -> str:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    width = len(header)
    for line in above:
        w.writerow([line] + [""] * (width - 1))
    w.writerow(header)
    w.writerows(rows)
    for line in below:
        w.writerow([line] + [""] * (width - 1))
    return buf.getvalue()


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le-nobom":
        return text.encode("utf-16-le")
    return text.encode(encoding)


def gbk_rows() -> list[list[str]]:
    """The table without the character GBK lacks (𠮷 needs GB18030's four-byte form)."""
    return [r[:3] + [r[3].replace("𠮷 与 ", "")] for r in ROWS]


def merged_header_csv() -> str:
    """A sheet as a government office saves it: title, unit line, a two-row header with a
    merged cell, data, a note."""
    lines = [
        "2024年广州市各区人口统计表,,,",
        "单位：万人,,,",
        "地区,常住人口,,统计日期",
        ",男,女,",
        "越秀区,51.2,52.3,2024年3月5日",
        "天河区,\"１，１２０\",\"1,127.8\",2024/3/5",
        "注：数据来源于广州市统计局,,,",
    ]
    return "\r\n".join(lines) + "\r\n"


def xlsx_bytes(title: bool = True) -> bytes:
    """An XLSX with a title row merged across the table and a merged two-row header."""
    import datetime as dt

    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    if title:
        ws.append(["2024年各区人口统计表"])
        ws.merge_cells("A1:D1")
    top = ws.max_row + 1 if title else 1
    ws.append(["地区", "常住人口", None, "统计日期"])
    ws.append([None, "男", "女", None])
    ws.merge_cells(start_row=top, start_column=2, end_row=top, end_column=3)
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    ws.append(["越秀区", 51.2, 52.3, dt.datetime(2024, 3, 5)])
    ws.append(["天河区", 1120, 1127.8, dt.datetime(2024, 3, 5)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def formula_rows() -> tuple[list[str], list[list[str]]]:
    return (["名称", "公式", "数量"],
            [["甲", "=1+1", "1"], ["乙", "@SUM(A1:A2)", "2"], ["丙", "+86 20 1234", "3"],
             ["丁", "-2+3", "4"], ["戊", "=HYPERLINK(\"http://evil.example\",\"点我\")", "5"]])


def as_number(value: Any) -> Any:
    """DataStore numbers come back as int/float/Decimal/str depending on the path."""
    from decimal import Decimal
    try:
        d = Decimal(str(value))
    except Exception:
        return value
    return int(d) if d == d.to_integral_value() else float(d)
