"""Template helpers of the safety feature (blanket-registered, all prefixed ``guangdong_``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["guangdong_safety_status", "guangdong_safety_label", "guangdong_safety_is_reviewer",
           "guangdong_safety_review_count", "guangdong_safety_reviews_org",
           "guangdong_safety_rules", "guangdong_safety_harvest_held", "guangdong_safety_returned",
           "guangdong_safety_punct", "guangdong_safety_time", "guangdong_safety_reviewed_orgs",
           "guangdong_safety_birth_columns", "guangdong_safety_list_withdrawn",
           "guangdong_safety_finding_head"]

_ = tk._


def guangdong_safety_status(package_id: str) -> dict[str, Any] | None:
    """The dataset's publication state when the current user may see it (its publishers and
    reviewers), else None."""
    try:
        return tk.get_action("guangdong_safety_status")({"user": tk.g.user}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None


def _labels() -> dict[str, str]:
    return {
        # detectors
        "resident_id": _("Resident ID number"), "mobile": _("Mobile number"),
        "bank_card": _("Bank card number"), "passport": _("Passport number"),
        "travel_permit": _("Travel permit number (HK/Macao/Taiwan)"), "email": _("E-mail address"),
        "vehicle_plate": _("Vehicle plate"), "person_name": _("Person name"),
        "address": _("Home address"), "landline": _("Landline number"),
        "masked_id_birth_date": _("Masked ID numbers can be rebuilt with the birth-date column"),
        # holds
        "pending_scan": _("Waiting for the personal data check"),
        "scan_failed": _("The file could not be checked"),
        "findings": _("Personal data found in a file"),
        "negative_list": _("On the negative list: its metadata, or a file column holding unmasked values"),
        "metadata": _("Personal data found in the description"),
        "review": _("Waiting for review"),
        # request states
        "requested": _("Publication requested"), "approved": _("Approved"),
        "returned": _("Returned with comments"), "withdrawn": _("Request withdrawn"),
        "published": _("Published"),
        # scan states
        "queued": _("Waiting"), "clean": _("No personal data found"),
        "failed": _("Could not be checked"),
        # audit actions
        "submitted": _("Submitted for publication"), "held": _("Held back"),
        "released": _("Made public"), "cleared": _("Findings cleared"),
        "negative_list_saved": _("Negative list saved"), "negative_list_forced": _("Set to not open by the negative list"),
        "org_review_set": _("Review setting changed"), "deidentified": _("De-identified copy made"),
        "release_failed": _("Could not be made public"),
        "hold_undone": _("Hold taken back: the change failed"),
        "file_removed": _("File with findings removed"),
        "edited_after_review": _("Changed after review: needs a new review"),
        # fields
        "name": _("URL name"), "title": _("Title"), "notes": _("Description"), "tags": _("Tags"),
        "theme": _("Themes"), "data_items": _("Data items"), "identifier": _("Identifier"),
        "access_conditions": _("Access conditions"), "contact_name": _("Contact name"),
        "publisher_name": _("Publisher name"), "data_items.name": _("Data item name"),
        "data_items.description": _("Data item description"), "resources.name": _("Resource name"),
        "resources.description": _("Resource description"),
        # de-identification rules
        "mask": _("Mask"), "truncate": _("Truncate"), "month": _("Date to month"),
        "year": _("Date to year"), "hash": _("Salted hash (join key)"), "drop": _("Leave out"),
        "keep": _("Keep"),
    }


def guangdong_safety_label(key: str | None) -> str:
    key = key or ""
    return _labels().get(key) or _schema_label(key) or key


def guangdong_safety_finding_head(finding: dict[str, Any]) -> str:
    """"column：kind" of a finding (``姓名：姓名`` read twice: trial 9), or the kind alone when
    the column is named after it."""
    label = guangdong_safety_label(finding.get("detector"))
    column = str(finding.get("column") or "")
    return label if not column or column == label else column + guangdong_safety_punct("：") + label


def _schema_label(key: str) -> str | None:
    """A field's label in the schemas (dataset, application; ``resources.x`` for a file's
    field) in the page's language: every text field is scanned, not only those named above."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    from flask_babel import get_locale
    part, name = ("resource_fields", key[len("resources."):]) if key.startswith("resources.") \
        else ("dataset_fields", key)
    lang = "en" if str(get_locale() or "").startswith("en") else "zh_Hans_CN"
    for kind in ("dataset", "application"):
        for field in (scheming_get_dataset_schema(kind) or {}).get(part) or []:
            label = field.get("label")
            if field.get("field_name") == name and isinstance(label, dict):
                return label.get(lang) or label.get("zh_Hans_CN")
    return None


