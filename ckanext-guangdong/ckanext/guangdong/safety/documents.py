"""The text of documents, for the content scan (filescan.py): PDF through pypdf, Word (DOCX)
through python-docx, both maintained libraries (requirements.txt). Each reader is used only
when its library can be imported; without it the file stays unscannable and is held
(``hold_unscannable``), as before. Bounded: pages, and text no longer than the data feature's
size limit. Errors name the problem with a message id of our catalog (``Unscannable``)."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator

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


def docx_content(path: str, max_chars: int) -> tuple[str, list[list[list[str]]]]:
    """A Word document's paragraph text and its tables (rows of cell text)."""
    import docx

    from .filescan import Unscannable
    try:
        document = docx.Document(path)
        text = "\n".join(p.text for p in document.paragraphs)
        tables = [[[cell.text.strip() for cell in row.cells] for row in table.rows]
                  for table in document.tables]
    except Exception as e:  # zip, XML and package errors: python-docx has no common base
        raise Unscannable(N_("The document is damaged and cannot be read")) from e
    if len(text) + sum(len(c) for t in tables for r in t for c in r) > max_chars:
        raise Unscannable(N_("The document holds more text than the portal checks"))
    return text, tables
