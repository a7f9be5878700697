"""What reading an XLSX's parts beside its cells costs (issue 14: comments, headers/footers,
properties, formulas; safety/documents.py ``xlsx_extras``).

    .venv/bin/python bench/safety.py --mb 1 --no-write --presidio-rows 0 --skip-corpus  # writes the XLSX
    .venv/bin/python bench/safety_parts.py [bench/out/people-1mb.xlsx]

In one process with CKAN loaded: the data feature's prepare and the scan of the prepared CSV
(what the worker did before, "before"), then ``xlsx_extras`` on the same file ("after" adds
it); the same for a copy with two formulas per row (=SUM and a CONCATENATE of text). Median of
three; prints seconds and the after/before ratio.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ckanext-guangdong"))


def main() -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    make_app(load_config(str(Path(os.environ.get("GD_VAR", ROOT / "var")) / "test.ini")))
    import openpyxl

    from ckanext.guangdong.data.prepare import prepare
    from ckanext.guangdong.safety import documents
    from ckanext.guangdong.safety.job import scan_csv
    src = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "bench" / "out" / "people-1mb.xlsx")
    book = openpyxl.load_workbook(src)
    ws = book.active
    assert ws is not None
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 11, f"=SUM(A{r},I{r})")
        ws.cell(r, 12, f'=CONCATENATE(B{r},"-","{r:06d}")')
    tmp = tempfile.mkdtemp()
    formulas = os.path.join(tmp, "formulas.xlsx")
    book.save(formulas)
    for path in (src, formulas):
        base, extra = [], []
        for i in range(3):
            t0 = time.perf_counter()
            prepared = prepare(path, "XLSX", os.path.join(tmp, f"d{i}.csv"), max_rows=10**8)
            scan_csv(prepared.path, list(prepared.names))
            t1 = time.perf_counter()
            documents.xlsx_extras(path, 10**9)
            t2 = time.perf_counter()
            base.append(t1 - t0)
            extra.append(t2 - t1)
        b, e = statistics.median(base), statistics.median(extra)
        print(f"{os.path.basename(path)} {os.path.getsize(path) / 1e6:.2f} MB: prepare + scan {b:.2f} s, "
              f"parts {e:.3f} s, after/before {(b + e) / b:.3f}")


if __name__ == "__main__":
    main()