def guangdong_safety_is_reviewer() -> bool:
    """Whether the review queue (审核队列) is linked for the current user: sysadmins, the
    provincial reviewers, the admins of an organisation whose publications are reviewed, and
    anyone with a request waiting for them (an admin of an organisation without review still
    decides on findings). Never anonymous visitors or plain editors. Asked once a request."""
    import flask
    cached = getattr(flask.g, "guangdong_safety_is_reviewer", None)
    if cached is None:
        cached = _is_reviewer()
        flask.g.guangdong_safety_is_reviewer = cached
    return cached


def _is_reviewer() -> bool:
    from . import gate
    user = tk.g.user if tk.g else None
    if not user:
        return False
    if gate.is_provincial_reviewer(user):
        return True
    orgs = _admin_orgs(user)
    if not orgs:
        return False
    return any(gate.org_needs_review(org_id) for org_id in orgs) or guangdong_safety_review_count() > 0


def _admin_orgs(user: str) -> list[str]:
    from ckan import model as ckan_model
    user_obj = ckan_model.User.get(user)
    if user_obj is None:
        return []
    rows = (ckan_model.Session.query(ckan_model.Member.group_id)
            .join(ckan_model.Group, ckan_model.Group.id == ckan_model.Member.group_id)
            .filter(ckan_model.Member.table_name == "user", ckan_model.Member.table_id == user_obj.id,
                    ckan_model.Member.state == "active", ckan_model.Member.capacity == "admin",
                    ckan_model.Group.is_organization.is_(True), ckan_model.Group.state == "active"))
    return [group_id for (group_id,) in rows]


def guangdong_safety_review_count() -> int:
    """How many publication requests wait for the current user's decision (0 when signed out)."""
    import flask
    cached = getattr(flask.g, "guangdong_safety_review_count", None)
    if cached is not None:
        return cached
    count = 0
    if tk.g and tk.g.user:
        try:
            count = tk.get_action("guangdong_safety_review_queue")(
                {"user": tk.g.user}, {"limit": 1})["count"]
        except tk.NotAuthorized:
            count = 0
    flask.g.guangdong_safety_review_count = count
    return count


def guangdong_safety_reviews_org(org_id: str | None) -> bool:
    """Whether the current user reviews this organisation's publications and it has review
    (its page links the queue for them)."""
    from . import gate
    user = tk.g.user if tk.g else None
    return bool(user) and gate.is_reviewer_of(user, org_id) and gate.org_needs_review(org_id)


def guangdong_safety_reviewed_orgs() -> list[str]:
    """The organisations the current user may publish in whose publications the user cannot
    publish without a review (display names): the dataset form says that 公开 means "public
    after review" there (trial 8: the editor was not told when choosing 公开)."""
    from . import gate
    user = tk.g.user if tk.g else None
    if not user:
        return []
    orgs = tk.h.organizations_available("create_dataset")
    return [o.get("display_name") or o.get("name") for o in orgs
            if gate.user_needs_review(user, o.get("id"))]


def guangdong_safety_rules(detector: str | None = None) -> list[str]:
    """The de-identification rules; for a column's finding only those that fit it: the date
    rules only for a date of birth (the one in an ID number), not for a mobile number."""
    from .deidentify import RULES
    if detector is None:
        return list(RULES)
    from .detectors import MASKED_ID_BIRTH, RESIDENT_ID
    if detector == MASKED_ID_BIRTH:
        # a birth-date column beside masked IDs (a month left narrows each to about 3 numbers;
        # kept, the copy's scan finds it again unless the ID column is hashed or left out)
        return ["year", "drop", "keep"]
    return [r for r in RULES if r not in ("month", "year") or detector == RESIDENT_ID]


def guangdong_safety_birth_columns(file: dict[str, Any]) -> list[str]:
    """A scanned file's columns of birth dates that would give its ID numbers back once they
    are masked: the de-identify form offers them 日期泛化到年 (chosen) or 删除该列."""
    from .deidentify import birth_columns
    findings = [f for f in file.get("findings") or [] if isinstance(f, dict)]
    header = [str(c) for c in file.get("columns") or []]
    header += [str(p) for f in findings for p in f.get("columns") or []]
    return birth_columns(dict.fromkeys(header), findings)


# full-width marks in Chinese, ASCII ones with their spaces in any other language (trial 8:
# "No personal data found（18 rows checked）" on English pages)
_ASCII_MARKS = {"：": ": ", "（": " (", "）": ")", "，": ", ", "。": ". ", "；": "; ", "、": ", "}


def guangdong_safety_punct(mark: str) -> str:
    """The punctuation mark ``mark`` (written full-width) for the page's language."""
    lang = tk.h.lang() or ""
    return mark if lang.startswith("zh") else _ASCII_MARKS.get(mark, mark)


def guangdong_safety_time(value: Any) -> str:
    """A date and time with its time zone named (trial 8: audit times were China time without
    saying so, beside UTC dates)."""
    if not value:
        return ""
    zone = tk.config.get("ckan.display_timezone") or "UTC"
    shown = tk.h.render_datetime(value, with_hours=True)
    label = _("Beijing time") if zone in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else zone
    return f"{shown} {label}" if shown else ""


