"""What reading a PDF's pages twice costs (issue 14, attack trial a10: a number drawn in parts
out of order reads right only in drawn order, pypdf's layout mode; safety/documents.py
``pdf_pages``).

    .venv/bin/python bench/safety_pdf.py [--pages 200]

Builds a text PDF (Helvetica, 55 lines of figures a page), then times, in one process, each
page's text read once in stored order (``extract_text()``, what ``pdf_pages`` did before:
"before") and ``pdf_pages`` as it is now ("after"). Median of three; prints seconds and the
after/before ratio. No CKAN needed.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ckanext-guangdong"))


def text_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for n in range(pages):
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
        lines = [f"{n}-{i} value {i * 37} total {i * 1234} name abc def" for i in range(55)]
        stream = DecodedStreamObject()
        stream.set_data(("BT /F1 11 Tf 50 800 Td 14 TL " + " ".join(f"({ln}) '" for ln in lines)
                         + " ET").encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_order_only(path: str) -> int:
    import pypdf
    return sum(len(p.extract_text() or "") for p in pypdf.PdfReader(path).pages)


def both_orders(path: str) -> int:
    from ckanext.guangdong.safety.documents import pdf_pages
    return sum(len(t) for t in pdf_pages(path, 10**9, 10**6))


def median_seconds(fn, path: str) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(text_pdf(args.pages))
        f.flush()
        before = median_seconds(stored_order_only, f.name)
        after = median_seconds(both_orders, f.name)
    print(f"PDF of {args.pages} pages: before (stored order) {before:.2f} s, after (stored and drawn "
          f"order) {after:.2f} s, ratio {after / before:.2f}")


if __name__ == "__main__":
    main()
