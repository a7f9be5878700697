"""Asset bundles built once per web process (theme/asset_bundles.py), not on every request."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_pages_do_not_build_or_check_bundles(gd_app: Any, monkeypatch: Any) -> None:
    from ckan.lib import webassets_tools
    from webassets.bundle import Bundle

    built: list[str] = []
    real = Bundle._build

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Bundle, "_build", counting)
    pages = []
    for query in ("bundles-one", "bundles-two"):  # two searches: neither from the page cache
        answer = gd_app.get(f"/dataset/?q={query}")
        assert answer.status_code == 200
        pages.append(answer.body)
    assert built == []  # before: every bundle the page includes, on each request
    assert webassets_tools.env.auto_build is False
    # the pages still name the built style sheet, as webassets does
    css = webassets_tools.env["guangdong_theme/main-css"].urls()[0]
    assert css.endswith(".css") and all(css in page for page in pages)


def test_debug_keeps_checking_the_sources(monkeypatch: Any) -> None:
    from ckan.lib import webassets_tools

    from ckanext.guangdong.theme.asset_bundles import build_once

    monkeypatch.setattr(webassets_tools.env, "auto_build", True)
    assert build_once({"debug": "true"}) is False
    assert webassets_tools.env.auto_build is True
    assert build_once({"debug": "false"}) is True
    assert webassets_tools.env.auto_build is False
