"""Template helpers of the security feature."""
from __future__ import annotations

from typing import Any

from ckanext.guangdong.security.links import safe_url

__all__ = ["guangdong_safe_url", "guangdong_safe_mailto"]


def guangdong_safe_url(value: Any) -> str:
    """The URL if it may be rendered as a link (http, https, mailto, a path here), else ""."""
    return safe_url(value)


def guangdong_safe_mailto(value: Any) -> str:
    """``mailto:`` + the address, if the address is one; else ""."""
    if not isinstance(value, str) or not value.strip() or any(c in value for c in ' \t\r\n<>"\''):
        return ""
    return safe_url("mailto:" + value.strip())
