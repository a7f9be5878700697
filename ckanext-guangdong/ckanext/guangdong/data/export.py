"""Downloads of a DataStore table in CSV (UTF-8 with a BOM, so Excel reads Chinese right), TSV,
JSON, XML and XLSX, streamed page by page through ``datastore_search`` as the requesting user
(so a private table stays private).

Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are neutralised as OWASP recommends for CSV injection: a leading apostrophe in CSV and
TSV; in XLSX they are stored as text cells, which Excel never evaluates. Numbers and dates come
from typed columns and are written as such.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ckanext.guangdong.security.cells import safe_cell

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "tsv"),
    "json": ("application/json; charset=utf-8", "json"),
    "xml": ("application/xml; charset=utf-8", "xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
XLSX_MAX_ROWS = 1048575
PAGE = 10000

Search = Callable[[int, int], dict[str, Any]]


# the portal's one rule for spreadsheet cells (security/cells.py: full-width forms too)
neutralise = safe_cell


def _pages(search: Search, max_rows: int) -> Iterator[tuple[list[dict], list[list]]]:
    """(all fields, records as lists in field order) page by page."""
    offset = 0
    while True:  # the first page always (its fields: a limit of 0 gives the header alone)
        size = max(0, min(PAGE, max_rows - offset))
        result = search(offset, size)
        records = list(result["records"])
        yield result["fields"], records
        offset += len(records)
        if len(records) < size or offset >= max_rows:
            return


def _rows(search: Search, max_rows: int, keep_id: bool = False) -> tuple[list[dict], Iterator[list]]:
    """The table's fields (without _id unless ``keep_id``) and its rows (lists in that order)."""
    pages = _pages(search, max_rows)
    all_fields, first = next(pages)
    keep = [i for i, f in enumerate(all_fields) if keep_id or f["id"] != "_id"]
    fields = [all_fields[i] for i in keep]

    def rows() -> Iterator[list]:
        for records in itertools.chain([first], (r for _f, r in pages)):
            for rec in records:
                yield [rec[i] for i in keep]
    return fields, rows()


def _delimited(search: Search, max_rows: int, dialect: str, dump: bool = False,
               bom: bool = True) -> Iterator[bytes]:
    fields, rows = _rows(search, max_rows, keep_id=dump)
    buf = io.StringIO()
    writer = csv.writer(buf, dialect=dialect, lineterminator="\r\n")
    if bom:
        buf.write("\ufeff")
    writer.writerow([neutralise(f["id"]) for f in fields])
    text_cols = [f["type"] == "text" for f in fields]
    for row in rows:
        writer.writerow(["" if v is None else (neutralise(v) if t else v)
                         for v, t in zip(row, text_cols, strict=False)])
        if buf.tell() > 256 * 1024:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value % 1 else int(value)
    return str(value)


def _json(search: Search, max_rows: int) -> Iterator[bytes]:
    fields, rows = _rows(search, max_rows)
    ids = [f["id"] for f in fields]
    head = {"fields": [{"id": f["id"], "type": f["type"]} for f in fields]}
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n').encode("utf-8")
    first = True
    for row in rows:
        line = json.dumps(dict(zip(ids, row, strict=False)), ensure_ascii=False, default=_json_default)
        yield (("" if first else ",\n") + line).encode("utf-8")
        first = False
    yield b"\n]}\n"


def _xml_text(value: Any) -> str:
    # characters XML 1.0 cannot carry (control characters) are dropped
    return "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 32)


def _xml(search: Search, max_rows: int, dump: bool = False) -> Iterator[bytes]:
    fields, rows = _rows(search, max_rows, keep_id=dump)
    ids = [quoteattr(_xml_text(f["id"])) for f in fields]
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<data>\n'
    for row in rows:
        cells = "".join(
            f"<field name={i} nil=\"true\"/>" if v is None
            else f"<field name={i}>{escape(_xml_text(v))}</field>" for i, v in zip(ids, row, strict=False))
        yield f"<record>{cells}</record>\n".encode()
    yield b"</data>\n"


def _xlsx_value(value: Any, type_: str) -> Any:
    if value is None:
        return None
    if type_ == "numeric":
        try:
            d = Decimal(str(value))
            return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)
        except Exception:
            return str(value)
    if type_ == "date":
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if type_ == "timestamp":
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _xlsx(search: Search, max_rows: int) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    fields, rows = _rows(search, min(max_rows, XLSX_MAX_ROWS))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")

    def cell(value: Any, type_: str) -> Cell:
        c = WriteOnlyCell(sheet, value=_xlsx_value(value, type_))
        if isinstance(c.value, str):
            c.data_type = "s"  # text, never a formula (openpyxl reads "=..." as one)
        if type_ == "date" and c.value is not None and not isinstance(c.value, str):
            c.number_format = "yyyy-mm-dd"
        return c

    sheet.append([cell(f["id"], "text") for f in fields])
    types = [f["type"] for f in fields]
    for row in rows:
        sheet.append([cell(v, t) for v, t in zip(row, types, strict=False)])
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        book.save(path)
        with open(path, "rb") as f:
            while chunk := f.read(256 * 1024):
                yield chunk
    finally:
        os.remove(path)


WRITERS: dict[str, Callable[[Search, int], Iterator[bytes]]] = {
    "csv": lambda s, m: _delimited(s, m, "excel"),
    "tsv": lambda s, m: _delimited(s, m, "excel-tab"),
    "json": _json,
    "xml": _xml,
    "xlsx": _xlsx,
}


def stream(fmt: str, search: Search, max_rows: int) -> Iterator[bytes]:
    return WRITERS[fmt](search, max_rows)


def stream_dump(fmt: str, search: Search, max_rows: int, bom: bool) -> Iterator[bytes]:
    """The DataStore's own dump (``/datastore/dump``, data/views.py) in CSV, TSV or XML as
    CKAN shapes it (the _id column, a BOM only when asked), its cells written as ours."""
    if fmt == "xml":
        return _xml(search, max_rows, dump=True)
    return _delimited(search, max_rows, "excel" if fmt == "csv" else "excel-tab", dump=True, bom=bom)
