"""A tabular file turned into the clean CSV that ckanext-xloader loads: UTF-8 (with a BOM, so its
encoding check stops at once), the header first, one name per column, numbers and dates in
canonical form, and each column's type (text, numeric, date, timestamp) decided over all rows.

Two passes over the file: the first finds the header, checks widths and limits and follows every
column's type; the second writes. Nothing touches the DataStore until both have succeeded, so a
file that cannot be loaded changes nothing.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import encoding as encodings
from .header import find_header
from .messages import N_, LoadError, message
from .reader import open_table
from .values import ColumnGuess, convert

SAMPLE_ROWS = 50
_NOTE = re.compile(r"^(注|备注|说明|附注|数据来源|资料来源|来源|制表|填报|审核|负责人)")
# 信息项 types (schemas/vocab/misc.yaml data_types) -> the DataStore type they allow.
DECLARED = {"string": "text", "integer": "numeric", "decimal": "numeric", "date": "date",
            "datetime": "timestamp", "boolean": "text", "binary": "text"}


@dataclass
class Column:
    name: str
    type: str


@dataclass
class Prepared:
    path: str
    columns: list[Column]
    rows: int
    encoding: str | None       # label of the text encoding (None for spreadsheets)
    header_line: int              # 1-based row of the (first) header row in the file
    warnings: list[dict] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _is_note(row: list[str]) -> bool:
    filled = [c for c in row if c]
    return len(filled) == 1 and bool(_NOTE.match(filled[0]))


def prepare(src: str, declared_format: str, out_path: str, *, max_rows: int,
            candidates: tuple[str, ...] = encodings.DEFAULT_CANDIDATES,
            declared_types: Mapping[str, str] | None = None) -> Prepared:
    table = open_table(src, declared_format, candidates)
    warnings: list[dict] = []
    if table.detected is not None and table.detected.nul_bytes:
        warnings.append(message(N_("The file holds NUL bytes; they were removed")))

    sample: list[tuple[int, list[str]]] = []
    for line, row in enumerate(table.rows(), 1):
        if any(row):
            sample.append((line, row))
            if len(sample) >= SAMPLE_ROWS:
                break
    header = find_header([r for _, r in sample])
    warnings += header.warnings
    last_header_line = sample[header.header_rows[-1]][0]
    width = len(header.names)

    guesses = [ColumnGuess(name) for name in header.names]
    rows = 0
    pending_notes: list[int] = []
    for line, row in enumerate(table.rows(), 1):
        if line <= last_header_line or not any(row):
            continue
        if len(row) > width and any(row[width:]):
            raise LoadError(N_("Row %(line)s has more values than the header has columns "
                               "(%(columns)s); a value with a comma may be missing its quotes"),
                            line=line, columns=width)
        if _is_note(row):
            pending_notes.append(line)
            continue
        rows += len(pending_notes) + 1
        if pending_notes:  # notes in the middle of the table are rows after all
            pending_notes = []
        if rows > max_rows:
            raise LoadError(N_("The table has more than %(max)s rows, the most this portal "
                               "loads; split it into several files"), max=max_rows)
        for guess, value in zip(guesses, row, strict=False):
            guess.add(value)
    trailing = set(pending_notes)
    if trailing:
        warnings.append(message(N_("Skipped %(n)s note row(s) below the table"), n=len(trailing)))
    if rows == 0:
        raise LoadError(N_("The file has a header but no data rows"))

    declared = {k: DECLARED.get(v) for k, v in (declared_types or {}).items()}
    types = []
    for name, guess in zip(header.names, guesses, strict=False):
        t = guess.type
        if declared.get(name) == "text":
            t = "text"  # the publisher says text (e.g. codes that look like numbers)
        types.append(t)

    with open(out_path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header.names)
        for line, row in enumerate(table.rows(), 1):
            if line <= last_header_line or not any(row) or line in trailing:
                continue
            cells = (row + [""] * width)[:width]
            writer.writerow([convert(v, t) for v, t in zip(cells, types, strict=False)])

    return Prepared(path=out_path, columns=[Column(n, t) for n, t in zip(header.names, types, strict=False)],
                    rows=rows, encoding=table.detected.label if table.detected else None,
                    header_line=sample[header.header_rows[0]][0], warnings=warnings)
