"""Publishing-safety scan before and after a change, in one process (issue 14).

    .venv/bin/python bench/safety_ab.py [--mb 1] [--ref main] [--repeat 7]

The people table of bench/safety.py (--mb MB of CSV, the same rows, seed and columns) is scanned
by ``scanner.TableScan`` as the worker does after the parse, once with the detectors and scanner
of git ``--ref`` and once with the working tree's, alternated ``--repeat`` times; the best time of
each is reported (MB/s of the cells, rows/s) with their ratio. Both must give the same findings.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAFETY = "ckanext-guangdong/ckanext/guangdong/safety"
sys.path.insert(0, str(ROOT / "ckanext-guangdong"))
sys.path.insert(0, str(ROOT / "bench"))


def scanner_at(ref: str, into: Path) -> Any:
    """``scanner`` of git ``ref`` with its own ``detectors`` (and this tree's data files)."""
    for name in ("detectors", "scanner"):
        text = subprocess.run(["git", "show", f"{ref}:{SAFETY}/{name}.py"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (into / f"{name}.py").write_text(text.replace("from . import detectors as d",
                                                      "import detectors as d"), encoding="utf-8")
    (into / "data").symlink_to(ROOT / SAFETY / "data")
    sys.path.insert(0, str(into))
    spec = importlib.util.spec_from_file_location("ref_scanner", into / "scanner.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ref_scanner"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=1)
    parser.add_argument("--ref", default="main")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    import safety as bench

    from ckanext.guangdong.safety import scanner as current
    path = bench.OUT / f"people-{args.mb:g}mb.csv"
    if not path.exists():
        bench.write_files(args.mb, 0.01)
    with open(path, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    size = sum(len(c.encode("utf-8")) + 1 for r in rows for c in r) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        scanners = {args.ref: scanner_at(args.ref, Path(tmp)), "working tree": current}
        best = dict.fromkeys(scanners, float("inf"))
        found: dict[str, Any] = {}
        for _ in range(args.repeat):
            for name, module in scanners.items():
                started = time.perf_counter()
                scan = module.TableScan(header)
                scan.add_rows(rows)
                found[name] = [(f.column, f.detector, f.count) for f in scan.findings()]
                best[name] = min(best[name], time.perf_counter() - started)
    assert found[args.ref] == found["working tree"], found
    print(f"{len(rows):,} rows, {size:.2f} MB of cells ({path.name}); best of {args.repeat}, alternated:")
    for name, took in best.items():
        print(f"  {name}: {took:.3f} s, {size / took:.2f} MB/s, {len(rows) / took:,.0f} rows/s")
    print(f"  time ratio working tree / {args.ref}: {best['working tree'] / best[args.ref]:.2f}")


if __name__ == "__main__":
    main()
