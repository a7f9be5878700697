"""Pages of the safety feature: a dataset's publication and personal-data check (for its
publishers and reviewers), the review queue (审核), and the negative list editor (sysadmins)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint

guangdong_safety = Blueprint("guangdong_safety", __name__)
__all__ = ["guangdong_safety"]

_ = tk._
OPERATIONS = {
    "submit": ("guangdong_safety_submit", ()),
    "withdraw": ("guangdong_safety_withdraw", ()),
    "approve": ("guangdong_safety_approve", ("comment",)),
    "return": ("guangdong_safety_return", ("comment",)),
    "clear": ("guangdong_safety_clear", ("reason",)),
    "deidentify": ("guangdong_safety_deidentify", ("resource_id", "publish")),
}
DONE = {
    "submit": "Publication requested: the dataset becomes public when nothing stands in its way.",
    "withdraw": "The publication request was withdrawn.",
    "approve": "Approved.",
    "return": "Returned to the publisher with your comments.",
    "clear": "The findings were cleared; your reason is kept in the audit trail.",
    "deidentify": "A de-identified copy was added to the dataset.",
}


def _context() -> Context:
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


def _error_text(e: tk.ValidationError) -> str:
    parts = []
    for value in (e.error_dict or {}).values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts) or str(e)


def dataset_safety(id: str, error: str = "", status: int = 200) -> Any:
    try:
        state = tk.get_action("guangdong_safety_status")(_context(), {"id": id})
        pkg = tk.get_action("package_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the dataset's publishers and reviewers may see this"))
    except tk.ValidationError:
        return tk.abort(404, _("Dataset not found"))
    return tk.render("safety/dataset.html", {"pkg_dict": pkg, "state": state, "error": error}), status


def dataset_safety_post(id: str, op: str) -> Any:
    if op not in OPERATIONS:
        return tk.abort(404)
    action, fields = OPERATIONS[op]
    form = tk.request.form
    data: dict[str, Any] = {"id": id}
    for key in fields:
        if key in form:
            data[key] = form.get(key)
    if op == "deidentify":
        rules = {}
        for key in form:
            if key.startswith("rule:") and form.get(key):
                rules[key[5:]] = form.get(key)
        data["rules"] = rules
    try:
        tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized"))
    except tk.ValidationError as e:
        # the page again with the message beside the form, as CKAN's own forms answer a
        # refused submission (200: a browser logs a 4xx page as an error)
        return dataset_safety(id, error=_error_text(e))
    done = DONE[op]
    if op == "deidentify" and tk.asbool(data.get("publish")):
        # the original was deleted and the copy took its place (trial 8: said "added")
        done = "The original file was replaced by its de-identified copy; publication was requested."
    tk.h.flash_success(_(done))
    try:
        tk.check_access("package_show", _context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        # a reviewer who returned a dataset reads it no more: back to the queue, not a 404
        return tk.redirect_to("guangdong_safety.review_queue")
    return tk.redirect_to("guangdong_safety.dataset_safety", id=id)


def review_queue() -> Any:
    if not tk.g.user:
        return tk.abort(403, _("Sign in to see the review queue"))
    from ckanext.guangdong import params
    try:
        page = params.as_int(tk.request.args, "page", 1, 1, 10_000)
    except tk.ValidationError as e:
        return tk.abort(400, _error_text(e))
    per_page = 20
    queue = tk.get_action("guangdong_safety_review_queue")(
        _context(), {"limit": per_page, "offset": (page - 1) * per_page})
    return tk.render("safety/queue.html", {"queue": queue, "page": page, "per_page": per_page})


def negative_list() -> Any:
    context = _context()
    try:
        tk.check_access("guangdong_safety_negative_list_update", context, {})
    except tk.NotAuthorized:
        return tk.abort(403, _("Only sysadmins may edit the negative list"))
    error, status, content, comment = "", 200, None, ""
    if tk.request.method == "POST":
        content = tk.request.form.get("content", "")
        comment = tk.request.form.get("comment", "")
        try:
            tk.get_action("guangdong_safety_negative_list_update")(context, {"content": content, "comment": comment})
            tk.h.flash_success(_("The negative list was saved."))
            return tk.redirect_to("guangdong_safety.negative_list")
        except tk.ValidationError as e:
            error, status = _error_text(e), 400
    shown = tk.get_action("guangdong_safety_negative_list_show")(context, {})
    audit = tk.get_action("guangdong_safety_audit_list")(context, {"limit": 50})
    return tk.render("safety/negative_list.html", {
        "shown": shown, "content": shown["content"] if content is None else content,
        "comment": comment, "error": error,
        "audit": [a for a in audit if a["action"] in ("negative_list_saved", "negative_list_forced")
                  or (a["action"] == "held" and (a.get("details") or {}).get("negative_list_version"))]}), status


guangdong_safety.add_url_rule("/dataset/<id>/safety", view_func=dataset_safety, methods=["GET"])
guangdong_safety.add_url_rule("/dataset/<id>/safety/<op>", view_func=dataset_safety_post, methods=["POST"])
guangdong_safety.add_url_rule("/review", view_func=review_queue, methods=["GET"])
guangdong_safety.add_url_rule("/ckan-admin/negative-list", view_func=negative_list, methods=["GET", "POST"])
