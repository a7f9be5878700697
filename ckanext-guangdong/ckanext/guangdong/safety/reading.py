"""The text a reader sees of a field the portal shows rendered as Markdown.

Dataset and application descriptions, resource descriptions, organisation and group
descriptions, a user's about text, resource view descriptions and DataStore column notes are
rendered by CKAN's ``h.render_markdown`` (the pages, the lists' snippets and the meta
description through ``markdown_extract``). Markup a reader never sees can split a number or a
word in the stored text: ``445202[19950101](https://…)3450`` is stored with a link in the
middle and shown as 445202199501013450 (attack trial, issue 14). So these fields are scanned
twice: as stored, and as shown — rendered the way the page renders them, then the text without
its tags (lxml), with an image's alt text and a title a pointer shows beside it. The detectors
(``detectors.fold`` and the rest) run on both unchanged.

No CKAN import at module level (the scanner and the negative list import this lazily).
"""
from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Collection

_CACHE = 512  # texts kept rendered: a write reads each one more than once (gate, negative list)
# ASCII characters by which Markdown (Python-Markdown, as CKAN renders) shows a text otherwise
# than it is stored: emphasis, links and images, code, HTML and entities, escapes, headings,
# lists, quotes, rules. A text without any is shown as it is (rendering it costs a bleach pass).
_TAG = re.compile(r"<[^>]*>")
_MARKUP = re.compile(r"[!#&*+\-.<=>\[\\\]_`|~]")


@functools.lru_cache(maxsize=_CACHE)
def seen_text(text: str) -> str:
    """``text`` as a reader sees it on the page: CKAN's Markdown rendering (without its
    ``tag:``/``dataset:`` auto-links, which keep their text), the HTML's visible text, each
    block on its own line (the renderer's line breaks), alt and title texts after it."""
    if not text or not text.strip():
        return ""
    if not _MARKUP.search(text):
        return text
    import lxml.etree
    import lxml.html
    from ckan.lib.helpers import render_markdown

    # a lone surrogate (refused at the door; an internal writer may pass one) made lxml drop
    # the whole text
    rendered = str(render_markdown(text, auto_link=False)).encode("utf-8", "replace").decode("utf-8")
    if not rendered.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(rendered, create_parent=True)
    except (lxml.etree.ParserError, ValueError):  # never seen: read it without its tags anyway
        return html.unescape(_TAG.sub("", rendered))
    shown = root.text_content()
    extra = [str(el.get(attr)) for el in root.iter() if isinstance(el.tag, str)
             for attr in ("alt", "title") if el.get(attr)]
    return "\n".join([shown, *extra]) if extra else shown


def markdown_reader(fields: Collection[str]) -> Callable[[str, str], str | None]:
    """For ``scanner.scan_text_fields``: the reader's text of a field named in ``fields``
    when it differs from the stored text (None otherwise: nothing more to scan)."""
    names = frozenset(fields)

    def seen(field: str, text: str) -> str | None:
        if field not in names:
            return None
        shown = seen_text(text)
        return shown if shown and shown.strip() != text.strip() else None
    return seen
