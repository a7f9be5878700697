"""Publishing-safety benchmark (issue 14, items 2 and 7).

    .venv/bin/python bench/safety.py [--mb 100] [--xlsx-mb 20] [--presidio-rows 2000] [--no-write]

Needs presidio-analyzer for the baseline (bench tooling only, never imported by the portal),
installed beside the .venv so it cannot change the portal's packages (docs/benchmarks.md,
"Publishing safety", has the steps): ``PYTHONPATH=var/presidio-lib .venv/bin/python bench/safety.py``.
Without it the figures are ours alone.

1. **Precision and recall** on the labelled corpus of tests/safety/safety_corpus.py at full size
   (220 columns x 500 cells = 110,000 cells, Faker zh_CN), per detector, per column verdict and
   per cell: ours, and Presidio's recognizers on the same cells where Presidio has one
   (EMAIL_ADDRESS, PHONE_NUMBER with region CN, CREDIT_CARD; PERSON and LOCATION need a spaCy
   NER model, and none for Chinese can be installed here, so Presidio runs on a blank Chinese
   spaCy pipeline and finds no names or addresses). Presidio's column verdict uses the same
   share rule as ours (at least half of the non-empty cells), without header hints.
2. **Throughput**: a table of people (姓名, 身份证号码, 手机号码, 家庭住址, 银行卡号, dates,
   amounts, notes) of about --mb MB as CSV, and the same rows as XLSX. Each is scanned as the
   worker does it, in a fresh process with CKAN loaded: the data feature's prepare (encoding,
   header, types: the parse the load job does anyway) then the scan of the prepared CSV
   (safety/job.py ``scan_csv``). Reported: MB/s and rows/s of the scan alone and of parse +
   scan, and the process's peak RSS before and after. Presidio analyses the first
   --presidio-rows rows of the same table in the same run (every cell, its entities above).
Figures are printed and written to the "## Publishing safety" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("GD_VAR", ROOT / "var"))
INI = VAR / "test.ini"
OUT = ROOT / "bench" / "out"
for extra in (ROOT / "tests" / "safety", ROOT / "ckanext-guangdong"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

HEADER = ["序号", "姓名", "身份证号码", "手机号码", "家庭住址", "银行卡号", "办理事项", "办理日期", "金额", "备注"]
MATTERS = ["社保卡补办", "居住证办理", "医保报销", "公积金提取", "户籍迁入", "老年人优待证"]


def uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- presidio -----------------------------------------------------------------------------------
def presidio_engine() -> Any:
    """Presidio's AnalyzerEngine on a blank Chinese spaCy pipeline (no NER model), with its
    predefined recognizers for zh: e-mail, phone (regions CN), credit card."""
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, EmailRecognizer, PhoneRecognizer
    try:  # presidio-analyzer 2.2.36x moved the generic recognizers into a package
        import presidio_analyzer.predefined_recognizers.generic.email_recognizer as email_mod
    except ImportError:
        import presidio_analyzer.predefined_recognizers.email_recognizer as email_mod
    # tldextract would download the public suffix list; use the snapshot it ships
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    for module in (email_mod,):
        if hasattr(module, "tldextract"):
            module.tldextract.extract = offline  # type: ignore[attr-defined]

    class BlankChinese(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"zh": spacy.blank("zh")}

    nlp = BlankChinese(models=[{"lang_code": "zh", "model_name": "blank"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for recognizer in (EmailRecognizer(supported_language="zh"),
                       PhoneRecognizer(supported_language="zh", supported_regions=("CN",)),
                       CreditCardRecognizer(supported_language="zh")):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["zh"])


PRESIDIO_KINDS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "mobile", "CREDIT_CARD": "bank_card"}


def presidio_cell(engine: Any, value: str) -> set[str]:
    if not value:
        return set()
    found = engine.analyze(text=value, language="zh", entities=list(PRESIDIO_KINDS))
    return {PRESIDIO_KINDS[r.entity_type] for r in found if r.score >= 0.4}


def presidio_judge(engine: Any) -> Any:
    def judge(table: Any) -> tuple[dict[int, set[str]], list[list[set[str]]]]:
        verdicts, cells = {}, []
        for i, col in enumerate(table.columns):
            kinds = [presidio_cell(engine, v) for v in col.cells]
            cells.append(kinds)
            nonempty = sum(1 for v in col.cells if v) or 1
            verdicts[i] = {k for k in PRESIDIO_KINDS.values() if sum(k in c for c in kinds) / nonempty >= 0.5}
        return verdicts, cells
    return judge


# --- the corpus ---------------------------------------------------------------------------------
def corpus_section(with_presidio: bool) -> str:
    import safety_corpus
    import safety_eval

    from ckanext.guangdong.safety import detectors as d
    tables = safety_corpus.make_corpus(columns=220, cells=500, seed=14)
    n_cols = sum(len(t.columns) for t in tables)
    n_cells = sum(len(c.cells) for t in tables for c in t.columns)
    started = time.perf_counter()
    ours = safety_eval.evaluate(tables, safety_eval.ours())
    ours_s = time.perf_counter() - started
    lines = [f"Corpus: {n_cols} columns, {n_cells:,} cells in {len(tables)} tables "
             f"(tests/safety/safety_corpus.py, seed 14); {sum(bool(c.kinds) for t in tables for c in t.columns)} "
             "columns hold personal data, the others are decoys.", "",
             f"**Ours** (scored in {ours_s:.1f} s):", ""] + safety_eval.table_lines(ours)
    if ours.false_columns or ours.missed_columns:
        lines += ["", f"False columns: {ours.false_columns}; missed: {ours.missed_columns}"]
    if with_presidio:
        engine = presidio_engine()
        started = time.perf_counter()
        theirs = safety_eval.evaluate(tables, presidio_judge(engine), list(PRESIDIO_KINDS.values()))
        took = time.perf_counter() - started
        lines += ["", f"**Presidio** {presidio_version()} (recognizers: e-mail, phone with region CN, credit "
                  f"card; no Chinese NER model; scored in {took:.1f} s):", ""]
        lines += safety_eval.table_lines(theirs, list(PRESIDIO_KINDS.values()))
        lines += ["", "Presidio has no recognizer for 居民身份证号, passports and permits, plates, and "
                  "(without a Chinese NER model) names and addresses: those rows are ours alone."]
        lines += ["", "Where Presidio flags columns it should not: " +
                  (", ".join(sorted({x.split(" (")[1].split(")")[0] + " as " + x.rsplit(" ", 1)[1]
                                     for x in theirs.false_columns})) or "none")]
    del d
    return "\n".join(lines)


# --- the throughput tables ---------------------------------------------------------------------
def make_pools(seed: int = 7, size: int = 20_000) -> dict[str, list[str]]:
    from safety_corpus import Makers
    m = Makers(seed)
    return {"name": [m.name() for _ in range(size)], "id": [m.id18() for _ in range(size)],
            "mobile": [m.mobile() for _ in range(size)], "address": [m.address() for _ in range(size)],
            "card": [m.bank_card() for _ in range(size)], "date": [m.date() for _ in range(size)]}


def make_rows(pools: dict[str, list[str]], target_bytes: int, seed: int = 11):  # type: ignore[no-untyped-def]
    r = random.Random(seed)
    written, i = 0, 0
    while written < target_bytes:
        i += 1
        row = [str(i), r.choice(pools["name"]), r.choice(pools["id"]), r.choice(pools["mobile"]),
               r.choice(pools["address"]), r.choice(pools["card"]), r.choice(MATTERS),
               r.choice(pools["date"]), f"{r.uniform(10, 99999):.2f}", "已办结" if i % 7 else "材料待补正"]
        written += sum(len(c.encode("utf-8")) for c in row) + len(row)
        yield row


def write_files(mb: float, xlsx_mb: float | None = None) -> tuple[Path, Path, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    xlsx_mb = mb if xlsx_mb is None else min(mb, xlsx_mb)
    csv_path, xlsx_path = OUT / f"people-{mb:g}mb.csv", OUT / f"people-{xlsx_mb:g}mb.xlsx"
    pools = make_pools()
    rows = 0
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in make_rows(pools, int(mb * 1_000_000)):
            w.writerow(row)
            rows += 1
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    budget = int(xlsx_mb * 1_000_000)  # the CSV's first rows, as many bytes of them
    with open(csv_path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            sheet.append(row)
            budget -= sum(len(c.encode("utf-8")) for c in row) + len(row)
            if budget <= 0:
                break
    book.save(xlsx_path)
    return csv_path, xlsx_path, rows


CHILD = r"""
import json, os, resource, sys, time, tempfile
sys.path.insert(0, {ext!r})
from ckan.cli import load_config
from ckan.config.middleware import make_app
make_app(load_config({ini!r}))
rss_ckan = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from ckanext.guangdong.data.prepare import prepare
from ckanext.guangdong.safety.job import scan_csv
path, fmt = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
t0 = time.perf_counter()
prepared = prepare(path, fmt, os.path.join(tmp, "data.csv"), max_rows=10**8)
t1 = time.perf_counter()
findings, rows = scan_csv(prepared.path, list(prepared.names))
t2 = time.perf_counter()
print(json.dumps({{"parse_s": t1 - t0, "scan_s": t2 - t1, "rows": rows,
                  "prepared_bytes": os.path.getsize(prepared.path),
                  "findings": [(f["column"], f["detector"], f["count"]) for f in findings],
                  "rss_ckan_mb": rss_ckan / 1024,
                  "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def scan_in_worker_process(path: Path, fmt: str) -> dict[str, Any]:
    code = CHILD.format(ext=str(ROOT / "ckanext-guangdong"), ini=str(INI))
    done = subprocess.run([sys.executable, "-c", code, str(path), fmt], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def presidio_throughput(engine: Any, path: Path, rows: int) -> dict[str, Any]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        sample = [next(reader) for _ in range(rows)]
    size = sum(len(c.encode("utf-8")) for r in sample for c in r) + sum(len(r) for r in sample)
    started = time.perf_counter()
    hits = 0
    for row in sample:
        for cell in row:
            hits += bool(presidio_cell(engine, cell))
    took = time.perf_counter() - started
    # ours on the very same sample, in this process, for the ratio
    from ckanext.guangdong.safety.scanner import TableScan
    scan = TableScan(HEADER)
    t0 = time.perf_counter()
    scan.add_rows(sample)
    scan.findings()
    ours = time.perf_counter() - t0
    return {"rows": rows, "bytes": size, "presidio_s": took, "ours_s": ours, "cells_with_hits": hits}


def presidio_version() -> str:
    try:
        from importlib.metadata import version
        return version("presidio-analyzer")
    except Exception:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--xlsx-mb", type=float, default=None,
                        help="the XLSX holds the first rows of the CSV up to this size (default: all of "
                             "them); its parse is slow, about 6 s per MB on a quiet core")
    parser.add_argument("--presidio-rows", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    load_before = uptime()
    try:
        import presidio_analyzer  # noqa: F401
        with_presidio = True
    except ImportError:
        print("presidio-analyzer is not installed: no baseline (see this file's docstring)", file=sys.stderr)
        with_presidio = False
    parts = []
    if not args.skip_corpus:
        parts.append("### Precision and recall\n\n" + corpus_section(with_presidio))
        print(parts[-1], flush=True)
    started = time.perf_counter()
    csv_path, xlsx_path, rows = write_files(args.mb, args.xlsx_mb)
    made = time.perf_counter() - started
    same = "the same rows" if args.xlsx_mb is None or args.xlsx_mb >= args.mb else \
        f"the CSV's first {args.xlsx_mb:g} MB of rows: a 100 MB XLSX takes too long to parse on this machine"
    lines = [f"### Scan throughput\n\nA table of {rows:,} people ({', '.join(HEADER)}), "
             f"{csv_path.stat().st_size / 1e6:.1f} MB as UTF-8 CSV and {xlsx_path.stat().st_size / 1e6:.1f} MB "
             f"as XLSX ({same}; written in {made:.0f} s). Each file in a fresh process with CKAN "
             "and every plugin loaded, as the worker runs it:", "",
             "| file | parse (prepare) s | scan s | scan MB/s | scan rows/s | parse + scan MB/s | "
             "parse + scan rows/s | peak RSS MB (CKAN loaded → after) | findings |",
             "|---|---|---|---|---|---|---|---|---|"]
    for path, fmt in ((csv_path, "CSV"), (xlsx_path, "XLSX")):
        r = scan_in_worker_process(path, fmt)
        size = path.stat().st_size / 1e6
        scanned = r["prepared_bytes"] / 1e6
        lines.append(
            f"| {fmt} {size:.1f} MB | {r['parse_s']:.1f} | {r['scan_s']:.1f} | {scanned / r['scan_s']:.2f} | "
            f"{r['rows'] / r['scan_s']:,.0f} | {size / (r['parse_s'] + r['scan_s']):.2f} | "
            f"{r['rows'] / (r['parse_s'] + r['scan_s']):,.0f} | {r['rss_ckan_mb']:.0f} → {r['rss_peak_mb']:.0f} | "
            f"{', '.join(f'{c}: {k}' for c, k, _n in r['findings'])} |")
        print(lines[-1], flush=True)
    lines.append("\nScan MB/s counts the prepared CSV the scan reads (UTF-8, the parse's output).")
    if with_presidio:
        engine = presidio_engine()
        p = presidio_throughput(engine, csv_path, args.presidio_rows)
        mb = p["bytes"] / 1e6
        lines += ["", f"Presidio {presidio_version()} on the first {p['rows']:,} rows of the same CSV "
                  f"({mb:.2f} MB, every cell analysed for e-mail, phone and credit card), and ours on the "
                  "same rows in the same process:", "",
                  "| scanner | s | MB/s | rows/s | ratio |", "|---|---|---|---|---|",
                  f"| Presidio | {p['presidio_s']:.2f} | {mb / p['presidio_s']:.3f} | {p['rows'] / p['presidio_s']:,.0f} | 1 |",
                  f"| ours | {p['ours_s']:.3f} | {mb / p['ours_s']:.2f} | {p['rows'] / p['ours_s']:,.0f} | "
                  f"{p['presidio_s'] / p['ours_s']:.0f}× faster |"]
    parts.append("\n".join(lines))
    xlsx_arg = f" --xlsx-mb {args.xlsx_mb:g}" if args.xlsx_mb is not None else ""
    install = ("Presidio for the baseline: `.venv/bin/pip install --target var/presidio-lib presidio-analyzer`, "
               "then the packages the portal's .venv already has removed from `var/presidio-lib` (it must not "
               "shadow them) except a newer `typing_extensions` (presidio's pydantic needs it), and "
               "`PYTHONPATH=var/presidio-lib` for the run. The XLSX parse (openpyxl, in the data feature's "
               "prepare) takes 6–9 s per MB here, so `--xlsx-mb` keeps the XLSX smaller than the 100 MB CSV; "
               "rows/s and MB/s are per-row figures and carry over.\n\n")
    text = (install + f"Command: `PYTHONPATH=var/presidio-lib .venv/bin/python bench/safety.py --mb {args.mb:g}{xlsx_arg} "
            f"--presidio-rows {args.presidio_rows}` "
            f"(run {datetime.now():%Y-%m-%d %H:%M}, load average {load_before} before, {uptime()} after; "
            "2 cores shared with other work).\n\n" + "\n\n".join(parts) + "\n")
    print(parts[-1])
    if not args.no_write:
        doc = ROOT / "docs" / "benchmarks.md"
        current = doc.read_text(encoding="utf-8")
        section = "## Publishing safety\n\n" + text
        if "## Publishing safety\n" in current:
            current = re.sub(r"## Publishing safety\n.*?(?=\n## |\Z)", lambda m: section, current, flags=re.S)
        else:
            current = current.rstrip("\n") + "\n\n" + section
        doc.write_text(current, encoding="utf-8")
        print("written to docs/benchmarks.md")


if __name__ == "__main__":
    main()
