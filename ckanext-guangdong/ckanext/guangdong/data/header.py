"""Where the header of a government spreadsheet is, and what its columns are called.

Such sheets often start with a title row (一个单元格: "2024年广州市各区人口统计表"), a unit or
date line ("单位：万人"), then the header — sometimes two rows, where a merged cell spans
several columns above their sub-headers:

    地区 | 常住人口（万人） |    | 面积
         | 男              | 女 |

which gives 地区, 常住人口（万人）_男, 常住人口（万人）_女, 面积. Rows before the header with
far fewer cells than the table are titles; the header is the first full row; a second row is
part of the header when it fills cells under the first row's merged (empty) cells and holds no
numbers or dates. A first full row that looks like data (numbers, dates) means the file has no
header, which is an error.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import values
from .messages import N_, LoadError, message

MAX_NAME_BYTES = 63  # PostgreSQL identifiers (NAMEDATALEN - 1), in UTF-8 bytes
_SPACE = re.compile(r"\s+")


@dataclass
class Header:
    names: list[str]
    first_data: int            # index (in the rows given) of the first row after the header
    header_rows: list[int]     # indexes of the header row(s)
    titles: list[str] = field(default_factory=list)  # text of the title rows skipped
    warnings: list[dict] = field(default_factory=list)


def _filled(row: Sequence[str]) -> int:
    return sum(1 for c in row if c)


_YEAR = re.compile(r"^(19|20)\d\d$")


def _is_data_like(cell: str) -> bool:
    """A number or date, as data rows hold (a bare year such as 2024 is a usual column name)."""
    if _YEAR.match(cell.strip()):
        return False
    return values.as_number(cell) is not None or values.as_timestamp(cell) is not None


def table_width(rows: Sequence[Sequence[str]]) -> int:
    """The most common count of filled cells among rows with at least two (the table's width)."""
    counts = Counter(_filled(r) for r in rows if _filled(r) >= 2)
    if not counts:
        return max((_filled(r) for r in rows), default=0)
    top = max(counts.values())
    return max(n for n, c in counts.items() if c == top)


def clean_name(raw: str) -> str:
    """A DataStore column name: one line, no double quotes, no leading underscore, at most 63
    bytes of UTF-8 (cut on a character boundary)."""
    name = _SPACE.sub(" ", (raw or "").replace("\x00", "")).strip().replace('"', "'").lstrip("_ ")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip()
    return name


def unique_names(raw: Sequence[str]) -> tuple[list[str], list[dict]]:
    names: list[str] = []
    warnings: list[dict] = []
    seen: set[str] = set()
    for i, r in enumerate(raw, 1):
        name = clean_name(r)
        if not name:
            name = f"列{i}"
            warnings.append(message(N_("Column %(n)s has no header; it is called %(name)s"),
                                    n=i, name=name))
        base, k = name, 2
        while name in seen:
            suffix = f"_{k}"
            name = clean_name(base.encode("utf-8")[:MAX_NAME_BYTES - len(suffix)]
                              .decode("utf-8", "ignore")) + suffix
            k += 1
        if name != clean_name(r) and clean_name(r):
            warnings.append(message(N_("Column %(n)s is called %(name)s (header %(header)s "
                                       "repeated or too long)"), n=i, name=name, header=r))
        seen.add(name)
        names.append(name)
    return names, warnings


def _combine(top: Sequence[str], sub: Sequence[str], width: int) -> list[str]:
    """Two header rows into one: a merged top cell carries over the empty cells to its right
    that have a sub-header below them."""
    names, parent = [], ""
    for i in range(width):
        t = top[i] if i < len(top) else ""
        s = sub[i] if i < len(sub) else ""
        if t:
            parent = t
        elif not s:
            parent = ""
        if t and s and t != s:
            names.append(f"{t}_{s}")
        elif t:
            names.append(t)
        elif s:
            names.append(f"{parent}_{s}" if parent else s)
        else:
            names.append("")
    return names


def find_header(rows: Sequence[Sequence[str]]) -> Header:
    """The header among the first rows of a table (rows: lists of stripped strings, blank rows
    already removed)."""
    if not rows:
        raise LoadError(N_("The file is empty: it has no header and no rows"))
    width = table_width(rows)
    threshold = max(1, (width + 1) // 2) if width > 1 else 1
    index = next((i for i, r in enumerate(rows) if _filled(r) >= threshold), 0)
    titles = [" ".join(c for c in r if c) for r in rows[:index]]
    top = [c for c in rows[index]]
    if sum(_is_data_like(c) for c in top if c) * 2 > _filled(top) and _filled(top) > 0:
        raise LoadError(N_("The file has no header row: its first row (%(row)s) holds numbers or "
                           "dates. Add a row with a name for each column"),
                        row=", ".join(c for c in top if c)[:200])
    header_rows = [index]
    last = max((i for i, c in enumerate(top) if c), default=-1) + 1
    span = max(width, last)
    if index + 1 < len(rows):
        sub = rows[index + 1]
        gaps = [i for i in range(span) if not (top[i] if i < len(top) else "")]
        fills_gap = any(i < len(sub) and sub[i] for i in gaps)
        textual = _filled(sub) > 0 and not any(_is_data_like(c) for c in sub if c)
        if gaps and fills_gap and textual:
            top = _combine(top, sub, max(span, len(sub)))
            header_rows.append(index + 1)
    # Columns that have neither a header nor (in the sample) any value are dropped later by
    # the reader; trailing empty header cells are not columns.
    while top and not top[-1]:
        top = top[:-1]
    names, warnings = unique_names(top)
    if titles:
        warnings.insert(0, message(N_("Skipped %(n)s title row(s) above the header: %(titles)s"),
                                   n=len(titles), titles=" / ".join(titles)[:300]))
    if len(header_rows) == 2:
        warnings.append(message(N_("The header spans two rows (merged cells); the column names "
                                   "join them with _")))
    return Header(names=names, first_data=header_rows[-1] + 1, header_rows=header_rows,
                  titles=titles, warnings=warnings)
