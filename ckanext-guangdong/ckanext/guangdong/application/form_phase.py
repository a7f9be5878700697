"""The new-application form is saved in one step.

An application has no files, so its form has no "add data" step. CKAN's form carries a
hidden ``_ckan_phase=dataset_new_1``, and CKAN's create view then saves a draft and moves on
to that step, where an application could not be finished (trial 7: it stayed a draft; the
older test posted an empty phase, which no browser sends). Before the view runs, the post of
the new-application form carries an empty phase, which makes CKAN create it whole.
"""
from __future__ import annotations

import re

_NEW_APPLICATION = re.compile(r"^(?:/[A-Za-z_]{2,12})?/application/new/?$")


def keep_one_step() -> None:
    """Flask ``before_request``: see the module's docstring."""
    from flask import request
    from werkzeug.datastructures import ImmutableMultiDict
    if request.method != "POST" or not _NEW_APPLICATION.match(request.path):
        return
    if not any(request.form.getlist("_ckan_phase")):
        return
    items = [(key, value) for key, value in request.form.items(multi=True) if key != "_ckan_phase"]
    request.__dict__["form"] = ImmutableMultiDict([*items, ("_ckan_phase", "")])  # werkzeug's cache
