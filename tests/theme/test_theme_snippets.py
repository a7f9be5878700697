"""Note snippets of list pages (theme/helpers.py markdown_extract): CKAN's own answer, kept."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_markdown_extract_is_ckans_answer_and_is_kept(gd_app) -> None:
    import ckan.lib.helpers as ckan_helpers
    import ckan.plugins.toolkit as tk
    from ckanext.guangdong.theme import helpers
    text = f"**广州市**公交线路 <script>x</script> [链接](http://127.0.0.1/) {uuid.uuid4().hex} " * 8
    calls = []

    def counting(value: str, extract_length: int = 190) -> str:
        calls.append(value)
        return ckan_helpers.markdown_extract(value, extract_length)
    with gd_app.flask_app.test_request_context():
        assert tk.h.markdown_extract(text, 80) == ckan_helpers.markdown_extract(text, 80)
    first = helpers.markdown_extract(counting, text, 60)
    again = helpers.markdown_extract(counting, text, 60)
    assert first == again == ckan_helpers.markdown_extract(text, 60)
    assert "<script>" not in first and len(first) <= 60
    assert len(calls) == 1  # the second came from the cache
    assert helpers.markdown_extract(counting, text, 61) == ckan_helpers.markdown_extract(text, 61)
    assert len(calls) == 2  # another length is another answer