def guangdong_safety_harvest_held(job_id: str) -> list[dict[str, Any]]:
    """For a harvest job's report: the datasets it imported that the gate holds back (findings,
    failed or pending scans, negative list), as far as the viewer may see them."""
    from ckan import model as ckan_model
    from ckanext.harvest.model import HarvestObject

    from . import gate, tables
    ids = [pid for (pid,) in ckan_model.Session.query(HarvestObject.package_id)
           .filter(HarvestObject.harvest_job_id == job_id, HarvestObject.package_id.isnot(None))
           .distinct()]
    forced = {a["package_id"] for a in tables.audit_trail(actions=("negative_list_forced",), limit=1000)
              if a["package_id"] in ids}
    out = []
    for pid in ids:
        pkg = ckan_model.Package.get(pid)
        if pkg is None or pkg.state != "active":
            continue
        holds = gate.current_holds(pkg)
        if not holds and pid not in forced:
            continue
        status = guangdong_safety_status(pid)
        if status is None:
            continue
        out.append({"status": status, "holds": holds, "negative_list": pid in forced})
    return out


def guangdong_safety_returned() -> list[dict[str, Any]]:
    """The current user's datasets a reviewer returned (退回) with comments, for the dashboard's
    notice: those the user requested or created and may still edit (name, title, comment,
    reviewed_at). Cached for the request."""
    return _request_cached("guangdong_safety_returned", _returned)


def _request_cached(name: str, compute: Any) -> list[dict[str, Any]]:
    """``compute()``, once per request (kept on flask.g under ``name``)."""
    import flask
    cached = getattr(flask.g, name, None)
    if cached is None:
        cached = compute()
        setattr(flask.g, name, cached)
    return cached


def _signed_in_user() -> Any:
    """The signed-in user's model object, or None."""
    from ckan import model as ckan_model
    user = tk.g.user if tk.g else None
    return ckan_model.User.get(user) if user else None


def _users_own(pub: dict[str, Any], pkg: Any, user_obj: Any) -> bool:
    """Whether the user requested or created the dataset and may still change it (a former
    member is not told)."""
    if pub.get("submitted_by") != user_obj.name and pkg.creator_user_id != user_obj.id:
        return False
    try:
        tk.check_access("package_update", {"user": user_obj.name}, {"id": pkg.id})
    except tk.NotAuthorized:
        return False
    return True


def _returned() -> list[dict[str, Any]]:
    from ckan import model as ckan_model

    from . import gate, tables
    user_obj = _signed_in_user()
    if user_obj is None:
        return []
    found: list[dict[str, Any]] = []
    for pub in tables.publications((gate.RETURNED,)):
        pkg = ckan_model.Package.get(pub["package_id"])
        if pkg is None or pkg.state != "active" or not _users_own(pub, pkg, user_obj):
            continue
        found.append({"id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name,
                      "comment": pub.get("comment") or "", "reviewed_at": pub.get("reviewed_at")})
    found.sort(key=lambda r: str(r["reviewed_at"] or ""), reverse=True)
    return found


def guangdong_safety_list_withdrawn() -> list[dict[str, Any]]:
    """The current user's datasets a negative-list save took out of public view and that are
    still held by it (trial 9 item 8): those the user requested or created and may still edit
    (name, title, the categories, who saved the list, when and why). Cached for the request."""
    return _request_cached("guangdong_safety_list_withdrawn", _list_withdrawn)


def _list_withdrawn() -> list[dict[str, Any]]:
    from ckan import model as ckan_model

    from . import gate, tables
    from .logic.action import list_withdrawal, message_lang
    user_obj = _signed_in_user()
    if user_obj is None:
        return []
    swept = tables.held_by_negative_list()
    lang = message_lang()
    named = {c.id: c.name.get(lang) or c.name["zh_Hans_CN"] for c in gate.negative_categories()}
    found: list[dict[str, Any]] = []
    for pub in tables.publications(gate.OPEN_REQUEST):
        if pub["package_id"] not in swept:
            continue
        pkg = ckan_model.Package.get(pub["package_id"])
        if pkg is None or pkg.state != "active" or not pkg.private:
            continue
        last_hold = next(iter(tables.audit_trail(pkg.id, actions=("held",), limit=1)), None)
        withdrawal = list_withdrawal(pub, last_hold)
        if withdrawal is None or not _users_own(pub, pkg, user_obj):
            continue
        # named in the page's language by the list in force (the entry keeps the Chinese names)
        names = [named.get(m.get("category"), m.get("name"))
                 for m in (last_hold or {}).get("details", {}).get("matches") or []]
        found.append({"id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name,
                      "categories": list(dict.fromkeys(n for n in names if n)), **withdrawal})
    found.sort(key=lambda r: str(r["at"] or ""), reverse=True)
    return found
