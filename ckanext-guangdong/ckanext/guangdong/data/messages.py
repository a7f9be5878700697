"""Messages of a load (errors and warnings): kept as an English message id and its parameters,
translated where they are shown (``render``), so one stored report reads in Chinese and English."""
from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a message for extraction; the translation happens in ``render``."""
    return message


class LoadError(Exception):
    """A file that cannot be loaded, with a message for the publisher."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "params": self.params}


def message(text: str, **params: Any) -> dict[str, Any]:
    return {"message": text, "params": params}


def render(msg: dict[str, Any] | None) -> str:
    """The message in the request's language (outside a request: as stored)."""
    if not msg:
        return ""
    text = msg.get("message") or ""
    params = msg.get("params") or {}
    try:
        import ckan.plugins.toolkit as tk
        text = tk._(text)
    except Exception:  # no request, no translator: the English text
        pass
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
