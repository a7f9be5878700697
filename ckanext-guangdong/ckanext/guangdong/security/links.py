"""Links rendered from data (harvested or typed): only http, https and mailto, or a path on
the portal itself. Anything else (``javascript:``, ``data:``, ``vbscript:`` ...) is not a link."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

SCHEMES = ("http", "https", "mailto")


def safe_url(value: Any) -> str:
    """``value`` if it may be an href, else "" (shown as text, never as a link). Browsers
    ignore tabs and newlines inside a scheme and leading spaces or control characters, so
    those are removed before the scheme is read."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch for ch in value.strip() if ch not in "\t\r\n" and ord(ch) >= 0x20)
    if not text:
        return ""
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text  # a path on this site
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return text
