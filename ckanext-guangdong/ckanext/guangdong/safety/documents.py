"""The text of documents, for the content scan (filescan.py): PDF through pypdf, Word (DOCX)
through python-docx, both maintained libraries (requirements.txt). Each reader is used only
when its library can be imported; without it the file stays unscannable and is held
(``hold_unscannable``), as before. Bounded: pages, and text no longer than the data feature's
size limit. Errors name the problem with a message id of our catalog (``Unscannable``)."""
from __future__ import annotations

import html
import importlib.util
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

N_ = str


def reads_pdf() -> bool:
    return importlib.util.find_spec("pypdf") is not None


def reads_docx() -> bool:
    return importlib.util.find_spec("docx") is not None


def pdf_pages(path: str, max_chars: int, max_pages: int) -> Iterator[str]:
    """The text of each page; Unscannable for an encrypted, damaged or text-less PDF (a scan
    of paper: only its images, which nothing here reads)."""
    import pypdf
    from pypdf.errors import PyPdfError

    from .filescan import Unscannable
    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unscannable(N_("The PDF is encrypted: its content cannot be checked"))
        if len(reader.pages) > max_pages:
            raise Unscannable(N_("The PDF has more pages than the portal checks"))
        texts = []
        total = 0
        for page in reader.pages:
            text = _page_text(page)
            total += len(text)
            if total > max_chars:
                raise Unscannable(N_("The PDF holds more text than the portal checks"))
            texts.append(text)
    except Unscannable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as e:
        raise Unscannable(N_("The PDF is damaged and cannot be read")) from e
    if not any(t.strip() for t in texts):
        raise Unscannable(N_("The PDF holds no text (a scan or images only): its content "
                             "cannot be checked for personal data"))
    yield from texts


def _page_text(page: Any) -> str:
    """A page's text in the order it is stored, then each line of its text in the order it is
    drawn (pypdf's layout mode, left to right by position) that the first does not hold: a
    number drawn in parts out of order reads right only in the second (attack trial a10).
    Costs about as much again as the first reading."""
    text = page.extract_text() or ""
    if not text.strip():  # nothing drawn as text (a page without /Contents breaks layout mode)
        return text
    flat = _SPACE.sub("", text)
    drawn = [ln for ln in (page.extract_text(extraction_mode="layout") or "").splitlines()
             if ln.strip() and _SPACE.sub("", ln) not in flat]
    return "\n".join([text, *drawn]) if drawn else text


def docx_content(path: str, max_chars: int) -> tuple[str, list[list[list[str]]], list[tuple[str, str]]]:
    """A Word document's paragraph text, its tables (rows of cell text), and its headers,
    footers and properties (``docx_extras``)."""
    import docx

    from .filescan import Unscannable
    try:
        document = docx.Document(path)
        text = "\n".join(p.text for p in document.paragraphs)
        tables = [[[cell.text.strip() for cell in row.cells] for row in table.rows]
                  for table in document.tables]
        extras = docx_extras(document, path)
    except Exception as e:  # zip, XML and package errors: python-docx has no common base
        raise Unscannable(N_("The document is damaged and cannot be read")) from e
    if len(text) + sum(len(c) for t in tables for r in t for c in r) + sum(len(t) for _, t in extras) > max_chars:
        raise Unscannable(N_("The document holds more text than the portal checks"))
    return text, tables, extras


# --- RTF (attack trial a9: an .rtf, or RTF declared as TXT, is text whose characters may be
# written as escapes: \'34 is "4", \'d5\'c5 张 in GBK under \ansicpg936, \u24352? 张) ---------
_RTF_LIKE = re.compile(r"(?:\\'[0-9a-fA-F]{2}){2}")  # not \uN alone: JSON writes \u5317 too
_RTF_UNICODE = re.compile(r"\\u(-?\d{1,5}) ?(?:\\'[0-9a-fA-F]{2}|[^\\{}])?")  # and its one fallback
_RTF_HEX = re.compile(r"(?:\\'[0-9a-fA-F]{2})+")
_RTF_BREAK = re.compile(r"\\(?:par|line|row|cell|tab|sect|page)\b(?:-?\d+)? ?")
_RTF_WORD = re.compile(r"\\[a-zA-Z]{1,32}(?:-?\d{1,10})? ?|\\\*|[{}]")


