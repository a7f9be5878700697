"""A file scanned by what it holds, not by the format its publisher declared (docs/safety.md).

libmagic (python-magic) names the kind from the bytes; text is decoded by the data feature's
encoding detection (BOMs, UTF-8, charset-normalizer among the configured candidates). Then:
- every sheet of an XLSX or XLS, each with its own header, by the column verdicts of
  ``scanner.TableScan``;
- JSON: lists of records are tables (their keys the header), other values free text;
- HTML and XML: ``<table>`` rows are tables, the rest is text without its markup;
- other text: a delimited table when its rows agree on a width of two or more, free text
  otherwise (every hit counts, as in metadata);
- ZIP and gzip: each member scanned the same way (bounded: members, size, depth); a ZIP's
  member names and comments as free text.
- PDF text (pypdf) and Word documents (python-docx: paragraphs as text, tables as tables),
  when those libraries are installed (documents.py); a PDF without a text layer (a scan of
  paper) cannot be read.
- beside the body, as free text (documents.py, ``extra_text``): DOCX headers, footers,
  properties, footnotes, endnotes, comments, text boxes, fields, content controls and tracked
  changes, images' alt text, external link targets; XLSX sheet names (XLS too), hyperlinks,
  comments, print headers/footers, properties, text-building formulas, defined
  names, data-validation lists, chart and drawing text, and joining formulas without a cached
  value (evaluated); PDF document information, annotations, form fields, XMP
  metadata and outline, and its attached files scanned as uploads; HTML/XML attribute values,
  comments and script/style content; JSON keys.
Anything else (images, other Office documents, encrypted or broken files) cannot be read:
``Unscannable``, which holds the dataset until a reviewer clears it (``hold_unscannable``).

Findings name where they were found ("人员.csv: 身份证号", "第二页: 手机"): no clear value.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import detectors as d
from . import documents
from .scanner import TableScan, Thresholds, scan_text_fields

MAX_MEMBERS = 200     # files inside one archive
MAX_DEPTH = 2         # archives inside archives
SAMPLE_ROWS = 50      # rows read to find a table's header (as the data feature does)
TEXT_MIMES = ("application/json", "application/xml", "application/csv", "application/x-ndjson",
              "application/javascript", "application/x-empty", "inode/x-empty")
XLSX_MIMES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
XLS_MIMES = ("application/vnd.ms-excel", "application/cdfv2", "application/x-ole-storage")
ZIP_MIMES = ("application/zip", "application/x-zip-compressed")
PDF_MIMES = ("application/pdf",)
DOCX_MIMES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
MAX_PAGES = 2000      # pages of a PDF read for text
GZIP_MIMES = ("application/gzip", "application/x-gzip")
N_ = str  # message ids, translated where they are shown (safety's catalog)


class Unscannable(Exception):
    """The file's content cannot be read; ``message`` is a message id of our catalog."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Result:
    findings: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    columns: list[str] = field(default_factory=list)  # the tables' headers, named as findings are

    def add_columns(self, where: str, names: Iterable[str]) -> None:
        self.columns += [f"{where}: {n}" if where else str(n) for n in names]

    def add(self, where: str, findings: Iterable[Any], rows: int) -> None:
        for f in findings:
            item = f.as_dict()
            if where:
                item["column"] = f"{where}: {item['column']}"
            self.findings.append(item)
        self.rows += rows


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    candidates: tuple[str, ...] = ("gb18030", "big5")


def mime_of(path: str) -> str:
    import magic
    return (magic.from_file(path, mime=True) or "").lower()


def kind_of(path: str) -> str:
    """xlsx, xls, docx, pdf, zip, gzip, text, or the MIME type of what cannot be read."""
    if os.path.getsize(path) == 0:
        return "text"
    mime = mime_of(path)
    if mime in XLSX_MIMES:
        return "xlsx"
    if mime in XLS_MIMES:
        return "xls"
    if mime in ZIP_MIMES:
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise Unscannable(N_("The archive is damaged and cannot be read")) from e
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "docx" if "word/document.xml" in names else "zip"
    if mime in DOCX_MIMES:
        return "docx"
    if mime in PDF_MIMES:
        return "pdf"
    if mime in GZIP_MIMES:
        return "gzip"
    if mime.startswith("text/") or mime in TEXT_MIMES:
        return "text"
    return mime or "application/octet-stream"


