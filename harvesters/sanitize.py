"""Cleaning of harvested values: text without markup, tags CKAN accepts, ASCII names,
dates and numbers. Harvested text is never trusted as HTML (docs/domain.md §4: city portals
embed markup and occasionally scripts); we keep the words and drop the markup."""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import bleach

from ckanext.guangdong.metadata import codes

# Elements whose *content* is code or styling, not text: dropped whole.
_CODE_BLOCKS = re.compile(r"<(script|style|iframe|object|embed|template)\b.*?(</\1\s*>|$)",
                          re.IGNORECASE | re.DOTALL)
_MARKUP_HINT = re.compile(r"<[a-zA-Z!/]|&[#a-zA-Z0-9]+;|javascript:", re.IGNORECASE)
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CleanText(str):
    """A str that remembers whether markup was removed from it."""
    had_markup: bool = False


def clean_text(value: str, multiline: bool = True) -> CleanText:
    """Plain text from a possibly-HTML string: scripts and styles removed with their
    content, other tags removed, entities decoded, control characters dropped."""
    text = _CONTROL.sub("", value)
    had_markup = bool(_MARKUP_HINT.search(text))
    if had_markup:
        text = _CODE_BLOCKS.sub(" ", text)
        if multiline:
            text = _BLOCK_TAGS.sub("\n", text)
        text = bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True)
        text = html.unescape(text)
        text = re.sub(r"javascript:", "", text, flags=re.IGNORECASE)
        # Unescaping can reveal encoded markup ("&lt;script&gt;"): clean it once more.
        if "<" in text:
            text = _CODE_BLOCKS.sub(" ", text)
            text = bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True)
            text = html.unescape(text)
    if multiline:
        text = re.sub(r"[ \t\r\f\v]+", " ", text)
        text = re.sub(r" *\n[\n ]*", "\n", text).strip()
    else:
        text = re.sub(r"\s+", " ", text).strip()
    out = CleanText(text)
    out.had_markup = had_markup
    return out


# CKAN's tag validator allows unicode word characters, space, "-", "_" and "."; length 2-100.
_TAG_SPLIT = re.compile(r"[,，;；、|/\\\n]+")
_TAG_BAD = re.compile(r"[^\w \-.]", re.UNICODE)


def clean_tags(raw: Any, max_len: int = 100) -> tuple[list[str], list[str]]:
    """Tags from a list or a delimited string. Chinese-only tags are kept as they are
    (the stock harvester's munge_tag turns them into empty strings). Returns
    (tags, dropped) where dropped are the inputs that could not become a valid tag."""
    if raw is None:
        return [], []
    items: list[str] = []
    if isinstance(raw, str):
        items = _TAG_SPLIT.split(clean_text(raw, multiline=False))
    elif isinstance(raw, (list, tuple)):
        for item in raw:
            if isinstance(item, dict):
                item = item.get("name") or item.get("display_name") or ""
            if isinstance(item, str):
                items.extend(_TAG_SPLIT.split(clean_text(item, multiline=False)))
    tags: list[str] = []
    dropped: list[str] = []
    for item in items:
        tag = clean_text(item, multiline=False)
        tag = unicodedata.normalize("NFKC", tag)
        tag = _TAG_BAD.sub(" ", tag)
        tag = re.sub(r"\s+", " ", tag).strip(" .-_")
        if not tag:
            if item.strip():
                dropped.append(item.strip())
            continue
        if len(tag) < 2 or len(tag) > max_len:
            dropped.append(tag)
            continue
        if tag not in tags:
            tags.append(tag)
    return tags, dropped


def name_from_identifier(identifier: str, prefix: str = "gd") -> str:
    """ASCII dataset name from an identifier such as 29000/01300008 -> gd-29000-01300008.
    Identifiers with non-ASCII parts get a short hash so the name is never empty."""
    ascii_part = re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")
    if not ascii_part or not identifier.isascii():
        digest = hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:10]
        ascii_part = f"{ascii_part}-{digest}".strip("-") if ascii_part else digest
    return f"{prefix}-{ascii_part}"[:100]


# Dates: ISO forms, "2020-01-02 10:11:12", "2020/1/2", "2020年1月2日", epoch millis.
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?"
                      r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")


def parse_date(value: Any) -> str | None:
    """ISO 8601 string (date or datetime) on the portal's clock (Asia/Shanghai, schema/codes.py),
    or None when the value is not a date. Offsets are converted to local time, not to UTC:
    2018-08-10T01:02:03+08:00 stays on 10 August; epoch times are local too."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return codes.local_datetime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return codes.epoch_local(seconds).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.isdigit() and len(text) >= 12:
        return parse_date(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if len(text) <= 10:
            return parsed.date().isoformat()
        return codes.local_datetime(parsed).isoformat()
    except ValueError:
        pass
    m = _CN_DATE.match(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss = m.groups()
    try:
        if hh is None:
            return date(int(y), int(mo), int(d)).isoformat()
        return datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0)).isoformat()
    except ValueError:
        return None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        text = re.sub(r"(条|行|个|records?)$", "", text).strip()
        if text.isdigit():
            return int(text)
    return None
