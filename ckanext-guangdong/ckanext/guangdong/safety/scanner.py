"""A table's columns and a dataset's metadata text, scanned for personal data.

Column verdict: a column holds a kind of personal data when
- at least ``min_share`` of its non-empty cells match the detector (default 0.5), or
- its header speaks for that kind and at least ``hinted_share`` of the cells match (0.1), or
- a strong detector (18-character 居民身份证号 with its check character, personal e-mail) matches at least
  ``strong_hits`` cells (3), wherever they are (IDs pasted into a 备注 column);
- strong evidence: one checksummed value (an 18-character ID number, a Luhn-valid bank card)
  is enough, whatever its share (one ID in 500 rows), unless the column also holds more
  look-alikes — numbers of the same shape failing their check — than ``LOOKALIKE_CAP`` per
  valid value: then the valid ones are chance passes among order or invoice numbers;
- person names, home addresses and the 8-digit 台胞证 number only under a header that says so
  (``min_share`` of the cells); a plain 地址 column only beside another personal column.

Findings keep counts and masked samples only, never a clear value.

No CKAN import here either (the bench and the corpus tests use it directly).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import detectors as d

SAMPLES = 3
# Kinds that make a plain 地址 column a home address when they sit beside it.
PERSONAL = frozenset({d.RESIDENT_ID, d.MOBILE, d.BANK_CARD, d.PASSPORT, d.TRAVEL_PERMIT,
                      d.PERSON_NAME})
STRONG_EVIDENCE = (d.RESIDENT_ID, d.BANK_CARD)
LOOKALIKE_CAP = 1.0  # look-alikes allowed per valid value (a random number passes Luhn 1 in 10)
_TEXT_HINT = re.compile(r"\d(?:[ .\-]?\d){6}|@|[" + d.PLATE_PROVINCES + r"][A-Z]")


@dataclass(frozen=True)
class Thresholds:
    min_share: float = 0.5
    hinted_share: float = 0.1
    strong_hits: int = 3


@dataclass
class ColumnStats:
    index: int
    name: str
    hints: set[str]
    header_only: tuple[str, ...]
    generic_address: bool
    nonempty: int = 0
    counts: Counter = field(default_factory=Counter)
    strong: Counter = field(default_factory=Counter)  # 18-character IDs, personal e-mail
    shaped: Counter = field(default_factory=Counter)  # cells shaped like an ID number / card
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> None:
        self.counts[kind] += 1
        if kind in (d.EMAIL, d.BANK_CARD) or (kind == d.RESIDENT_ID and d.number_length(value) >= 18):
            self.strong[kind] += 1
        got = self.samples.setdefault(kind, [])
        if len(got) < SAMPLES:
            masked = d.mask(kind, value)
            if masked not in got:
                got.append(masked)


@dataclass(frozen=True)
class Finding:
    column: str
    detector: str
    count: int
    cells: int              # non-empty cells of the column
    samples: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.count / self.cells if self.cells else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"column": self.column, "detector": self.detector, "count": self.count,
                "cells": self.cells, "share": round(self.share, 4), "samples": list(self.samples)}


class TableScan:
    """Feed rows (lists of cell strings), then ask for ``findings()``."""

    def __init__(self, header: Sequence[str], options: d.Options = d.DEFAULT_OPTIONS,
                 thresholds: Thresholds = Thresholds()) -> None:
        self.options = options
        self.thresholds = thresholds
        self.rows = 0
        self.columns: list[ColumnStats] = []
        for i, name in enumerate(header):
            hints = d.header_hints(name)
            only = tuple(k for k in (d.PERSON_NAME, d.ADDRESS) if k in hints)
            if d.TRAVEL_PERMIT in hints and ("台胞证" in name or "台湾居民" in name):
                only += (d.TRAVEL_PERMIT,)
            generic = d.ADDRESS not in hints and d.generic_address_header(name)
            if generic:
                only += (d.ADDRESS,)
            self.columns.append(ColumnStats(i, str(name), hints, only, generic))
        self._width = len(self.columns)

    def cell_kinds(self, col: ColumnStats, cell: str) -> list[tuple[str, str]]:
        """The (kind, value) pairs one non-empty cell of a column holds."""
        kind = d.classify(cell, self.options)
        if kind is not None:
            return [(kind, cell)]
        for only in col.header_only:
            if d.matches_header_only(only, cell):
                return [(only, cell)]
        # digits in disguise (Unicode digits, 4/4/0/…, 四四〇…) show only after the folding
        if len(cell) > 10 and (_TEXT_HINT.search(cell) or _TEXT_HINT.search(d.fold(cell))):
            return list({h.detector: h.value for h in d.find_in_text(cell, self.options)}.items())
        return []

    def add_row(self, row: Sequence[str]) -> None:
        self.rows += 1
        cell_kinds = self.cell_kinds
        for col, cell in zip(self.columns, row, strict=False):
            if not cell:
                continue
            col.nonempty += 1
            if 16 <= len(cell) <= 30:
                shape = d.lookalike(cell)
                if shape is not None:
                    col.shaped[shape] += 1
            for kind, value in cell_kinds(col, cell):
                col.add(kind, value)

    def add_rows(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self.add_row(row)

    @staticmethod
    def _strong_evidence(col: ColumnStats, kind: str) -> bool:
        if kind not in STRONG_EVIDENCE:
            return False
        valid = col.strong[kind]
        lookalikes = max(0, col.shaped[kind] - valid)
        return valid >= 1 and lookalikes <= LOOKALIKE_CAP * valid

    def verdicts(self) -> dict[int, set[str]]:
        """Column index -> the kinds of personal data it holds."""
        t = self.thresholds
        out: dict[int, set[str]] = {}
        for col in self.columns:
            kinds: set[str] = set()
            for kind, count in col.counts.items():
                share = count / col.nonempty if col.nonempty else 0.0
                if kind in col.header_only:
                    if kind == d.ADDRESS and col.generic_address:
                        continue  # decided below, beside the other columns
                    if share >= t.min_share:
                        kinds.add(kind)
                elif (share >= t.min_share or (kind in col.hints and share >= t.hinted_share)
                      or (kind != d.BANK_CARD and col.strong[kind] >= t.strong_hits)
                      or self._strong_evidence(col, kind)):
                    kinds.add(kind)
            out[col.index] = kinds
        personal_beside = any(k & PERSONAL for k in out.values())
        for col in self.columns:
            if col.generic_address and personal_beside and col.nonempty and \
                    col.counts[d.ADDRESS] / col.nonempty >= t.min_share:
                out[col.index].add(d.ADDRESS)
        return out

    def findings(self) -> list[Finding]:
        result = []
        for index, kinds in self.verdicts().items():
            col = self.columns[index]
            for kind in sorted(kinds, key=d.DETECTORS.index):
                result.append(Finding(col.name, kind, col.counts[kind], col.nonempty,
                                      tuple(col.samples.get(kind, ()))))
        return result


def scan_table(header: Sequence[str], rows: Iterable[Sequence[str]],
               options: d.Options = d.DEFAULT_OPTIONS,
               thresholds: Thresholds = Thresholds()) -> tuple[list[Finding], int]:
    scan = TableScan(header, options, thresholds)
    scan.add_rows(rows)
    return scan.findings(), scan.rows


def scan_text_fields(fields: Iterable[tuple[str, str | None]],
                     options: d.Options = d.DEFAULT_OPTIONS,
                     seen: Callable[[str, str], str | None] | None = None) -> list[Finding]:
    """Metadata text (title, notes, tags, resource names ...): every hit counts, since metadata
    is shown as it is. ``fields`` are (field name, text) pairs; a field may repeat.

    ``seen(field, text)`` gives the text a reader sees of a field shown otherwise than stored
    (rendered Markdown: ``reading.markdown_reader``), or None: its hits count too, those the
    stored text already gave once (the same kind and masked value), so a text without hidden
    markup keeps its findings, and their fingerprint a reviewer's clearance."""
    per_field: dict[str, ColumnStats] = {}
    for name, text in fields:
        if not text:
            continue
        stats = per_field.setdefault(name, ColumnStats(0, name, set(), (), False))
        stats.nonempty += 1
        text = str(text)
        found: set[tuple[str, str]] = set()
        for hit in d.find_in_text(text, options):
            stats.add(hit.detector, hit.value)
            found.add((hit.detector, d.mask(hit.detector, hit.value)))
        shown = seen(name, text) if seen is not None else None
        for hit in d.find_in_text(shown, options) if shown else ():
            if (hit.detector, d.mask(hit.detector, hit.value)) not in found:
                stats.add(hit.detector, hit.value)
    return [Finding(s.name, kind, count, s.nonempty, tuple(s.samples.get(kind, ())))
            for s in per_field.values() for kind, count in sorted(s.counts.items())]
