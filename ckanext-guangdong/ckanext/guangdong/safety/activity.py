"""Past activity of a dataset that is private now (held by the gate, or made private) follows
its current permission labels: CKAN stores each activity with the labels the dataset had when it
was recorded, so entries from its public days would still name it (title, description, files)
to everyone in organisation, user and "recently changed" streams. Labels are only narrowed,
never widened: an entry recorded while the dataset was held may hold what the hold is about,
and stays for its organisation after a release."""
from __future__ import annotations

import ckan.plugins as p
from ckan import model
from sqlalchemy import text


def restrict_to_current(package_id: str) -> int:
    """Give the dataset's activity entries its current labels when it is private; returns how
    many entries changed."""
    if not p.plugin_loaded("activity"):
        return 0
    from ckan.lib.plugins import get_permission_labels
    pkg = model.Package.get(package_id)
    if pkg is None or not pkg.private:
        return 0
    labels = list(get_permission_labels().get_dataset_labels(pkg))
    result = model.Session.execute(text(
        "UPDATE activity SET permission_labels = CAST(:labels AS text[]) "
        "WHERE object_id = :id AND permission_labels IS DISTINCT FROM CAST(:labels AS text[])"),
        {"labels": labels, "id": pkg.id})
    return int(getattr(result, "rowcount", 0) or 0)