def looks_rtf(text: str) -> bool:
    return text.startswith("{\\rtf") or _RTF_LIKE.search(text[:100_000]) is not None


def rtf_text(text: str) -> str:
    """RTF (or text with RTF escapes) as a reader shows it: \\'hh runs decoded in the
    document's code page (\\ansicpg, else cp1252), \\uN as the character it names, control
    words and braces removed (a paragraph or cell end is a line or space), so digits set in
    groups of formatting ({\\b 4401}0619…) are read together as the page shows them."""
    cp = re.search(r"\\ansicpg(\d{3,5})", text[:10_000])
    codec = f"cp{cp.group(1)}" if cp else "cp1252"
    try:
        "".encode(codec)
    except LookupError:
        codec = "cp1252"
    text = _RTF_UNICODE.sub(lambda m: chr(int(m.group(1)) % 65536), text)
    text = _RTF_HEX.sub(lambda m: bytes.fromhex(m.group(0).replace("\\'", "")).decode(codec, "replace"), text)
    text = _RTF_BREAK.sub(lambda m: "\n" if m.group(0)[1:4] in ("par", "lin", "sec", "pag", "row") else " ", text)
    return _RTF_WORD.sub("", text).replace("\\\\", "\\")


# --- the parts of a file beside its body (attack trial, issue 14) ------------------------------
# Headers, footers, comments, properties and formulas are published with the file and read by
# whoever downloads it; each is scanned as free text of the file (filescan.py).
_XML_TEXT = re.compile(r"<[^>!?/][^>]*(?<!/)>([^<]+)<")
_OOXML_T = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>\s*(?:<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>)?")
_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?(?:odd|even|first)(?:Header|Footer)>([^<]*)<")
_COMMENT = re.compile(r"<(?:\w+:)?(?:comment|threadedComment)\b.*?</(?:\w+:)?(?:comment|threadedComment)>", re.S)
_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_WORTH_SCANNING = re.compile(r'"|\d{6}')  # a formula without text or long numbers holds none
_CODES = re.compile(r'&"[^"]*"|&K[0-9A-Fa-f]{6}|&[A-Za-z]')
_SHEET_NAME = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_EXTERNAL = re.compile(r'\bTargetMode="External"')
_TARGET = re.compile(r'\bTarget="([^"]*)"')
_HYPERLINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)>")
_HYPERLINK_TEXT = re.compile(rb'\b(?:location|tooltip|display)="([^"]*)"')


