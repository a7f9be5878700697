"""Error kinds of a harvest, and how they are stored.

ckanext-harvest stores gather errors and object errors as free text. We prefix the text
with the kind (``[kind] message`` or ``[kind/warning] message``) so the error report can
group by kind without a table of our own, and ckanext-harvest's own pages still read well.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Kinds (documented in docs/harvest.md). Job-level kinds come from gather; record-level
# from fetch/import.
KINDS: dict[str, str] = {
    "http_error": "HTTP 4xx/5xx from the remote portal",
    "timeout": "the remote portal did not answer in time",
    "connection_error": "the remote portal could not be reached",
    "html_error_page": "an HTML page where data was expected",
    "malformed_json": "a response that is not valid JSON",
    "malformed_rdf": "a response that is not valid RDF",
    "invalid_response": "JSON of an unexpected shape",
    "listing_incomplete": "the listing failed part-way; withdrawals were skipped",
    "job_timeout": "the job ran past the configured limit",
    "url_refused": "a URL refused by the source URL rules",
    "missing_required": "a required field is missing",
    "wrong_type": "a field has a value of the wrong type",
    "oversized_field": "a field is longer than the limit",
    "html_in_text": "markup or script removed from a text field",
    "invalid_tag": "a keyword that cannot be a tag",
    "unknown_value": "a value the crosswalk does not know",
    "validation_error": "the provincial schema rejected the record",
    "duplicate_identifier": "the identifier belongs to another record of this source, to a "
                            "source with precedence, or to a dataset published on this portal",
    "import_error": "an unexpected error while saving",
    "withdrawal_error": "a withdrawal could not be applied",
}

_PREFIX = re.compile(r"^\[(?P<kind>[a-z_]+)(?P<warn>/warning)?\]\s*(?P<msg>.*)$", re.DOTALL)


class HarvestError(Exception):
    """An error with a kind; raised where a request or a record fails."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return format_message(self.kind, self.message)


class RecordRejected(HarvestError):
    """The record cannot become a dataset; nothing of it is written."""


class DuplicateInSource(RecordRejected):
    """Another record of the same source already holds this identifier: the first keeps the
    dataset, this one is an error of the source (reported at every job until the city fixes
    it; the dataset never flips between the two)."""

    def __init__(self, message: str) -> None:
        super().__init__("duplicate_identifier", message)


@dataclass
class Issue:
    kind: str
    message: str
    warning: bool = False

    def text(self) -> str:
        return format_message(self.kind, self.message, self.warning)


def format_message(kind: str, message: str, warning: bool = False) -> str:
    return f"[{kind}{'/warning' if warning else ''}] {message}"


def parse_message(text: str | None) -> dict[str, Any]:
    """{'kind', 'severity', 'message'} of a stored error text; unprefixed texts (stock
    ckanext-harvest code) are kind 'other'."""
    text = text or ""
    m = _PREFIX.match(text)
    if not m:
        return {"kind": "other", "severity": "error", "message": text}
    return {"kind": m.group("kind"), "severity": "warning" if m.group("warn") else "error",
            "message": m.group("msg")}
