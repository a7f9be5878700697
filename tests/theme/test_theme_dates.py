"""Dates with their time (the review pages' submitted and decided times, the negative list's
versions) read like every other date of the page's language: CKAN wrote them in an English
pattern with Chinese month names ("十二月 1, 2026, 22:31 (+0800)")."""
from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.usefixtures("gd_plugins")

WHEN = dt.datetime(2026, 12, 1, 14, 31, tzinfo=dt.timezone.utc)  # 22:31 in Guangdong


@pytest.mark.parametrize("path,lang,date_only,with_hours", [
    ("/", "zh_Hans_CN", "2026年12月1日", "2026年12月1日 22:31"),
    ("/en/", "en", "December 1, 2026", "December 1, 2026 22:31"),
])
def test_dates_with_hours_read_like_dates(gd_app, path, lang, date_only, with_hours):
    import ckan.plugins.toolkit as tk
    from flask import request
    with gd_app.flask_app.test_request_context(path):
        request.environ["CKAN_LANG"] = lang
        assert tk.h.render_datetime(WHEN) == date_only
        assert tk.h.render_datetime(WHEN, with_hours=True) == with_hours
        assert tk.h.render_datetime(WHEN.isoformat(), with_hours=True) == with_hours
        assert tk.h.render_datetime(WHEN, with_hours=True, with_seconds=True) == with_hours + ":00"
        assert tk.h.render_datetime(None, with_hours=True) == ""
        assert tk.h.render_datetime(WHEN, date_format="%Y-%m-%d") == "2026-12-01"


def test_the_dataset_and_resource_days_are_beijing_days(gd_app):
    """A dataset's 最后更新 and a resource's 发布日期 / 更新日期 fall back on its stored times
    (UTC): at 21:33 UTC they named the day before Beijing's (trial 8, item 6), beside the
    safety page's Beijing times."""
    import ckan.plugins.toolkit as tk
    late = "2026-12-01T21:33:00.000000"  # 05:33 on 2 December in Guangdong
    with gd_app.flask_app.test_request_context("/"):
        assert tk.h.guangdong_dataset_facts({"metadata_modified": late})["modified"] == "2026-12-02"
        assert tk.h.guangdong_local_day(late) == "2026-12-02"
        assert tk.h.guangdong_local_day(None) == ""