def package_properties(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The document properties of an Office Open XML file (docProps/core.xml: author, title,
    subject, keywords ...; app.xml: company, manager; custom.xml)."""
    out: list[tuple[str, str]] = []
    for name in archive.namelist():
        if name.startswith("docProps/") and name.endswith(".xml"):
            text = archive.read(name).decode("utf-8", "replace")
            out += [("文档属性", html.unescape(t)) for t in _XML_TEXT.findall(text) if t.strip()]
    return out


def external_links(archive: zipfile.ZipFile, folder: str) -> list[tuple[str, str]]:
    """The targets of a package's external relationships under ``folder`` (hyperlinks of cells
    and of Word text, linked images): a reader follows them, so they are text of the file,
    percent-decoded as the metadata scan decodes URLs (?sfz=4401...)."""
    out: list[tuple[str, str]] = []
    for name in archive.namelist():
        if name.startswith(folder) and name.endswith(".rels"):
            xml = archive.read(name).decode("utf-8", "replace")
            for rel in _RELATIONSHIP.findall(xml):
                if _EXTERNAL.search(rel) and (target := _TARGET.search(rel)):
                    out.append(("链接", unquote(html.unescape(target.group(1)))))
    return out


def header_footer_text(code: str) -> list[str]:
    """An Excel header or footer without its codes (&L &C &P &"Arial,Bold" ...). A font size
    (&12) has no end mark, so a number right after it is read with 0 to 3 digits dropped."""
    plain = _CODES.sub(" ", html.unescape(code)).replace("&&", "&")
    return sorted({re.sub(rf"&\d{{{k}}}", " ", plain) for k in range(4)})


def xlsx_extras(path: str, max_chars: int) -> list[tuple[str, str]]:
    """A workbook's sheet names, hyperlinks (external targets, places, tooltips), cell comments,
    print headers and footers, document properties, defined names, data-validation lists and
    messages, chart and drawing text (titles, labels, cached
    series values, shapes' text and alt text), and the text of formulas that hold text or long
    numbers: their string literals joined (what CONCATENATE/& builds), the formula itself and
    its cached value; a formula that only joins cells and literals (=A1&B1, CONCATENATE) and
    has no cached value is evaluated from the sheet's cells (``_Concat``). Sheets are read in
    chunks with a byte pattern, not parsed a second time."""
    from .filescan import Unscannable
    out: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(path) as archive:
            out += package_properties(archive)
            out += external_links(archive, "xl/")
            strings = _SharedStrings(archive)
            drawn = _drawing_formats(archive)
            for name in archive.namelist():
                if re.match(r"xl/(?:[^/]+/)*(?:threaded)?comments?\d*\.xml$", name, re.I):
                    text = archive.read(name).decode("utf-8", "replace")
                    out += [("批注", html.unescape(a)) for a in re.findall(r"<(?:\w+:)?author>([^<]+)<", text)]
                    for block in _COMMENT.findall(text):
                        out.append(("批注", html.unescape("".join(_OOXML_T.findall(block)))))
                elif re.match(r"xl/worksheets/[^/]+\.xml$", name):
                    out += _sheet_extras(archive, name, strings, drawn)
                elif name == "xl/workbook.xml":
                    xml = archive.read(name).decode("utf-8", "replace")
                    out += _defined_names(xml)
                    out += [("工作表名称", html.unescape(n)) for n in _SHEET_NAME.findall(xml)]
                elif m := re.match(r"xl/(charts|drawings)/[^/]+\.xml$", name):
                    out += _drawing_text(archive.read(name).decode("utf-8", "replace"),
                                         "图表" if m.group(1) == "charts" else "绘图")
    except (zipfile.BadZipFile, OSError, KeyError) as e:
        raise Unscannable(N_("The spreadsheet is damaged and cannot be read")) from e
    if sum(len(t) for _, t in out) > max_chars:
        raise Unscannable(N_("The document holds more text than the portal checks"))
    return out


def _sheet_extras(archive: zipfile.ZipFile, name: str, strings: _SharedStrings,
                  drawn: dict[bytes, str] | None = None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pending: list[list[tuple[str, str]]] = []
    formats = drawn or {}
    literal = {style for style, code in formats.items() if _LITERAL_DIGIT.search(code)}
    styled = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bs="(' + b"|".join(formats) + rb')"[^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>',
                        re.S) if formats else None

    def take(buf: bytes) -> None:
        for attrs, style, body in styled.findall(buf) if styled else ():
            value = _cell_value(attrs, body, strings)
            shown = drawn_text(formats[style], value, b't="n"' not in attrs and b' t="' in attrs)
            # a percent format alone is read only when it draws a number long enough to be
            # one (a sheet of rates would fill the text cap with 5% … and hide nothing)
            if shown and (style in literal or sum(c.isdigit() for c in shown) >= 11):
                out.append(("数字格式", shown))
        for formula, cached in _FORMULA.findall(buf):
            text = html.unescape(formula.decode("utf-8", "replace"))
            if not cached.strip() and ("&" in text or "CONCAT" in text.upper()) and (parts := _concat_parts(text)):
                pending.append(parts)
            if not _WORTH_SCANNING.search(text):
                continue
            joined = "".join(s.replace('""', '"') for s in _LITERAL.findall(text))
            value = html.unescape(cached.decode("utf-8", "replace"))
            out.extend(("公式", t) for t in (joined, text, value) if t)
        for attrs in _HYPERLINK.findall(buf) if b"hyperlink" in buf else ():
            out.extend(("链接", unquote(html.unescape(v.decode("utf-8", "replace"))))
                       for v in _HYPERLINK_TEXT.findall(attrs) if v.strip())
        for code in _HEADER_FOOTER.findall(buf):
            out.extend(("页眉页脚", t) for t in header_footer_text(code.decode("utf-8", "replace")) if t.strip())
        for attrs, body in _VALIDATION.findall(buf) if b"dataValidation" in buf else ():
            texts = [html.unescape(v.decode("utf-8", "replace")) for v in _VALIDATION_TEXT.findall(attrs)]
            for formula in _VALIDATION_FORMULA.findall(body):
                # a list is "a,b,c": each item alone, not glued into one number
                texts += html.unescape(formula.decode("utf-8", "replace")).strip('"').split(",")
            out.extend(("数据验证", t) for t in texts if t.strip())

    _chunks(archive, name, take)
    if pending:
        values = _cell_values(archive, name, {ref for parts in pending for kind, ref in parts if kind == "ref"},
                              strings)
        out.extend(("公式", "".join(values.get(v, "") if kind == "ref" else v for kind, v in parts))
                   for parts in pending)
    return out


# --- number formats that draw literal digits (attack trial a9) ---------------------------------
# A custom number format shows its quoted or backslash-escaped text around the value:
# "440106198503"000000 or \4\4\0\1… on 120015 shows 440106198503120015, 0"15" adds digits after.
# Only formats with a literal digit are rendered; dates, times and exponents are left alone.
_NUM_FMT = re.compile(r'<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId="(\d+)"[^>]*?\bformatCode="([^"]*)"')
_CELL_XFS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF_FMT = re.compile(r"<(?:\w+:)?xf\b([^>]*)")
_FMT_ID = re.compile(r'\bnumFmtId="(\d+)"')
_LITERAL_DIGIT = re.compile(r'"[^"]*\d[^"]*"|\\\d')


# A percent format draws the value times 100 and a % (attack trial a10, H2: 138001380 under
# 0% shows 13800138000%); 9 and 10 are the built-in 0% and 0.00% (ECMA-376 18.8.30), which a
# workbook uses without declaring them.
_BUILTIN_PERCENT = {"9": "0%", "10": "0.00%"}
_QUOTED = re.compile(r'"[^"]*"?|\\.')


def percent(code: str) -> int:
    """How many % a format draws outside its quoted text: each multiplies the value by 100."""
    return _QUOTED.sub("", code).count("%")


def _drawing_formats(archive: zipfile.ZipFile) -> dict[bytes, str]:
    """Cell style index (the s="…" of a cell) -> its number format, for formats whose literal
    text holds a digit, and percent formats."""
    try:
        xml = archive.read("xl/styles.xml").decode("utf-8", "replace")
    except KeyError:
        return {}
    formats = {**_BUILTIN_PERCENT, **{i: html.unescape(code) for i, code in _NUM_FMT.findall(xml)}}
    formats = {i: code for i, code in formats.items() if _LITERAL_DIGIT.search(code) or percent(code)}
    if not formats:
        return {}
    xfs = _CELL_XFS.search(xml)
    out: dict[bytes, str] = {}
    for n, attrs in enumerate(_XF_FMT.findall(xfs.group(1)) if xfs else ()):
        fmt = _FMT_ID.search(attrs)
        if fmt and fmt.group(1) in formats:
            out[str(n).encode()] = formats[fmt.group(1)]
    return out


def _sections(code: str) -> list[str]:
    """A format's ;-separated sections (a ; inside quotes or after a backslash is text)."""
    parts, cur, i = [], [], 0
    while i < len(code):
        c = code[i]
        if c == '"':
            j = code.find('"', i + 1)
            j = len(code) - 1 if j < 0 else j
            cur.append(code[i:j + 1])
            i = j + 1
            continue
        if c == "\\":
            cur.append(code[i:i + 2])
            i += 2
            continue
        if c == ";":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    return parts + ["".join(cur)]


def drawn_text(code: str, value: str, is_text: bool) -> str | None:
    """The text a cell shows under a number format: its literal text and the value in its
    digit placeholders (0 # ?) or text placeholder (@). None when the format is not one
    this reads (dates, times, exponents) or the value is no number."""
    sections = _sections(code)
    number: float | Decimal = 0.0
    if is_text:
        section = sections[3] if len(sections) > 3 else next((x for x in sections if "@" in x), None)
        if section is None:
            return None
    else:
        try:
            number = float(value)
        except ValueError:
            return None
        section = sections[1] if number < 0 and len(sections) > 1 else sections[0]
        if shifts := percent(section):
            try:  # exactly: 1380013.8 × 100 is no float
                number = Decimal(value.strip()).scaleb(2 * shifts)
            except (InvalidOperation, ValueError):
                return None
        if number < 0 and len(sections) > 1:
            number = -number  # the negative section draws its own sign
    tokens: list[tuple[str, str]] = []  # ("lit", text), ("int"|"frac", placeholder), ("text", "")
    frac = False
    i = 0
    while i < len(section):
        c = section[i]
        if c == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            tokens.append(("lit", section[i + 1:j]))
            i = j + 1
            continue
        if c == "\\":
            tokens.append(("lit", section[i + 1:i + 2]))
        elif c in "_*":  # padding and fill: the next character is no text
            pass
        elif c == "[":
            j = section.find("]", i)
            i = len(section) if j < 0 else j + 1
            continue
        elif c in "0#?":
            tokens.append(("frac" if frac else "int", c))
        elif c == ".":
            frac = True
            tokens.append(("lit", "."))
        elif c == "@":
            tokens.append(("text", ""))
        elif c.isalpha():
            return None  # a date, a time, an exponent
        elif c != ",":
            tokens.append(("lit", c))
        i += 2 if c in "\\_*" else 1
    if is_text:
        return "".join(v if k == "lit" else value if k == "text" else "" for k, v in tokens)
    n_frac = sum(k == "frac" for k, _ in tokens)
    whole, _, fraction = f"{number:.{n_frac}f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-").lstrip("0")
    places = [n for n, (k, _) in enumerate(tokens) if k == "int"]
    shown = {}
    for n in reversed(places):  # right to left; the leftmost placeholder takes what is left
        c = tokens[n][1]
        shown[n] = digits[-1:] if digits else ("0" if c == "0" else " " if c == "?" else "")
        digits = digits[:-1]
    if places:
        shown[places[0]] = sign + digits + shown[places[0]]
    rest = iter(fraction)
    out = []
    for n, (k, v) in enumerate(tokens):
        out.append(v if k == "lit" else shown.get(n, "") if k == "int" else next(rest, "0") if k == "frac" else "")
    return "".join(out)


