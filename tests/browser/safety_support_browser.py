"""A negative list with one extra category for the length of a ``with`` block (the review
journey shows a negative-list match in the queue)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

EXTRA = """
  - id: browser-test
    name: {{zh_Hans_CN: 测试类别, en: 测试类别}}
    reason: {{zh_Hans_CN: 测试用。, en: For the test.}}
    rule: {{zh_Hans_CN: 测试依据, en: Test rule}}
    keywords: [{word}]
    themes: []
    data_items: []
    identifier_prefixes: []
"""


@contextmanager
def negative_list_with(word: str) -> Iterator[None]:
    import ckan.plugins.toolkit as tk
    from browser_catalog import _context
    ctx = _context()
    original = tk.get_action("guangdong_safety_negative_list_show")(dict(ctx), {})["content"]
    tk.get_action("guangdong_safety_negative_list_update")(dict(ctx), {
        "content": original.rstrip("\n") + "\n" + EXTRA.format(word=word), "comment": "浏览器测试"})
    try:
        yield
    finally:
        tk.get_action("guangdong_safety_negative_list_update")(dict(ctx), {"content": original, "comment": "恢复"})
