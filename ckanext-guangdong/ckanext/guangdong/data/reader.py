"""Rows of a tabular file as lists of strings: CSV/TSV text in any encoding `encoding.detect`
recognises, XLSX (openpyxl) and XLS (xlrd). The file's own bytes decide the kind (a spreadsheet
named .csv is read as a spreadsheet; a PDF or an image named .csv is refused)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from . import encoding as encodings
from .messages import N_, LoadError

Rows = Iterator[list[str]]
_MAGIC = {
    b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls",
    b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif",
    b"\x1f\x8b": "gzip", b"Rar!": "rar", b"7z\xbc\xaf": "7z",
}
TEXT_FORMATS = ("csv", "tsv", "txt")
MAX_CELL_CHARS = 131072  # csv's own default field limit: a longer cell is an error


def sniff_kind(path: str, declared: str) -> str:
    """csv, tsv, xlsx or xls; LoadError for other kinds."""
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise LoadError(N_("The file is empty: it has no header and no rows"))
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            if kind in ("xlsx", "xls"):
                return kind
            raise LoadError(N_("The file is a %(kind)s file, not a table; upload a CSV, TSV, XLS "
                               "or XLSX file"), kind=kind.upper())
    if _is_json(path):  # csv would read it as a one-column table of lines ('{', '"total": 24')
        raise LoadError(N_("The file is JSON, not a table; JSON files are not loaded into the "
                           "DataStore (the text view previews them)"))
    declared = (declared or "").lower()
    return "tsv" if declared in ("tsv", "text/tab-separated-values") else "csv"


def _is_json(path: str) -> bool:
    """A file whose text starts with { or [ and parses as JSON as a whole."""
    import json
    with open(path, "rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] not in (b"{", b"["):
            return False
        f.seek(0)
        try:
            json.loads(f.read().decode("utf-8-sig"))
        except ValueError:  # UnicodeDecodeError too
            return False
    return True


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _strip(row: list) -> list[str]:
    return [_cell_text(c).replace("\x00", "").strip() for c in row]


class TextTable:
    """A delimited text file; ``rows()`` can be called again for a second pass."""

    def __init__(self, path: str, kind: str, candidates: tuple[str, ...]) -> None:
        self.path = path
        self.detected = encodings.detect(path, candidates)
        self.delimiter = "\t" if kind == "tsv" else self._sniff_delimiter()

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.detected.encoding, newline="")

    def _sniff_delimiter(self) -> str:
        with self._open() as f:
            sample = f.read(64 * 1024)
        lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
        best, best_score = ",", 0
        for d in (",", "\t", ";", "|"):
            counts = [ln.count(d) for ln in lines]
            if not counts or max(counts) == 0:
                continue
            common = max(set(counts), key=counts.count)
            score = counts.count(common) * (common > 0)
            if score > best_score:
                best, best_score = d, score
        return best

    def rows(self) -> Rows:
        csv.field_size_limit(MAX_CELL_CHARS)
        with self._open() as f:
            source = (line.replace("\x00", "") for line in f) if self.detected.nul_bytes else f
            reader = csv.reader(source, delimiter=self.delimiter)
            try:
                for row in reader:
                    yield [c.strip() for c in row]
            except csv.Error as e:
                raise LoadError(N_("Line %(line)s cannot be read as CSV: %(error)s"),
                                line=reader.line_num, error=str(e)[:200]) from e


class XlsxTable:
    detected = None
    delimiter = None

    def __init__(self, path: str) -> None:
        self.path = path

    def rows(self) -> Rows:
        import openpyxl
        handle = open(self.path, "rb")  # a file object: openpyxl judges a path by its suffix
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as e:  # zip errors, XML errors, not a workbook
            handle.close()
            raise LoadError(N_("The XLSX file cannot be opened: %(error)s"), error=str(e)[:200]) from e
        try:
            sheet = book.active or book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield _strip(list(row))
        finally:
            book.close()
            handle.close()


class XlsTable:
    detected = None
    delimiter = None

    def __init__(self, path: str) -> None:
        self.path = path

    def rows(self) -> Rows:
        import xlrd
        try:
            book = xlrd.open_workbook(self.path, on_demand=True)
        except Exception as e:
            raise LoadError(N_("The XLS file cannot be opened: %(error)s"), error=str(e)[:200]) from e
        try:
            sheet = book.sheet_by_index(0)
            for r in range(sheet.nrows):
                cells = []
                for c in sheet.row(r):
                    if c.ctype == xlrd.XL_CELL_DATE:
                        cells.append(xlrd.xldate.xldate_as_datetime(float(c.value), book.datemode))
                    elif c.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        cells.append(None)
                    else:
                        cells.append(c.value)
                yield _strip(cells)
        finally:
            book.release_resources()


def open_table(path: str, declared_format: str,
               candidates: tuple[str, ...] = encodings.DEFAULT_CANDIDATES) -> TextTable | XlsxTable | XlsTable:
    kind = sniff_kind(path, declared_format)
    if kind == "xlsx":
        return XlsxTable(path)
    if kind == "xls":
        return XlsTable(path)
    return TextTable(path, kind, candidates)
