"""Precision and recall of a detector set on the labelled corpus (safety_corpus.py), per
detector, per column verdict and per cell. Used by the corpus tests and by bench/safety.py."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from safety_corpus import Table

from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import TableScan

# a table -> (column verdicts {index: kinds}, cell kinds [[set of kinds per cell] per column])
Judge = Callable[[Table], tuple[dict[int, set[str]], list[list[set[str]]]]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Score:
    columns: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    cells: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    any_column: Counts = field(default_factory=Counts)   # "this column holds personal data"
    false_columns: list[str] = field(default_factory=list)
    missed_columns: list[str] = field(default_factory=list)


def ours(options: d.Options = d.DEFAULT_OPTIONS) -> Judge:
    def judge(table: Table) -> tuple[dict[int, set[str]], list[list[set[str]]]]:
        scan = TableScan(table.header, options)
        cells: list[list[set[str]]] = []
        for col, column in zip(scan.columns, table.columns, strict=False):
            kinds = []
            for cell in column.cells:
                kinds.append({k for k, _ in scan.cell_kinds(col, cell)} if cell else set())
            cells.append(kinds)
        scan.add_rows(table.rows())
        verdicts = scan.verdicts()
        for right, kinds in scan.split_verdicts().items():  # a number split across two columns
            verdicts[right] = verdicts.get(right, set()) | kinds      # counts for both of them
            verdicts[right - 1] = verdicts.get(right - 1, set()) | kinds
        return verdicts, cells
    return judge


def evaluate(tables: Iterable[Table], judge: Judge, detectors: Iterable[str] = d.DETECTORS) -> Score:
    wanted = set(detectors)
    score = Score()
    for table in tables:
        verdicts, cells = judge(table)
        for i, column in enumerate(table.columns):
            found = verdicts.get(i, set()) & wanted
            truth = column.kinds & wanted
            for kind in wanted:
                c = score.columns[kind]
                if kind in found and kind in truth:
                    c.tp += 1
                elif kind in found:
                    c.fp += 1
                    score.false_columns.append(f"{table.name}/{column.header} ({column.generator}) as {kind}")
                elif kind in truth:
                    c.fn += 1
                    score.missed_columns.append(f"{table.name}/{column.header} ({column.generator}) {kind}")
            a = score.any_column
            if found and truth:
                a.tp += 1
            elif found:
                a.fp += 1
            elif truth:
                a.fn += 1
            for cell_kinds, true_kind in zip(cells[i], column.cell_truth, strict=False):
                for kind in wanted:
                    got, real = kind in cell_kinds, kind == true_kind
                    c = score.cells[kind]
                    if got and real:
                        c.tp += 1
                    elif got:
                        c.fp += 1
                    elif real:
                        c.fn += 1
    return score


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def table_lines(score: Score, detectors: Iterable[str] = d.DETECTORS) -> list[str]:
    lines = ["| detector | column precision | column recall | columns (TP/FP/FN) | cell precision | cell recall |",
             "|---|---|---|---|---|---|"]
    for kind in detectors:
        c, e = score.columns[kind], score.cells[kind]
        if c.tp + c.fp + c.fn + e.tp + e.fp + e.fn == 0:
            continue
        lines.append(f"| {kind} | {fmt(c.precision)} | {fmt(c.recall)} | {c.tp}/{c.fp}/{c.fn} | "
                     f"{fmt(e.precision)} | {fmt(e.recall)} |")
    a = score.any_column
    lines.append(f"| any personal data (column verdict) | {fmt(a.precision)} | {fmt(a.recall)} | "
                 f"{a.tp}/{a.fp}/{a.fn} | | |")
    return lines