def _cell_value(attrs: bytes, body: bytes, strings: _SharedStrings) -> str:
    """A cell's stored value: its text (shared or inline) or its number as written."""
    kind = re.search(rb'\bt="(\w+)"', attrs)
    t = kind.group(1) if kind else b"n"
    if t == b"inlineStr":
        return html.unescape("".join(_OOXML_T.findall(body.decode("utf-8", "replace"))))
    v = _CELL_V.search(body)
    raw = html.unescape(v.group(1).decode("utf-8", "replace")) if v else ""
    return strings[int(raw)] if t == b"s" and raw.isdigit() else raw


def _chunks(archive: zipfile.ZipFile, name: str, take: Any) -> None:
    """A sheet's XML in pieces of about 1 MB, each ending after a cell."""
    carry = b""
    with archive.open(name) as src:
        while chunk := src.read(1 << 20):
            buf = carry + chunk
            cut = buf.rfind(b"</c>") + 4 if b"</c>" in buf else 0
            take(buf[:cut])
            carry = buf[cut:]
    take(carry)


# A formula that only joins cells of its own sheet and literals: =A1&B1, =CONCATENATE(A1,"0",B1).
# Joining is all it does, so its value is its parts in order; anything else (other functions,
# arithmetic, other sheets) needs a formula engine and is read only as text (above).
_CONCAT_TOKEN = re.compile(r'\s*(?:(\$?[A-Z]{1,3}\$?[1-9]\d{0,6})(?![\w(!])|"((?:[^"]|"")*)"|(\d+)(?![\w.])'
                           r'|(?:_xlfn\.)?CONCAT(?:ENATE)?\s*\(|([&,)]))', re.I)
