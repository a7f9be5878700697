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
from typing import Any

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
            text = page.extract_text() or ""
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


def package_properties(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The document properties of an Office Open XML file (docProps/core.xml: author, title,
    subject, keywords ...; app.xml: company, manager; custom.xml)."""
    out: list[tuple[str, str]] = []
    for name in archive.namelist():
        if name.startswith("docProps/") and name.endswith(".xml"):
            text = archive.read(name).decode("utf-8", "replace")
            out += [("文档属性", html.unescape(t)) for t in _XML_TEXT.findall(text) if t.strip()]
    return out


def header_footer_text(code: str) -> list[str]:
    """An Excel header or footer without its codes (&L &C &P &"Arial,Bold" ...). A font size
    (&12) has no end mark, so a number right after it is read with 0 to 3 digits dropped."""
    plain = _CODES.sub(" ", html.unescape(code)).replace("&&", "&")
    return sorted({re.sub(rf"&\d{{{k}}}", " ", plain) for k in range(4)})


def xlsx_extras(path: str, max_chars: int) -> list[tuple[str, str]]:
    """A workbook's cell comments, print headers and footers, document properties, and the text
    of formulas that hold text or long numbers: their string literals joined (what
    CONCATENATE/& builds), the formula itself and its cached value. Sheets are read in chunks
    with a byte pattern, not parsed a second time."""
    from .filescan import Unscannable
    out: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(path) as archive:
            out += package_properties(archive)
            for name in archive.namelist():
                if re.match(r"xl/(?:[^/]+/)*(?:threaded)?comments?\d*\.xml$", name, re.I):
                    text = archive.read(name).decode("utf-8", "replace")
                    out += [("批注", html.unescape(a)) for a in re.findall(r"<(?:\w+:)?author>([^<]+)<", text)]
                    for block in _COMMENT.findall(text):
                        out.append(("批注", html.unescape("".join(_OOXML_T.findall(block)))))
                elif re.match(r"xl/worksheets/[^/]+\.xml$", name):
                    out += _sheet_extras(archive, name)
    except (zipfile.BadZipFile, OSError, KeyError) as e:
        raise Unscannable(N_("The spreadsheet is damaged and cannot be read")) from e
    if sum(len(t) for _, t in out) > max_chars:
        raise Unscannable(N_("The document holds more text than the portal checks"))
    return out


def _sheet_extras(archive: zipfile.ZipFile, name: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def take(buf: bytes) -> None:
        for formula, cached in _FORMULA.findall(buf):
            text = html.unescape(formula.decode("utf-8", "replace"))
            if not _WORTH_SCANNING.search(text):
                continue
            joined = "".join(s.replace('""', '"') for s in _LITERAL.findall(text))
            value = html.unescape(cached.decode("utf-8", "replace"))
            out.extend(("公式", t) for t in (joined, text, value) if t)
        for code in _HEADER_FOOTER.findall(buf):
            out.extend(("页眉页脚", t) for t in header_footer_text(code.decode("utf-8", "replace")) if t.strip())

    carry = b""
    with archive.open(name) as src:
        while chunk := src.read(1 << 20):
            buf = carry + chunk
            cut = buf.rfind(b"</c>") + 4 if b"</c>" in buf else 0
            take(buf[:cut])
            carry = buf[cut:]
    take(carry)
    return out


def docx_extras(document: Any, archive_path: str) -> list[tuple[str, str]]:
    """A Word document's headers and footers (every section, first-page and even-page ones too;
    python-docx) and its document properties."""
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
    return out


def pdf_extras(path: str, max_chars: int) -> list[tuple[str, str]]:
    """A PDF's document information (Author, Title, Subject, Keywords, Creator ...) and the
    text of its annotations (/Contents, /T, /Subj)."""
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
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        raise Unscannable(N_("The PDF is damaged and cannot be read")) from e
    if sum(len(t) for _, t in out) > max_chars:
        raise Unscannable(N_("The PDF holds more text than the portal checks"))
    return out