DEFAULT_THRESHOLDS = Thresholds()


def scan_file(path: str, limits: Limits, options: d.Options = d.DEFAULT_OPTIONS,
              thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Result:
    result = Result()
    _scan(path, "", limits, options, thresholds, result, 0)
    return result


def _scan(path: str, where: str, limits: Limits, options: d.Options, thresholds: Thresholds,
          result: Result, depth: int) -> None:
    kind = kind_of(path)
    if kind in ("xlsx", "xls"):
        names: list[str] = []
        for sheet, rows in sheets(path, kind):
            names.append(sheet)
            _table(rows, _join(where, sheet), options, thresholds, result)
        if kind == "xlsx":  # its sheet names are read from workbook.xml, hidden sheets too
            extra_text(documents.xlsx_extras(path, limits.max_bytes), where, options, result)
        else:
            extra_text([("工作表名称", n) for n in names], where, options, result)
    elif kind == "zip":
        _zip(path, where, limits, options, thresholds, result, depth)
    elif kind == "gzip":
        _gzip(path, where, limits, options, thresholds, result, depth)
    elif kind == "text":
        _text(_decode(path, limits), where, options, thresholds, result)
    elif kind == "pdf" and documents.reads_pdf():
        _pages(documents.pdf_pages(path, limits.max_bytes, MAX_PAGES), where, options, result, numbered=True)
        extra_text(documents.pdf_extras(path, limits.max_bytes), where, options, result)
        _attachments(documents.pdf_attachments(path, limits.max_bytes), where, limits, options, thresholds,
                     result, depth)
    elif kind == "docx" and documents.reads_docx():
        text, tables, extras = documents.docx_content(path, limits.max_bytes)
        extra_text(extras, where, options, result)
        for i, rows in enumerate(tables, 1):
            _table(rows, _join(where, f"表格{i}"), options, thresholds, result)
        _pages([text], where, options, result, numbered=False)
    else:
        raise Unscannable(N_("The file is neither a table nor text (PDF, image, document or "
                             "other binary data): its content cannot be checked for personal data"))


def extra_text(fields: Iterable[tuple[str, str]], where: str, options: d.Options, result: Result) -> None:
    """Parts of a file beside its body (headers, footers, comments, properties, formulas,
    attributes, keys): free text, every hit counts, named by the part (``文档属性``)."""
    named = [(_join(where, name), text) for name, text in fields]
    result.add("", scan_text_fields(named, options), 0)


def _join(where: str, name: str) -> str:
    return f"{where} / {name}" if where and name else (where or name)


# --- spreadsheets ---------------------------------------------------------------------------
def sheets(path: str, kind: str, skip_first: bool = False) -> Iterator[tuple[str, Iterator[list[str]]]]:
    """(sheet name, rows) of every sheet of a workbook; ``skip_first`` leaves out the sheet the
    data feature loads (the active one of an XLSX, the first of an XLS)."""
    from ckanext.guangdong.data.reader import _strip
    if kind == "xlsx":
        import openpyxl
        with open(path, "rb") as handle:
            try:
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            except Exception as e:  # zip errors, XML errors, not a workbook
                raise Unscannable(N_("The spreadsheet is damaged and cannot be read")) from e
            try:
                loaded = book.active or book.worksheets[0]
                for ws in book.worksheets:
                    if skip_first and ws.title == getattr(loaded, "title", None):
                        continue
                    yield ws.title, (_strip(list(r)) for r in ws.iter_rows(values_only=True))
            finally:
                book.close()
        return
    import xlrd
    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except Exception as e:
        raise Unscannable(N_("The spreadsheet is damaged and cannot be read")) from e
    try:
        for index in range(book.nsheets):
            if skip_first and index == 0:
                continue
            sheet = book.sheet_by_index(index)
            yield sheet.name, (_strip([c.value if c.ctype not in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY,
                                                                  xlrd.XL_CELL_BLANK) else None
                                       for c in sheet.row(r)]) for r in range(sheet.nrows))
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _table(rows: Iterable[Sequence[str]], where: str, options: d.Options, thresholds: Thresholds,
           result: Result) -> None:
    """A table whose header is found as the data feature finds it (title rows skipped); one
    without a header gets numbered columns, and every row is scanned."""
    from ckanext.guangdong.data.header import find_header
    from ckanext.guangdong.data.messages import LoadError
    it = iter(rows)
    sample: list[list[str]] = []
    for row in it:
        if any(row):
            sample.append(list(row))
            if len(sample) >= SAMPLE_ROWS:
                break
    if not sample:
        return
    width = max(len(r) for r in sample)
    try:
        header = find_header(sample)
        names, body = header.names, sample[header.first_data:]
    except LoadError:
        names, body = [f"#{i + 1}" for i in range(width)], sample
    scan = TableScan(names, options, thresholds)
    scan.add_rows(body)
    scan.add_rows(r for r in it if any(r))
    result.add(where, scan.findings(), scan.rows)
    result.add_columns(where, names)


