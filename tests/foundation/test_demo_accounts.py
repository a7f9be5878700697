"""`make run`'s demo accounts: a department editor, its organization admin and a provincial
reviewer, made once with generated passwords (scripts/setup.sh keeps them in var/secrets/), and
only in the demo's ini (the tests' and docker's name no reviewer)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _render(profile: str, var: Path) -> str:
    (var / "secrets").mkdir(parents=True, exist_ok=True)
    for name in ("db_password", "secret_key", "datastore_write_password", "datastore_read_password"):
        (var / "secrets" / name).write_text("x")
    env = {**os.environ, "GD_VAR": str(var)}
    env.pop("GD_TEST_DB", None)
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_config.py"), profile],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    return Path(out).read_text(encoding="utf-8")


def test_only_the_demo_names_the_demo_reviewer(tmp_path: Path) -> None:
    assert "ckanext.guangdong.safety.reviewers = demo-reviewer\n" in _render("run", tmp_path)
    assert "ckanext.guangdong.safety.reviewers = \n" in _render("test", tmp_path)
    assert "demo-" not in _render("test", tmp_path)
    spec = importlib.util.spec_from_file_location("gd_render_ini", ROOT / "docker" / "ckan" / "render_ini.py")
    assert spec and spec.loader
    assert "demo-" not in (ROOT / "docker" / "ckan" / "render_ini.py").read_text(encoding="utf-8")


@pytest.mark.usefixtures("gd_plugins")
def test_demo_accounts_can_publish_and_review() -> None:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan import authz
    from ckan.tests import factories

    from ckanext.guangdong.demo import accounts
    if model.Group.get(accounts.ORGANIZATION) is None:
        factories.Organization(name=accounts.ORGANIZATION)
    for name in accounts.ACCOUNTS:  # a previous run of this test on the same database
        user = model.User.get(name)
        if user is not None:
            model.Session.query(model.Member).filter_by(table_name="user", table_id=user.id).delete()
            model.Session.query(model.ApiToken).filter_by(user_id=user.id).delete()
            model.Session.delete(user)
            model.repo.commit_and_remove()
    passwords = {name: f"pw-{name}-0123456789" for name in accounts.ACCOUNTS}
    assert sorted(accounts.create(passwords)) == sorted(accounts.ACCOUNTS)
    for name, password in passwords.items():
        user = model.User.get(name)
        assert user is not None and user.validate_password(password)
        assert not user.sysadmin
    org = model.Group.get(accounts.ORGANIZATION)
    assert org is not None
    assert authz.users_role_for_group_or_org(org.id, "demo-editor") == "editor"
    assert authz.users_role_for_group_or_org(org.id, "demo-orgadmin") == "admin"
    assert authz.users_role_for_group_or_org(org.id, "demo-reviewer") is None
    tk.check_access("package_create", {"user": "demo-editor"}, {"owner_org": org.id})
    # made once: a second run keeps the passwords
    assert accounts.create({name: "other-password-0123" for name in accounts.ACCOUNTS}) == []
    demo_editor = model.User.get("demo-editor")
    assert demo_editor is not None and demo_editor.validate_password(passwords["demo-editor"])