_CONCAT_FORMULA = re.compile(f"(?:{_CONCAT_TOKEN.pattern})+\\s*", re.I)
_VALIDATION = re.compile(rb"<(?:\w+:)?dataValidation\b([^>]*)>(.*?)</(?:\w+:)?dataValidation>", re.S)
_VALIDATION_TEXT = re.compile(rb'\b(?:prompt|promptTitle|error|errorTitle)="([^"]*)"')
_VALIDATION_FORMULA = re.compile(rb"<(?:\w+:)?formula[12]>([^<]*)<")
_CELL_PREFIX = re.compile(rb'<(\w+:)?c r="')
_CELL_V = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


def formula_literals(cell: str) -> str | None:
    """What a formula of string literals and numbers only builds, as a spreadsheet shows a CSV
    cell holding it (``="440106"&"198503120015"``, ``=CONCATENATE("4401061985","03120015")``,
    ``="13800138000"``); None for any other text or formula (cells, functions, arithmetic)."""
    if not cell.startswith("="):
        return None
    parts = _concat_parts(cell, literals_only=True)
    return "".join(v for _, v in parts) if parts else None


def _concat_parts(formula: str, literals_only: bool = False) -> list[tuple[str, str]] | None:
    """("ref", "A1") and ("lit", text) in order, when the formula only joins; else None.
    ``literals_only``: only literals, joined or a single one (a CSV cell: no cells to read)."""
    text = formula.lstrip("=").rstrip()
    if not _CONCAT_FORMULA.fullmatch(text):
        return None
    parts: list[tuple[str, str]] = []
    joins = 0
    for ref, literal, number, sign in _CONCAT_TOKEN.findall(text):
        if ref:
            parts.append(("ref", ref.replace("$", "").upper()))
        elif literal or number:
            parts.append(("lit", literal.replace('""', '"') or number))
        elif sign in ("", "&"):
            joins += 1  # a CONCAT( or an &
    if literals_only:
        return parts if parts and all(k == "lit" for k, _ in parts) and (joins or len(parts) == 1) else None
    return parts if joins and any(k == "ref" for k, _ in parts) else None


