"""Making the catalog and the people of the browser journeys through CKAN's actions."""
from __future__ import annotations

import io
import re
from typing import Any

PASSWORD = "Browser-Journey-2026"


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _upload(filename: str, content: bytes, mimetype: str) -> Any:
    from werkzeug.datastructures import FileStorage
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=mimetype)


def ensure_org(name: str, title: str, region_code: str, org_type: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    try:
        return tk.get_action("organization_show")(_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.get_action("organization_create")(_context(), {
            "name": name, "title": title, "description": f"{title}（测试用）",
            "region_code": region_code, "org_type": org_type})


def make_person(fullname: str, sysadmin: bool = False) -> dict[str, Any]:
    """A user with a known password (they log in through the form)."""
    from gd_testing import make_sysadmin, make_user
    maker = make_sysadmin if sysadmin else make_user
    return maker(fullname=fullname, password=PASSWORD, image_url="")  # (the factory draws an outside image)


def user_titles() -> tuple[str, ...]:
    """Titles and names people typed (datasets, applications, organizations, resources;
    other tests' too)."""
    from ckan import model
    q = model.Session.query
    rows = q(model.Package.title).union(q(model.Group.title), q(model.Group.name), q(model.Resource.name)).all()
    texts = [t for (t,) in rows if t]
    # Chinese descriptions people wrote may embed Latin acronyms (AQI, PM2.5): those words too.
    # (English-only descriptions add nothing, so the portal's own English stays caught.)
    for (notes,) in q(model.Package.notes).filter(model.Package.notes.op("~")("[一-龥]")):
        texts += re.findall(r"[A-Za-z][A-Za-z.]*[A-Za-z]", notes)
    return tuple(texts)
