"""The demo's accounts beside the sysadmin (``make run`` only, never production): someone to
try publishing with, the organization's admin who approves its reviews, and a provincial
reviewer (listed in ``ckanext.guangdong.safety.reviewers`` of the demo's ini only)."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

ORGANIZATION = "gdstats"  # 广东省统计局, a provincial department of the demo catalog

# user name -> (full name, role in ORGANIZATION or None)
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "demo-editor": ("统计局数据编辑（演示）", "editor"),
    "demo-orgadmin": ("统计局数据管理员（演示）", "admin"),
    "demo-reviewer": ("省级审核员（演示）", None),
}
REVIEWERS = ("demo-reviewer",)


def create(passwords: dict[str, str]) -> list[str]:
    """Create the accounts that are missing (with the given passwords) and their memberships;
    existing accounts keep their passwords. The names of those created."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx: Context = {"user": site_user["name"], "ignore_auth": True}
    created = []
    for name, (fullname, role) in ACCOUNTS.items():
        if model.User.get(name) is None:
            tk.get_action("user_create")(ctx.copy(), {
                "name": name, "fullname": fullname, "email": f"{name}@open.gd.gov.cn",
                "password": passwords[name]})
            created.append(name)
        if role is not None:
            tk.get_action("organization_member_create")(ctx.copy(), {
                "id": ORGANIZATION, "username": name, "role": role})
    return created
