"""Which text encoding a data file uses.

Chinese spreadsheets saved as CSV are usually GBK (no BOM); Taiwan and Hong Kong files Big5;
exports from databases UTF-8, sometimes with a BOM; some tools write UTF-16. Order of evidence:

1. a byte-order mark;
2. the whole file decodes as UTF-8 (checked over every byte, not a sample);
3. BOM-less UTF-16 (NUL bytes on every other position);
4. charset-normalizer, restricted to the configured candidates (GB18030 — the superset of GBK
   and GB2312 — and Big5 by default), on the lines that hold non-ASCII bytes; a tie goes to the
   first candidate, so a short ambiguous file reads as GB18030;
5. the chosen encoding must decode the whole file, or the next candidate is tried.

Binary files (NULs or control bytes in a file that is not UTF-16) are refused here.
"""
from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .messages import N_, LoadError

DEFAULT_CANDIDATES = ("gb18030", "big5")
SAMPLE_BYTES = 256 * 1024
_CHUNK = 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# How charset-normalizer and Python name what people call GBK / GB2312.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "hz": "gb18030",
            "big5hkscs": "big5", "cp950": "big5"}
LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gb18030": "GB18030 (GBK)",
          "big5": "Big5", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE",
          "utf-32": "UTF-32"}


@dataclass
class Detected:
    encoding: str          # a Python codec name
    nul_bytes: bool = False  # stray NUL bytes (dropped when read)

    @property
    def label(self) -> str:
        return LABELS.get(self.encoding, self.encoding.upper())


def canonical(name: str) -> str:
    name = codecs.lookup(name).name.replace("_", "-")
    return _ALIASES.get(name.replace("-", ""), _ALIASES.get(name, name))


def _decodes(path: str, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> tuple[bool, bool]:
    """(binary, has NULs): control bytes other than tab, newlines, form feed and EOF."""
    if not head:
        return False, False
    nul = head.count(0)
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 26)) + head.count(127)
    return (nul > max(8, 0.01 * len(head)) or control > max(8, 0.02 * len(head))), nul > 0


def _non_ascii_lines(path: str, limit: int = SAMPLE_BYTES) -> bytes:
    out = bytearray()
    with open(path, "rb") as f:
        for line in f:
            if any(b > 127 for b in line):
                out += line
                if len(out) >= limit:
                    break
    return bytes(out)


def _ranked(sample: bytes, candidates: Iterable[str]) -> list[str]:
    order = [canonical(c) for c in candidates]
    results = from_bytes(sample, cp_isolation=order, explain=False)
    scored = []
    for match in results:
        enc = canonical(match.encoding)
        if enc in order:
            scored.append((match.chaos, -match.coherence, order.index(enc), enc))
    ranked = [enc for *_k, enc in sorted(scored)]
    return ranked + [c for c in order if c not in ranked]


def detect(path: str, candidates: Iterable[str] = DEFAULT_CANDIDATES) -> Detected:
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    for bom, name in _BOMS:
        if head.startswith(bom):
            if not _decodes(path, name):
                raise LoadError(N_("The file starts as %(encoding)s but is not valid %(encoding)s "
                                   "throughout; save it again as UTF-8"), encoding=LABELS[name])
            return Detected(name)
    utf16 = _utf16_without_bom(head)
    if utf16 and _decodes(path, utf16):
        return Detected(utf16)
    binary, nul = _looks_binary(head)
    if binary:
        raise LoadError(N_("The file is not text (it holds binary data); upload a CSV, TSV, "
                           "XLS or XLSX table"))
    if _decodes(path, "utf-8"):
        return Detected("utf-8", nul_bytes=nul)
    for enc in _ranked(_non_ascii_lines(path), candidates):
        if _decodes(path, enc):
            return Detected(enc, nul_bytes=nul)
    raise LoadError(N_("The file's text encoding could not be recognised (tried UTF-8, "
                       "%(candidates)s); save it again as UTF-8"),
                    candidates=", ".join(LABELS.get(canonical(c), c) for c in candidates))
