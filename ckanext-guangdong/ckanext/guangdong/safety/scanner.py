"""A table's columns and a dataset's metadata text, scanned for personal data.

Column verdict: a column holds a kind of personal data when
- at least ``min_share`` of its non-empty cells match the detector (default 0.5), or
- its header speaks for that kind and at least ``hinted_share`` of the cells match (0.1), or
- a strong detector (18-character 居民身份证号 with its check character, personal e-mail) matches at least
  ``strong_hits`` cells (3), wherever they are (IDs pasted into a 备注 column);
- strong evidence, judged by counts rather than by a share of all cells (docs/safety.md,
  "Column verdict", has the statistics):
  - one 18-character ID number with a valid region, birth date and check character is enough,
    whatever its share and whatever look-alikes (ID-shaped numbers with a wrong check
    character) sit beside it: a number not made from an ID passes all three checks about once
    in 70,000; the 1/11 chance applies only to mistyped or made-up ID numbers, themselves about
    people;
  - a mobile number (a carrier block of the number plan) when mobiles are at least
    ``MOBILE_SHARE_OF_SHAPED`` of the column's 11-digit numbers — about three times the 6 %
    a random 11-digit number has — however many words, names or other cells sit beside them;
  - one Luhn-valid bank card, unless the column also holds more look-alikes (16-19 digit
    numbers failing their check) than ``LOOKALIKE_CAP`` per valid card: a random number passes
    Luhn one time in ten, so order numbers have chance passes among many failures;
- person names, home addresses and the 8-digit 台胞证 number only under a header that says so
  (``min_share`` of the cells); a plain 地址 (坐落, 住所) column only beside another personal
  column;
- a number split across two neighbouring columns (``4401061985`` | ``03198672``) when the two
  cells together make a valid ID number (``split_verdicts``), named by both (not a mobile: a
  6-digit code beside a 5-digit hotline makes one by chance); across three (地区码 | 出生日期码
  | 顺序码) on half of the rows;
- a CSV cell holding a formula of literals (``="440106"&"198503120015"``) as what it builds;
- masked ID numbers whose birth-date digits (7th to 14th) are hidden beside a column of the same
  rows holding the birth dates (``440106********0015`` | ``1985-03-12``: the whole number back),
  named by both columns (``MASKED_ID_BIRTH``): on half of the rows where both are filled, the
  rebuilt number's check character holds (a date column about something else passes one row in
  eleven), or, when only the region code or only the last four digits are left, the other column
  is named as a birth date (出生日期, 生日, birth) and holds real dates (``rebuild_verdicts``).

Findings keep counts and masked samples only, never a clear value.

No CKAN import here either (the bench and the corpus tests use it directly).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import detectors as d
from .documents import formula_literals

SAMPLES = 3
# Kinds that make a plain 地址 column a home address when they sit beside it.
PERSONAL = frozenset({d.RESIDENT_ID, d.MOBILE, d.BANK_CARD, d.PASSPORT, d.TRAVEL_PERMIT,
                      d.PERSON_NAME})
_SPLIT_LENGTH = 18  # an ID number: what a split across two or three cells is read for
LOOKALIKE_CAP = 1.0  # look-alikes allowed per valid card (a random number passes Luhn 1 in 10)
# A random 11-digit number is in a mobile block about 6 % of the time (1 in 9 starts with 1, then
# 55 of the 100 blocks 10x-19x are mobile): mobiles at 20 % of a column's 11-digit numbers or
# more are no chance passes.
MOBILE_SHARE_OF_SHAPED = 0.2
_NUMBER_START = frozenset("0123456789+(=（＋'\"“‘")  # how a number cell starts
_TEXT_HINT = re.compile(r"\d(?:[ .\-]?\d){6}|@|[" + d.PLATE_PROVINCES + r"][A-Z]")
# A date as tables spell it: 1985-03-12, 1985/3/12, 1985.3.12, 19850312, 1985年3月12日, with or
# without a time after it (a spreadsheet's 1985-03-12 00:00:00).
_DATE = re.compile(r"(\d{4})(?:(\d{2})(\d{2})|\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?)"
                   r"(?:[\sT]\d{1,2}[:时].*)?")
_DATE_MARKS = frozenset("-/.年－／．")  # the 5th character of a date other than 19850312
_BIRTH_HEADER = ("出生", "生日", "birth", "dob", "csrq")
_REGION_SHOWN, _TAIL_SHOWN = 1, 2  # what a masked ID number leaves: region code, last four


def names_birth_date(header: str) -> bool:
    """Whether a column's header says it holds dates of birth (出生日期, 生日, birth date)."""
    h = d.clean_header(header)
    return any(w in h for w in _BIRTH_HEADER)


