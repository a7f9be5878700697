"""Spreadsheet cells we export (CSV, XLSX): a text that a spreadsheet would take for a formula
is written as text. OWASP's rule for CSV injection: a cell starting with =, +, -, @, a tab or a
carriage return gets a leading apostrophe. Numbers stay numbers (a negative count is no
formula); every export of ours writes its rows through ``safe_row``."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same characters in their full-width forms: spreadsheets with East Asian input accept them.
FORMULA_STARTS += ("＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