# --- archives -------------------------------------------------------------------------------
def _copy_limited(src: io.BufferedIOBase | Any, dest: str, budget: int) -> int:
    written = 0
    with open(dest, "wb") as out:
        while chunk := src.read(1024 * 1024):
            written += len(chunk)
            if written > budget:
                raise Unscannable(N_("The archive unpacks to more than the portal checks"))
            out.write(chunk)
    return written


def _zip(path: str, where: str, limits: Limits, options: d.Options, thresholds: Thresholds,
         result: Result, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise Unscannable(N_("The archive holds archives nested too deep to check"))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise Unscannable(N_("The archive is damaged and cannot be read")) from e
    with archive, tempfile.TemporaryDirectory(prefix="guangdong-safety-zip-") as tmp:
        # what an unpacking tool shows beside the files: their names (folders too) and comments
        extra_text([("文件名", _member_name(m)) for m in archive.infolist()]
                   + [("压缩包注释", _comment_text(c)) for c in [archive.comment]
                      + [m.comment for m in archive.infolist()] if c.strip()], where, options, result)
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise Unscannable(N_("The archive holds more files than the portal checks"))
        budget = limits.max_bytes
        for i, member in enumerate(members):
            if member.flag_bits & 0x1:
                raise Unscannable(N_("The archive is encrypted: its content cannot be checked"))
            dest = os.path.join(tmp, f"m{i}")
            try:
                with archive.open(member) as src:
                    budget -= _copy_limited(src, dest, budget)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as e:
                raise Unscannable(N_("The archive is damaged and cannot be read")) from e
            _scan(dest, _join(where, member.filename), limits, options, thresholds, result, depth + 1)
            os.remove(dest)


def _member_name(member: zipfile.ZipInfo) -> str:
    """A member's name as a Chinese unpacking tool shows it: without the UTF-8 flag zipfile
    reads it as CP437, where Windows wrote GBK."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _comment_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", "replace")


def _attachments(files: list[tuple[str, bytes]], where: str, limits: Limits, options: d.Options,
                 thresholds: Thresholds, result: Result, depth: int) -> None:
    """Files embedded in a PDF, each scanned as an upload of its kind (an archive's depth)."""
    if not files:
        return
    if depth >= MAX_DEPTH:
        raise Unscannable(N_("The archive holds archives nested too deep to check"))
    with tempfile.TemporaryDirectory(prefix="guangdong-safety-pdf-") as tmp:
        for i, (name, content) in enumerate(files):
            dest = os.path.join(tmp, f"a{i}")
            with open(dest, "wb") as out:
                out.write(content)
            _scan(dest, _join(where, f"附件 {name}"), limits, options, thresholds, result, depth + 1)
            os.remove(dest)


def _gzip(path: str, where: str, limits: Limits, options: d.Options, thresholds: Thresholds,
          result: Result, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise Unscannable(N_("The archive holds archives nested too deep to check"))
    with tempfile.TemporaryDirectory(prefix="guangdong-safety-gz-") as tmp:
        dest = os.path.join(tmp, "member")
        try:
            with gzip.open(path, "rb") as src:
                _copy_limited(src, dest, limits.max_bytes)
        except (OSError, EOFError) as e:
            raise Unscannable(N_("The archive is damaged and cannot be read")) from e
        _scan(dest, where, limits, options, thresholds, result, depth + 1)
    extra_text(_gzip_header(path), where, options, result)


def _gzip_header(path: str) -> list[tuple[str, str]]:
    """A gzip's stored file name (FNAME) and comment (FCOMMENT), RFC 1952: gunzip restores the
    name, so a reader sees both. Latin-1 by the RFC; UTF-8 or GBK as Chinese tools write it."""
    with open(path, "rb") as f:
        head = f.read(65536)
    if len(head) < 10 or head[:2] != b"\x1f\x8b":
        return []
    flags, pos = head[3], 10
    if flags & 4:  # FEXTRA: a length, then that many bytes
        pos += 2 + int.from_bytes(head[pos:pos + 2], "little")
    out = []
    for bit, part in ((8, "文件名"), (16, "压缩包注释")):
        if flags & bit:
            end = head.find(b"\0", pos)
            end = len(head) if end < 0 else end
            if text := _comment_text(head[pos:end]).strip():
                out.append((part, text))
            pos = end + 1
    return out


def _pages(pages: Iterable[str], where: str, options: d.Options, result: Result, *, numbered: bool) -> None:
    """Text of a document (PDF pages, a Word document's paragraphs): free text, line by line,
    every hit counts (as in metadata); findings name the page of a PDF."""
    fields: list[tuple[str, str]] = []
    for n, page in enumerate(pages, 1):
        name = _join(where, f"第{n}页") if numbered else (where or "text")
        fields += [(name, ln) for ln in page.splitlines() if ln.strip()]
    result.add("", scan_text_fields(fields, options), len(fields))


# --- text -----------------------------------------------------------------------------------
def _decode(path: str, limits: Limits) -> str:
    from ckanext.guangdong.data import encoding
    from ckanext.guangdong.data.messages import LoadError
    try:
        detected = encoding.detect(path, limits.candidates)
    except LoadError as e:
        raise Unscannable(N_("The file's text cannot be read (binary data or an unknown "
                             "encoding): its content cannot be checked for personal data")) from e
    with open(path, encoding=detected.encoding, newline="") as f:
        return f.read().replace("\x00", "")


def _text(text: str, where: str, options: d.Options, thresholds: Thresholds, result: Result) -> None:
    head = text.lstrip("\ufeff \t\r\n")
    if documents.looks_rtf(head):  # an .rtf (or RTF named .txt): its escapes decoded first
        text = head = documents.rtf_text(head)
    if head[:1] in ("{", "["):
        try:
            data = json.loads(head)
        except ValueError:
            data = None
        if data is not None:
            _json(data, where, options, thresholds, result)
            return
    if head[:1] == "<":
        text = _markup(text, where, options, thresholds, result)
    rows = _delimited(text)
    if rows is not None:
        _table(rows, where, options, thresholds, result)
        return
    lines = [ln for ln in text.splitlines() if ln.strip()]
    result.add("", scan_text_fields(((where or "text", ln) for ln in lines), options), len(lines))


def _delimited(text: str) -> list[list[str]] | None:
    """The rows of a delimited table, when its lines agree on a width of two or more."""
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    if len(lines) < 2:
        return None
    for delim in (",", "\t", ";", "|"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        common = max(set(widths), key=widths.count)
        if common >= 2 and widths.count(common) >= 0.8 * len(widths):
            csv.field_size_limit(1 << 24)
            return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
    return None


_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_CLASS = re.compile(r"^\.([\w-]+)(?:::?(before|after))?$")
_CSS_CONTENT = re.compile(r"content\s*:\s*(\"[^\"]*\"|'[^']*')")


def _reverses(declarations: str) -> bool:
    """CSS that draws an element's characters right to left, digits too: direction rtl with a
    bidi override (without the override digits keep their order)."""
    flat = re.sub(r"\s", "", declarations.lower())
    return "direction:rtl" in flat and "override" in flat


def _as_rendered(soup: Any) -> None:
    """The markup changed in place to read as a browser draws it (attack trial a10): elements
    drawn right to left (``<bdo dir=rtl>``, a bidi-override style, inline or by class) with their
    text reversed, and the ``content`` of a class's ``::before``/``::after`` rule put in its
    elements. Only simple class rules of the page's own style elements are read."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    reversing: set[str] = set()
    for style in soup.find_all("style"):
        for selectors, body in _CSS_RULE.findall(style.get_text()):
            content = _CSS_CONTENT.search(body)
            for selector in selectors.split(","):
                m = _CSS_CLASS.match(selector.strip())
                if not m:
                    continue
                if m.group(2) and content:
                    (before if m.group(2) == "before" else after)[m.group(1)] = content.group(1)[1:-1]
                elif not m.group(2) and _reverses(body):
                    reversing.add(m.group(1))
    for tag in soup.find_all(True):
        classes = list(tag.get("class") or [])
        if (tag.name == "bdo" and str(tag.get("dir", "")).lower() == "rtl") \
                or _reverses(str(tag.get("style", ""))) or reversing.intersection(classes):
            tag.string = tag.get_text("")[::-1]
        if any(name in before or name in after for name in classes):  # one string: one line
            tag.string = "".join(before.get(n, "") for n in classes) + tag.get_text("") \
                + "".join(after.get(n, "") for n in classes)


def _markup(text: str, where: str, options: d.Options, thresholds: Thresholds, result: Result) -> str:
    """HTML or XML: its tables scanned as tables; the text left without markup (html.parser:
    no entity expansion, no network)."""
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(text, "html.parser")
    _as_rendered(soup)
    for i, table in enumerate(soup.find_all("table"), 1):
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        _table(rows, _join(where, f"表格{i}"), options, thresholds, result)
        table.decompose()
    from bs4 import Comment
    extras = [("注释", str(c)) for c in soup.find_all(string=lambda s: isinstance(s, Comment))]
    for tag in soup.find_all(True):
        for value in tag.attrs.values():
            extras += [("属性", v) for v in (value if isinstance(value, list) else [value]) if v and str(v).strip()]
    for tag in soup.find_all(["script", "style"]):  # a JSON blob in a script is data too
        extras += [("脚本与样式", ln) for ln in tag.get_text("\n").splitlines() if ln.strip()]
        tag.decompose()
    extra_text(extras, where, options, result)
    return soup.get_text("\n")


def _json(data: Any, where: str, options: d.Options, thresholds: Thresholds, result: Result) -> None:
    texts: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, list) and value and sum(isinstance(v, dict) for v in value) * 2 >= len(value):
            records = [v for v in value if isinstance(v, dict)]
            keys: list[str] = []
            for r in records:
                keys += [k for k in r if k not in keys]
            texts.extend((_join(path, "键名"), str(k)) for k in keys)
            rows = [[_scalar(r.get(k)) for k in keys] for r in records]
            scan = TableScan([str(k) for k in keys], options, thresholds)
            scan.add_rows(rows)
            result.add(_join(where, path), scan.findings(), scan.rows)
            result.add_columns(_join(where, path), [str(k) for k in keys])
        elif isinstance(value, dict):
            texts.extend((_join(path, "键名"), str(k)) for k in value)
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, path)
        elif value is not None:
            texts.append((path or "value", _scalar(value)))

    walk(data, "")
    result.add(where, scan_text_fields(texts, options), 0)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