def birth_digits(cell: str) -> str | None:
    """The YYYYMMDD of a cell holding a real date (as an ID number carries it), else None."""
    if not cell.isascii():
        cell = unicodedata.normalize("NFKC", cell)
    m = _DATE.fullmatch(cell.strip())
    if m is None:
        return None
    year, month, day = int(m[1]), int(m[2] or m[4]), int(m[3] or m[5])
    return f"{year:04d}{month:02d}{day:02d}" if d.valid_birth(year, month, day) else None


def masked_id(cell: str) -> int:
    """For an 18-character masked ID number whose birth-date digits (7th to 14th) are hidden
    behind one repeated mark (``440106********0015``, ``440106xxxxxxxx****``,
    ``**************0015``): what it still shows, ``_REGION_SHOWN`` and/or ``_TAIL_SHOWN``; 0
    for any other cell."""
    if len(cell) != 18 or cell[6].isalnum() and cell[6] not in "xX" or cell[6:14] != cell[6] * 8:
        return 0
    shown = _REGION_SHOWN if cell[:6].isdigit() and cell[:2] in d.PROVINCES else 0
    if cell[14:17].isdigit() and (cell[17].isdigit() or cell[17] in "Xx"):
        shown |= _TAIL_SHOWN
    return shown


@dataclass
class Rebuild:
    """A masked ID column and another column of the same rows, read for the birth dates."""
    filled: int = 0    # rows where both are filled (set by rebuild_verdicts)
    checked: int = 0   # rows where region + date + last four make a valid ID number
    dated: int = 0     # rows showing only one side whose other cell is a real date
    samples: list[str] = field(default_factory=list)


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
    padded: int = 0  # mobiles written with leading zeros (013800138000): by their share only
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> None:
        self.counts[kind] += 1
        if kind in (d.EMAIL, d.BANK_CARD) or (kind == d.RESIDENT_ID and d.number_length(value) == 18):
            self.strong[kind] += 1
        elif kind == d.MOBILE and d.zero_padded(value):
            self.padded += 1
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
    columns: tuple[str, ...] = ()  # a finding of several columns: each of them (joins, MASKED_ID_BIRTH)

    @property
    def share(self) -> float:
        return self.count / self.cells if self.cells else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {"column": self.column, "detector": self.detector, "count": self.count,
               "cells": self.cells, "share": round(self.share, 4), "samples": list(self.samples)}
        if self.columns:
            out["columns"] = list(self.columns)
        return out


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
        # (first, last) column index -> the joins of those neighbouring cells (two or three)
        self.pairs: dict[tuple[int, int], ColumnStats] = {}
        # (masked ID column, other column) -> what the other column's dates fill back in
        self.rebuilds: dict[tuple[int, int], Rebuild] = {}  # pairs with a row that fits
        self._filled: dict[int, list[int]] = {}  # masked ID column -> rows filled in each column

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
        split = self._split
        prev = prev2 = ""
        plen = p2len = 0  # their lengths: the joins below are tried on every cell
        masked: list[tuple[int, str, int]] | None = None
        for col, cell in zip(self.columns, row, strict=False):
            if not cell:
                plen = p2len = 0
                continue
            if cell[0] == "=" and (built := formula_literals(cell)) is not None:
                cell = built  # a CSV cell ="440106"&"1985…": a spreadsheet shows what it builds
            n = len(cell)
            if plen + n == 18 and plen:  # _SPLIT_LENGTH, a literal: this runs on every cell
                split(col.index - 1, col.index, prev, cell)
            elif p2len and p2len + plen + n == 18:
                split(col.index - 2, col.index, prev2 + prev, cell)  # 地区码|出生日期码|顺序码
            prev2 = prev
            prev = cell
            p2len = plen
            plen = n
            col.nonempty += 1
            if 16 <= n <= 30:
                shape = d.lookalike(cell)
                if shape is not None:
                    col.shaped[shape] += 1
                elif n == 18 and (shown := masked_id(cell)):
                    masked = (masked or []) + [(col.index, cell, shown)]
            elif 11 <= n <= 20 and cell[0] in _NUMBER_START and d.number_length(cell) == 11:
                col.shaped[d.MOBILE] += 1  # an 11-digit number, a mobile or not
            for kind, value in cell_kinds(col, cell):
                col.add(kind, value)
        if masked is not None:
            self._rebuild(row, masked)

    def _rebuild(self, row: Sequence[str], masked: list[tuple[int, str, int]]) -> None:
        """A row with masked ID numbers: each other filled cell read as their birth date."""
        width = self._width
        for i, ident, shown in masked:
            filled = self._filled.get(i)
            if filled is None:
                filled = self._filled[i] = [0] * width
            both = shown == _REGION_SHOWN | _TAIL_SHOWN
            for j, cell in enumerate(row[:width]):
                if not cell or j == i:
                    continue
                filled[j] += 1
                n = len(cell)
                if not 8 <= n <= 30 or not cell[0].isdigit() or n != 8 and cell[4] not in _DATE_MARKS:
                    continue  # no date: the cheap tests first (phone and card numbers end here)
                birth = birth_digits(cell)
                if birth is None or both and not d.is_resident_id(ident[:6] + birth + ident[14:].upper()):
                    continue
                stats = self.rebuilds.get((i, j))
                if stats is None:
                    stats = self.rebuilds[i, j] = Rebuild()
                if both:
                    stats.checked += 1
                else:
                    stats.dated += 1
                if len(stats.samples) < SAMPLES and ident not in stats.samples:
                    stats.samples.append(ident)

    def rebuild_verdicts(self) -> list[tuple[int, int, Rebuild, int]]:
        """(masked ID column, birth-date column, counts, rows that fit) of the pairs that give the numbers
        back: the check character holds on ``min_share`` of the rows where both are filled, or
        the column is named as a birth date and real dates fill in what is hidden there."""
        share = self.thresholds.min_share
        out = []
        for (i, j), s in self.rebuilds.items():
            s.filled = self._filled[i][j]
            fits = s.checked + (s.dated if names_birth_date(self.columns[j].name) else 0)
            if fits and fits >= share * s.filled:
                out.append((i, j, s, fits))
        return out

    def _split(self, first: int, right: int, a: str, b: str) -> None:
        """Two (or three) neighbouring cells that together make an ID number (its check
        character holds) (``4401061985`` | ``03198672``; ``440106`` | ``19850312`` | ``0015``).
        Other joins are no finding (decoys; a mobile has no check character: 区划代码 440106
        beside 服务热线 12345 would make one). ``a`` is the cells before the last one, joined."""
        if not a.isdigit() or not (b.isdigit() or (b[:-1].isdigit() and b[-1] in "Xx")):
            return
        joined = a + b.upper()
        pair = self.pairs.get((first, right))
        if pair is None:
            name = " + ".join(c.name for c in self.columns[first:right + 1])
            pair = self.pairs[first, right] = ColumnStats(right, name, set(), (), False)
        if len(joined) == _SPLIT_LENGTH and (shape := d.lookalike(joined)) is not None:
            pair.shaped[shape] += 1
        kind = d.classify(joined, self.options)
        if kind == d.RESIDENT_ID:
            pair.add(kind, joined)

    def add_rows(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self.add_row(row)

    @staticmethod
    def _strong_evidence(col: ColumnStats, kind: str) -> bool:
        if kind == d.RESIDENT_ID:
            return col.strong[kind] >= 1  # 18 characters with region, birth date, check
        if kind == d.MOBILE:
            mobiles = col.counts[kind] - col.padded  # a 12-digit code 0130… is one by chance
            return mobiles >= 1 and mobiles >= MOBILE_SHARE_OF_SHAPED * max(mobiles, col.shaped[kind])
        if kind == d.BANK_CARD:
            valid = col.strong[kind]
            lookalikes = max(0, col.shaped[kind] - valid)
            return valid >= 1 and lookalikes <= LOOKALIKE_CAP * valid
        return False

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

    def _join_verdicts(self) -> list[tuple[int, ColumnStats, set[str]]]:
        """Neighbouring columns holding numbers split across them: at least ``min_share`` of
        the rows where they are filled, or for two columns and ID numbers strong evidence (one
        valid join, no more failing look-alikes than valid ones). Three columns only by the
        share: a code | date | count triple (440106 | 20230101 | 1234) passes the check
        character one row in eleven, a split ID number on every row."""
        out = []
        for (first, right), pair in self.pairs.items():
            filled = min(c.nonempty for c in self.columns[first:right + 1])
            kinds = {k for k, count in pair.counts.items()
                     if (filled and count / filled >= self.thresholds.min_share)
                     or (right - first == 1 and self._strong_evidence(pair, k))}
            if kinds:
                pair.nonempty = filled
                out.append((first, pair, kinds))
        return out

    def split_verdicts(self) -> dict[int, set[str]]:
        """The last column's index of neighbouring columns holding split numbers -> kinds."""
        out: dict[int, set[str]] = {}
        for _first, pair, kinds in self._join_verdicts():
            out.setdefault(pair.index, set()).update(kinds)
        return out

    def findings(self) -> list[Finding]:
        result = []
        for index, kinds in self.verdicts().items():
            col = self.columns[index]
            for kind in sorted(kinds, key=d.DETECTORS.index):
                result.append(Finding(col.name, kind, col.counts[kind], col.nonempty,
                                      tuple(col.samples.get(kind, ()))))
        for first, pair, kinds in self._join_verdicts():
            parts = tuple(c.name for c in self.columns[first:pair.index + 1])
            for kind in sorted(kinds, key=d.DETECTORS.index):
                result.append(Finding(pair.name, kind, pair.counts[kind], pair.nonempty,
                                      tuple(pair.samples.get(kind, ())), parts))
        for i, j, s, fits in self.rebuild_verdicts():
            names = (self.columns[i].name, self.columns[j].name)
            result.append(Finding(" + ".join(names), d.MASKED_ID_BIRTH, fits, s.filled,
                                  tuple(s.samples), names))
        return result


def scan_table(header: Sequence[str], rows: Iterable[Sequence[str]],
               options: d.Options = d.DEFAULT_OPTIONS,
               thresholds: Thresholds = Thresholds()) -> tuple[list[Finding], int]:
    scan = TableScan(header, options, thresholds)
    scan.add_rows(rows)
    return scan.findings(), scan.rows


def as_text(value: Any) -> str | None:
    """The text a stored value shows, for the scalars CKAN keeps as text: a string as it is, a
    number (an API caller's JSON 15012345678) as its decimal digits — a float or Decimal also
    in the exponent form ``str`` gives (which is what CKAN's validators store), since either may
    be shown. None for anything else (None, booleans, lists, dicts: walked by the caller)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, int):
        return str(value)
    try:
        plain = format(Decimal(value), "f")
    except (ValueError, ArithmeticError):  # inf, nan
        return str(value)
    return plain if plain == str(value) else f"{value} {plain}"


def scan_text_fields(fields: Iterable[tuple[str, Any]],
                     options: d.Options = d.DEFAULT_OPTIONS,
                     seen: Callable[[str, str], str | None] | None = None) -> list[Finding]:
    """Metadata text (title, notes, tags, resource names ...): every hit counts, since metadata
    is shown as it is. ``fields`` are (field name, text) pairs; a field may repeat; a number is
    read as its digits (``as_text``), other non-text values are skipped.

    ``seen(field, text)`` gives the text a reader sees of a field shown otherwise than stored
    (rendered Markdown: ``reading.markdown_reader``), or None: its hits count too, those the
    stored text already gave once (the same kind and masked value), so a text without hidden
    markup keeps its findings, and their fingerprint a reviewer's clearance."""
    per_field: dict[str, ColumnStats] = {}
    for name, value in fields:
        text = as_text(value)  # a number an API caller sent is stored (and shown) as its digits
        if not text:
            continue
        stats = per_field.setdefault(name, ColumnStats(0, name, set(), (), False))
        stats.nonempty += 1
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
