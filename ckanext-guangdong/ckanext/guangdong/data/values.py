"""Numbers and dates as Chinese spreadsheets write them, read into canonical text that
PostgreSQL's COPY accepts for numeric, date and timestamp columns.

- full-width digits and signs (１２３４，５６７．８９) through Unicode NFKC;
- thousands separators (1,234,567.89 and 1，234，567.89); the minus sign U+2212;
- dates 2024年3月5日, 2024/3/5, 2024-03-05, 2024.3.5, with an optional time (14:30, 14:30:05,
  14时30分); invalid calendar dates stay text.

A value with a leading zero (001, 0755) or more than 15 integer digits (ID numbers) is kept as
text: those are codes, and a number would lose their zeros or precision. So is a bare run of 11
or more digits (13800138000: a mobile number, an account, a credit code's digits), which a
number column would show as 13,800,138,000; a count that large is written with separators or a
decimal point. A column whose header names an identifier (手机号, 联系电话, 邮政编码, 身份证号,
统一社会信用代码, 行政区划代码, phone, postcode ...) is text whatever its values: 510000 and
0755... in one column must read alike.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d{1,3})?$")
_DECIMAL_ONLY = re.compile(r"^[+-]?\.\d+$")
_CODE_LIKE = re.compile(r"^[+-]?0\d")
_LONG_DIGITS = re.compile(r"^\d{11,}$")
# header words of identifier columns (after NFKC, lower case); a number column's header names a
# quantity (人口, 金额, 数量), never one of these
_IDENTIFIER_HEADER = re.compile(
    r"手机|电话|号码|传真|身份证|证件号|护照|邮编|邮政编码|编码|代码|编号|账号|帐号|卡号|工号|学号|"
    r"phone|mobile|\btel\b|\bfax\b|zip|post ?code|postal|\bcode\b|identifier|\bid\b")
_DATE = re.compile(
    r"^(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|[-/.](\d{1,2})[-/.](\d{1,2}))"
    r"(?:(?:\s+|T)(\d{1,2})(?::|时)(\d{1,2})(?:(?::|分)(\d{1,2}(?:\.\d+)?)?秒?)?)?$")


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()


def as_number(value: str) -> str | None:
    """Canonical numeric text (no separators, no '+'), or None."""
    if not value:
        return None
    v = _fold(value)
    if _DECIMAL_ONLY.match(v):
        v = v.replace(".", "0.", 1) if v[0] == "." else v[0] + "0" + v[1:]
    if not _NUMBER.match(v) or _CODE_LIKE.match(v) or _LONG_DIGITS.match(v):
        return None
    v = v.replace(",", "").lstrip("+")
    digits = v.lstrip("-").split(".")[0].split("e")[0].split("E")[0]
    if len(digits) > 15:
        return None
    return v


def _date_parts(value: str) -> tuple[dt.date, dt.time | None] | None:
    m = _DATE.match(_fold(value))
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2) or m.group(4))
    day = int(m.group(3) or m.group(5))
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if m.group(6) is None:
        return date, None
    seconds = float(m.group(8) or 0)
    try:
        time = dt.time(int(m.group(6)), int(m.group(7)), int(seconds), int(round((seconds % 1) * 1e6)))
    except ValueError:
        return None
    return date, time


def as_date(value: str) -> str | None:
    """ISO date (2024-03-05) for a date without a time, or None."""
    parts = _date_parts(value) if value else None
    if not parts or parts[1] is not None:
        return None
    return parts[0].isoformat()


def as_timestamp(value: str) -> str | None:
    """ISO timestamp for a date with or without a time, or None."""
    parts = _date_parts(value) if value else None
    if not parts:
        return None
    date, time = parts
    return dt.datetime.combine(date, time or dt.time()).isoformat()


def names_identifier(header: str) -> bool:
    """Whether a column's header says it holds identifiers (phone numbers, codes ...)."""
    return bool(_IDENTIFIER_HEADER.search(_fold(header).lower().replace("_", " ")))


class ColumnGuess:
    """Follows one column over every value: numeric, date, timestamp or text (always text
    when its header names an identifier)."""

    __slots__ = ("number", "date", "timestamp", "seen")

    def __init__(self, header: str = "") -> None:
        self.number = self.date = self.timestamp = not names_identifier(header)
        self.seen = False

    def add(self, value: str) -> None:
        if not value:
            return
        self.seen = True
        if self.number and as_number(value) is None:
            self.number = False
        if self.date and as_date(value) is None:
            self.date = False
        if self.timestamp and as_timestamp(value) is None:
            self.timestamp = False

    @property
    def type(self) -> str:
        if not self.seen:
            return "text"
        if self.number:
            return "numeric"
        if self.date:
            return "date"
        if self.timestamp:
            return "timestamp"
        return "text"


CONVERTERS = {"numeric": as_number, "date": as_date, "timestamp": as_timestamp}


def convert(value: str, type_: str) -> str:
    """The value as the column's type writes it (text unchanged)."""
    if not value or type_ == "text":
        return value
    converted = CONVERTERS[type_](value)
    return value if converted is None else converted
