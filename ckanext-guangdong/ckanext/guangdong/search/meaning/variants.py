"""Latin spelling variants: e-mail / email, COVID-19 / COVID19 / covid 19."""
from __future__ import annotations

import re

_TOKEN = re.compile(r"[0-9a-z]+(?:[-_.][0-9a-z]+)*")
_SEP = re.compile(r"[-_.]")
_BOUNDARY = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def variants(normalised_text: str) -> list[str]:
    """For each Latin word: joined (e-mail → email) and, at letter/digit boundaries,
    hyphenated forms (covid19 → covid-19), so every spelling finds the others.
    Decimal numbers (2.5) are left alone."""
    out: list[str] = []
    for token in set(_TOKEN.findall(normalised_text)):
        if re.fullmatch(r"[0-9.]+", token):
            continue
        joined = _SEP.sub("", token)
        if joined != token and not re.search(r"[0-9]\.[0-9]", token):
            out.append(joined)
        if _BOUNDARY.search(joined) and not _SEP.search(token):
            out.append(_BOUNDARY.sub("-", joined))
    return sorted(out)