class _SharedStrings:
    """A workbook's shared strings, read only when a formula needs a cell's text."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._items: list[str] | None = None

    def __getitem__(self, index: int) -> str:
        if self._items is None:
            try:
                xml = self.archive.read("xl/sharedStrings.xml").decode("utf-8", "replace")
            except KeyError:
                xml = ""
            self._items = [html.unescape("".join(_OOXML_T.findall(si)))
                           for si in re.findall(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", xml, re.S)]
        return self._items[index] if 0 <= index < len(self._items) else ""


def _cell_values(archive: zipfile.ZipFile, name: str, refs: set[str], strings: _SharedStrings) -> dict[str, str]:
    """The displayed value of the given cells of a sheet (text, or a number as Excel writes it)."""
    out: dict[str, str] = {}
    wanted = {r.encode() for r in refs}
    columns = b"|".join(sorted({re.sub(rb"\d", b"", r) for r in wanted}))
    cells: list[re.Pattern[bytes]] = []

    def take(buf: bytes) -> None:
        if not cells:  # only the wanted columns' cells, with the sheet's namespace prefix if any
            first = _CELL_PREFIX.search(buf)
            if first is None:
                return
            prefix = re.escape(first.group(1) or b"")
            cells.append(re.compile(rb"<" + prefix + rb'c r="((?:' + columns + rb')\d+)"([^>]*?)(?:/>|>(.*?)</'
                                    + prefix + rb"c>)", re.S))
        for ref, attrs, body in cells[0].findall(buf):
            if ref not in wanted:
                continue
            kind = re.search(rb'\bt="(\w+)"', attrs)
            t = kind.group(1) if kind else b"n"
            if t == b"inlineStr":
                value = html.unescape("".join(_OOXML_T.findall(body.decode("utf-8", "replace"))))
            else:
                v = _CELL_V.search(body)
                raw = html.unescape(v.group(1).decode("utf-8", "replace")) if v else ""
                value = strings[int(raw)] if t == b"s" and raw.isdigit() else _number_text(raw) if t == b"n" else raw
            out[ref.decode()] = value

    _chunks(archive, name, take)
    return out


def _number_text(raw: str) -> str:
    """A stored number as a joined formula shows it: 4401061985, not 4401061985.0."""
    try:
        number = float(raw)
    except ValueError:
        return raw
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else raw


def _defined_names(xml: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for attrs, value in re.findall(r"<(?:\w+:)?definedName\b([^>]*)>([^<]*)<", xml):
        out += [("名称", html.unescape(n)) for n in re.findall(r'\bname="([^"]*)"', attrs)]
        out.append(("名称", html.unescape(value)))
        out += [("名称", s.replace('""', '"')) for s in _LITERAL.findall(html.unescape(value))]
    return out


def _drawing_text(xml: str, part: str) -> list[tuple[str, str]]:
    """A chart's or drawing's text nodes (titles, labels, cached series values, shapes' text)
    and alt text (``descr``, ``title``)."""
    texts = [html.unescape(t) for t in _XML_TEXT.findall(xml)]
    texts += [html.unescape(t) for t in re.findall(r'\b(?:descr|title)="([^"]+)"', xml)]
    return [(part, t) for t in texts if t.strip()]


def docx_extras(document: Any, archive_path: str) -> list[tuple[str, str]]:
    """A Word document's headers and footers (every section, first-page and even-page ones too;
    python-docx), its document properties and its external link targets."""
    out: list[tuple[str, str]] = []
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if part.is_linked_to_previous:  # no definition of its own: nothing to read
                continue
            out += [("页眉页脚", p.text) for p in part.paragraphs if p.text.strip()]
            out += [("页眉页脚", cell.text) for t in part.tables for row in t.rows for cell in row.cells
                    if cell.text.strip()]
    with zipfile.ZipFile(archive_path) as archive:
        out += package_properties(archive)
        out += external_links(archive, "word/")
    out += docx_hidden_text(document)
    return out


# --- Word text python-docx's paragraphs leave out ------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_NOTES = {"footnotes": "脚注", "endnotes": "尾注", "comments": "批注"}
_SPACE = re.compile(r"\s")
_DOCX_BODY = re.compile(r"/word/(?:document|header\d*|footer\d*)\.xml$")
# an image's or shape's alt text (wp:docPr, pic:cNvPr descr/title) and a link's tooltip
_DOCX_ALT = ("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr",
             "{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr", _W + "hyperlink")
_DOCX_ALT_ATTRS = ("descr", "title", _W + "tooltip")


def _hidden_run(el: Any) -> bool:
    """Whether a w:t is in a run formatted hidden (w:vanish, not switched off by w:val)."""
    run = next(el.iterancestors(_W + "r"), None)
    vanish = run.find(f"{_W}rPr/{_W}vanish") if run is not None else None
    return vanish is not None and vanish.get(_W + "val", "true") not in ("0", "false", "off")


def _paragraph_texts(root: Any) -> dict[Any, tuple[str, str, str]]:
    """Each w:p of an XML part -> (its text runs joined, its field codes joined, the text Word
    shows: without hidden runs): text grouped by its nearest paragraph, so a text box's text is
    not glued to the paragraph holding it."""
    runs: dict[Any, list[str]] = {}
    shown: dict[Any, list[str]] = {}
    codes: dict[Any, list[str]] = {}
    for el in root.iter(_W + "t", _W + "delText", _W + "instrText"):
        p = next(el.iterancestors(_W + "p"), None)
        if p is not None and el.text:
            (codes if el.tag == _W + "instrText" else runs).setdefault(p, []).append(el.text)
            if el.tag == _W + "t" and not _hidden_run(el):
                shown.setdefault(p, []).append(el.text)
    return {p: ("".join(runs.get(p, [])), " ".join(codes.get(p, [])), "".join(shown.get(p, [])))
            for p in {*runs, *codes}}


def docx_hidden_text(document: Any) -> list[tuple[str, str]]:
    """Footnotes, endnotes and comments (and their authors); text boxes (w:txbxContent, also
    both branches of mc:AlternateContent); field codes and the results of simple fields; text in
    content controls and tracked changes; images' alt text and links' tooltips: the body,
    header and footer parts read again as XML
    (python-docx's parser, lxml), keeping what its ``paragraphs`` leave out."""
    from docx.oxml.parser import parse_xml
    out: list[tuple[str, str]] = []
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        note = _DOCX_NOTES.get(name.rsplit("/", 1)[-1].removesuffix(".xml")) if name.startswith("/word/") else None
        if note is None and not _DOCX_BODY.search(name):
            continue
        root = part.element if hasattr(part, "element") else parse_xml(part.blob)
        if note is not None:
            out += [(note, str(el.get(a))) for el in root.iter() for a in (_W + "author", _W + "initials")
                    if (el.get(a) or "").strip()]
        out += [("替代文字", str(el.get(a))) for el in root.iter(*_DOCX_ALT) for a in _DOCX_ALT_ATTRS
                if (el.get(a) or "").strip()]
        # a link to a place in the document (w:anchor) and the bookmarks such links name
        out += [("链接", unquote(str(el.get(a)))) for el in root.iter(_W + "hyperlink", _W + "bookmarkStart")
                for a in (_W + "anchor", _W + "name") if (el.get(a) or "").strip()]
        for p, (text, code, shown) in _paragraph_texts(root).items():
            if code.strip():
                out.append(("域代码", code))
            if _SPACE.sub("", shown) != _SPACE.sub("", text) and shown.strip():
                # hidden runs between the digits: what Word shows joins them (attack trial a10)
                out.append(("隐藏文字", shown))
            if not text.strip():
                continue
            if note is not None:
                out.append((note, text))
            elif any(a.tag == _W + "txbxContent" for a in p.iterancestors()):
                out.append(("文本框", text))
            elif _SPACE.sub("", text) != _SPACE.sub("", getattr(p, "text", text)) \
                    or p.getparent().tag == _W + "sdtContent":
                out.append(("域与修订", text))  # simple fields, content controls, insertions
    return list(dict.fromkeys(out))  # a text box is stored twice under mc:AlternateContent


def pdf_extras(path: str, max_chars: int) -> list[tuple[str, str]]:
    """A PDF's document information (Author, Title, Subject, Keywords, Creator ...), the text
    of its annotations (/Contents, /T, /Subj) and its links' targets (/URI), its form fields,
    XMP metadata and outline."""
    import pypdf
    from pypdf.errors import PyPdfError

    from .filescan import Unscannable
    out: list[tuple[str, str]] = []
    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        for value in (reader.metadata or {}).values():
            if isinstance(value, str) and value.strip():
                out.append(("文档属性", str(value)))
        for n, page in enumerate(reader.pages, 1):
            for annot in page.get("/Annots") or []:
                obj = annot.get_object()
                for key in ("/Contents", "/T", "/Subj"):
                    value = obj.get(key)
                    if isinstance(value, str) and value.strip():
                        out.append((f"第{n}页 批注", str(value)))
                action = obj.get("/A")
                action = action.get_object() if action is not None else None
                uri = action.get("/URI") if isinstance(action, dict) else None
                if isinstance(uri, bytes):  # a URI is ASCII by the spec; GBK or UTF-8 when not
                    uri = uri.decode("utf-8", "replace")
                if isinstance(uri, str) and uri.strip():  # a link's target: the reader follows it
                    out.append((f"第{n}页 链接", unquote(str(uri))))
        out += _pdf_form_xmp_outline(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        raise Unscannable(N_("The PDF is damaged and cannot be read")) from e
    if sum(len(t) for _, t in out) > max_chars:
        raise Unscannable(N_("The PDF holds more text than the portal checks"))
    return out


def _pdf_form_xmp_outline(reader: Any) -> list[tuple[str, str]]:
    """Form fields (names, values, default values, tooltips, choices), the XMP metadata stream
    (every text node: dc:creator, custom properties ...) and the outline's titles."""
    out: list[tuple[str, str]] = []
    for name, fld in (reader.get_fields() or {}).items():
        texts = [name] + [fld.get(k) for k in ("/V", "/DV", "/TU")] + list(fld.get("/Opt") or [])
        for value in texts:
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v.strip():
                    out.append(("表单", str(v)))
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is not None:
        xml = metadata.get_object().get_data().decode("utf-8", "replace")
        out += [("XMP元数据", html.unescape(t)) for t in _XML_TEXT.findall(xml) if t.strip()]

    def titles(items: Any, depth: int = 0) -> None:
        for item in items:
            if isinstance(item, list):
                if depth < 50:
                    titles(item, depth + 1)
            elif isinstance(getattr(item, "title", None), str) and item.title.strip():
                out.append(("书签", str(item.title)))

    titles(reader.outline)
    return out


def pdf_attachments(path: str, max_bytes: int) -> list[tuple[str, bytes]]:
    """A PDF's embedded files (its EmbeddedFiles), name and content, at most ``max_bytes`` in
    all: each is scanned as an upload of its kind (filescan.py)."""
    import pypdf
    from pypdf.errors import PyPdfError

    from .filescan import Unscannable
    out: list[tuple[str, bytes]] = []
    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        total = 0
        for name, contents in reader.attachments.items():
            for content in contents:
                total += len(content)
                if total > max_bytes:
                    raise Unscannable(N_("The PDF's attached files are larger than the portal checks"))
                out.append((str(name), content))
    except Unscannable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        raise Unscannable(N_("The PDF is damaged and cannot be read")) from e
    return out
