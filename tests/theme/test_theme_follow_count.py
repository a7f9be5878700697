"""Follower counts of a page (theme/helpers.py follow_count): CKAN's, counted once per request."""
from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_dataset_page_counts_its_followers_once(gd_app: Any, monkeypatch: Any) -> None:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

    from ckanext.guangdong.theme import page_cache
    org = make_org()
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(org["id"], title="关注计数测试数据集"))
    for _ in range(3):
        tk.get_action("follow_dataset")({"user": make_user()["name"]}, {"id": pkg["id"]})
    counted = []
    real = model.UserFollowingDataset.follower_count.__func__

    def counting(cls: Any, object_id: str) -> int:
        counted.append(object_id)
        return real(cls, object_id)

    monkeypatch.setattr(model.UserFollowingDataset, "follower_count", classmethod(counting))
    page_cache.bump_version()  # rendered, not the anonymous page cache's copy
    body = gd_app.get(f"/dataset/{pkg['name']}").body
    assert counted == [pkg["id"]]  # twice before, for the same figure
    assert re.search(r"<dd>\s*<span[^>]*>3</span>\s*</dd>", body)  # the figure shown
    with gd_app.flask_app.test_request_context("/"):
        assert tk.h.follow_count("dataset", pkg["id"]) == 3
        assert tk.h.follow_count("Dataset", pkg["id"]) == 3
        assert len(counted) == 2  # once more, in this request
