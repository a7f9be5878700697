"""Actions of the safety feature (blanket-registered by plugin.py): the gate on every dataset
write, the review (审核), clearances, the negative list and de-identification."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import unquote

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from flask import has_request_context
from flask_babel import force_locale

from ckanext.guangdong import params
from ckanext.guangdong.metadata import openness

from .. import gate, job, negative_list, stored, tables
from ..scanner import as_text
from . import datastore_review

log = logging.getLogger(__name__)
_ = tk._

__all__ = [
    "package_create", "package_update", "bulk_update_public", "datastore_create", "datastore_upsert",
    "datastore_delete",
    "resource_view_create", "resource_view_update",
    "guangdong_safety_status", "guangdong_safety_submit", "guangdong_safety_withdraw",
    "guangdong_safety_approve", "guangdong_safety_return", "guangdong_safety_clear",
    "guangdong_safety_review_queue", "guangdong_safety_negative_list_check",
    "guangdong_safety_negative_list_show", "guangdong_safety_negative_list_update",
    "guangdong_safety_org_review_set", "guangdong_safety_audit_list", "guangdong_safety_deidentify",
    "activity_create",
    "organization_create", "organization_update", "group_create", "group_update",
    "user_create", "user_update",
    "guangdong_safety_rescan_links",
]
# registered only where that plugin is loaded (chaining an action that does not exist fails)
CHAINED_IF_LOADED = {"activity_create": "activity"}

MAX_TEXT = 2000


def message_lang() -> str:
    """The language ``_()`` answers in, so that our messages and the negative list's texts
    inside them agree: the request's locale (a page's URL, the API's Accept-Language,
    ``force_locale``); outside a request gettext has no catalogue and gives the English msgids."""
    from flask_babel import get_locale
    if not has_request_context():
        return "en"
    return "en" if str(get_locale() or "").startswith("en") else "zh_Hans_CN"


def _text(data: DataDict, key: str, required: bool) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise tk.ValidationError({key: [_("Must be text")]})
    value = value.strip()
    if "\x00" in value:
        raise tk.ValidationError({key: [_("Must not contain NUL characters")]})
    if required and not value:
        raise tk.ValidationError({key: [_("Please give a reason")]})
    if len(value) > MAX_TEXT:
        raise tk.ValidationError({key: [_("At most %(n)s characters") % {"n": MAX_TEXT}]})
    return value


def _package(data: DataDict) -> Any:
    from ckan import model as ckan_model
    pid = params.as_id(data, "id")
    if not pid:
        raise tk.ValidationError({"id": [_("Missing value")]})
    pkg = ckan_model.Package.get(pid)
    if pkg is None or pkg.type not in gate.GATED_TYPES or pkg.state == "deleted":
        raise tk.ObjectNotFound(_("Dataset not found"))
    return pkg


# --- the gate on every dataset write -----------------------------------------------------------
def _matched_what(field: str) -> str:
    """What of the dataset matched, so that the publisher sees why (a data item named 身份证号
    matches 敏感个人信息 through the category's list of data items, not through its reason)."""
    return {"title": _("the keyword in the title"), "notes": _("the keyword in the description"),
            "tags": _("the keyword in the tags"), "theme": _("the data domain"),
            "data_items": _("the data item"), "identifier": _("the identifier prefix"),
            "file_column": _("the file column")}.get(field, _("the keyword"))


def negative_list_message(match: negative_list.Match) -> str:
    m = match.as_dict(message_lang())
    m["what"] = _matched_what(match.field)
    return _('Listed on the negative list as "%(name)s": %(what)s "%(value)s" is on that entry\'s list. '
             '%(reason)s Rule: %(rule)s. Its access rights can only be "not open".') % m


# No text limit of the schemas (guangdong_max_length) is longer: a longer title or description
# is refused by validation after this check, which need not read it (folding a 30-million-
# character description for the keywords held a web worker for a minute).
LONGEST_TEXT = 20_000


def _negative_list(context: Context, data_dict: DataDict, existing: Any) -> None:
    """A dataset on the negative list is 不予开放: refused open, or a harvested one imported so."""
    if context.get(gate.HOLDING_KEY):
        return  # the gate holding it (private): the match is why, not a reason to refuse
    access = data_dict.get("access_rights", (existing.extras or {}).get("access_rights") if existing is not None else None)
    if access not in openness.OPEN_ACCESS_RIGHTS:
        return
    if any(isinstance(data_dict.get(k), str) and len(data_dict[k]) > LONGEST_TEXT for k in ("title", "notes")):
        return  # refused as too long (metadata/logic/validators.guangdong_limits)
    try:
        categories, _version = negative_list.current()
    except negative_list.Invalid:
        log.exception("the negative list in force is invalid")
        return
    found = negative_list.matches(categories, data_dict)
    if not found:
        return
    harvested = bool(data_dict.get("harvest_source_id")) and context.get("user") == tk.config.get("ckan.site_id")
    if harvested:
        data_dict["access_rights"] = openness.NOT_OPEN
        data_dict["private"] = True
        context["guangdong_safety_negative_list"] = [m.as_dict("zh_Hans_CN") for m in found]  # type: ignore
        return
    raise tk.ValidationError({"access_rights": [negative_list_message(m) for m in found]})


def _gate(up: Callable[..., Any], context: Context, data_dict: DataDict, existing: Any) -> Any:
    dataset_type = existing.type if existing is not None else (data_dict.get("type") or openness.DATASET_TYPE)
    if dataset_type not in gate.GATED_TYPES or not isinstance(data_dict, dict):
        return up(context, data_dict)
    if dataset_type == openness.DATASET_TYPE:
        _negative_list(context, data_dict, existing)
    decision = gate.decide(context, data_dict, existing)
    if decision is not None:
        context[gate.CONTEXT_KEY] = decision  # type: ignore  (read by the package hooks)
    published = tables.publication(existing.id) if existing is not None else None
    held_first = _hold_before_write(context, data_dict, existing, decision)
    try:
        return up(context, data_dict)
    except Exception:
        if held_first is not None:
            _undo_hold(held_first, context.get("user"), published)
        raise


def _replaces_public_file(existing: Any, decision: gate.Decision | None, data_dict: DataDict) -> bool:
    if existing is None or decision is None or not decision.held or not decision.new_files:
        return False
    if existing.private or existing.state != "active":
        return False
    stored = {r.id for r in existing.resources if r.state == "active"}
    resources = [r for r in data_dict.get("resources") or [] if isinstance(r, Mapping)]  # as decide() counts
    return any(i < len(resources) and resources[i].get("id") in stored for i in decision.new_files)


def _hold_before_write(context: Context, data_dict: DataDict, existing: Any,
                       decision: gate.Decision | None) -> str | None:
    """CKAN writes an upload to storage before it commits the dataset change, so a public
    dataset whose file is replaced would hand out the new, unscanned file to anonymous
    downloads until that commit. The hold is committed first (a package_patch by the site
    user: search, caches and events follow it); ``_undo_hold`` takes it back if the write fails.
    Returns the held dataset's id."""
    if decision is not None and decision.rereview:
        # an editor's change of a reviewed public dataset: held for a new review in one commit
        # (the private flag, the publication request, the audit entry), before the write
        gate.hold_for_rereview(existing.id, decision.user, decision.holds)
        return existing.id
    if not _replaces_public_file(existing, decision, data_dict):
        return None
    assert decision is not None  # _replaces_public_file checked it
    gate.hold(existing.id, decision.user, decision.holds, reason_code="file_replaced")
    return existing.id


def _undo_hold(package_id: str, user: str | None, published: Mapping[str, Any] | None = None) -> None:
    from ckan import model as ckan_model
    ckan_model.Session.rollback()
    try:
        if published is not None:  # a request the hold made goes with it
            tables.save_publication(package_id, **{k: v for k, v in published.items() if k != "package_id"})
        elif tables.publication(package_id) is not None:
            tables.save_publication(package_id, state=gate.PUBLISHED)
        tk.get_action("package_patch")(gate._site_context(), {"id": package_id, "private": False})
        tables.audit("hold_undone", user, package_id, reason_code="write_failed")
        ckan_model.Session.commit()
    except Exception:  # stays held: the safe side; a reviewer or the next write settles it
        log.exception("could not undo the hold of %s after a failed write", package_id)
        ckan_model.Session.rollback()


@tk.chained_action
def package_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    return _gate(up, context, data_dict, None)


@tk.chained_action
def package_update(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    from ckan import model as ckan_model
    existing = ckan_model.Package.get(data_dict.get("id") or data_dict.get("name") or "") \
        if isinstance(data_dict, dict) and isinstance(data_dict.get("id") or data_dict.get("name") or "", str) else None
    if existing is None:
        return up(context, data_dict)  # CKAN answers "not found"
    refuse_dropping_files(context, data_dict, existing)
    return _gate(up, context, data_dict, existing)


def refuse_dropping_files(context: Context, data_dict: DataDict, existing: Any) -> None:
    """``package_update`` without ``resources`` removes every file (CKAN's API; only the edit
    page, with ``allow_partial_update``, keeps them). Of a held dataset that took the files and
    their findings along, and a reviewer then approved an empty dataset: the hold went without
    anyone's reason and the editor's files were gone unasked. Refused (409) while it is held;
    removing a file stays possible one at a time (``resource_delete``, audited). Writes without
    authorisation checks (the site's own) are CKAN's as they are."""
    if data_dict.get("resources") is not None or context.get("allow_partial_update") or context.get("ignore_auth"):
        return
    if existing.type not in gate.GATED_TYPES or existing.state != "active":
        return
    if not any(r.state == "active" for r in existing.resources) or not gate.is_held(existing):
        return
    # only to whoever may update it: to anyone else the 409 would tell that it exists
    tk.check_access("package_update", context, {"id": existing.id})
    raise tk.ValidationError({"resources": [_(
        "This dataset is held for its safety check or review: an update without its resources "
        "would remove all its files and their findings. Send its resources with the update "
        "(as package_show gives them), or change other fields with package_patch; to remove a "
        "file, delete that file.")]})


@tk.chained_action
def activity_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's activity streams narrow by permission labels only the entries whose type ends in
    "package"; the others about a dataset ("new resource view" ..., made by the load job while
    the dataset is held) reach every stream of everyone, naming the dataset and its files. Of a
    private dataset they are not recorded: its own "changed package" entries keep its history
    for those who may read it."""
    from ckan import model as ckan_model
    kind = data_dict.get("activity_type") if isinstance(data_dict, dict) else None
    object_id = data_dict.get("object_id") if isinstance(data_dict, dict) else None
    if isinstance(kind, str) and not kind.endswith("package") and isinstance(object_id, str):
        pkg = ckan_model.Package.get(object_id)
        if pkg is not None and pkg.private:
            tk.check_access("activity_create", context, data_dict)
            return None  # what activity_create answers when streams are off
    return up(context, data_dict)


@tk.chained_action
def bulk_update_public(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """The organisation page's "make public" updates rows directly: datasets the gate holds
    are refused there (the whole request fails, nothing changes), like 不予开放."""
    from ckan import model as ckan_model
    ids = data_dict.get("datasets") or []
    org_id = data_dict.get("org_id")
    held = []
    if isinstance(ids, list) and ids and isinstance(org_id, str):
        # only the organisation's own datasets: CKAN changes no other, and a name of another
        # organisation's held dataset is not the caller's to read
        org = ckan_model.Group.get(org_id)
        for pkg in ckan_model.Session.query(ckan_model.Package).filter(
                ckan_model.Package.id.in_([str(i) for i in ids]),
                ckan_model.Package.owner_org == (org.id if org is not None else org_id)):
            if pkg.type not in gate.GATED_TYPES:
                continue
            holds = list(openness.publication_holds(pkg))
            pub = tables.publication(pkg.id)
            if pkg.private and gate.user_needs_review(context.get("user"), pkg.owner_org) and \
                    not (pub and pub["state"] == gate.APPROVED):
                holds.append(gate.REVIEW)
            if holds:
                held.append(pkg.name)
    if held:
        raise tk.ValidationError({"datasets": [
            _("These datasets cannot be made public before their safety check or review: %s")
            % ", ".join(sorted(held))]})
    return up(context, data_dict)


# --- what a publisher and a reviewer see ------------------------------------------------------
# Rows of the table a DataStore write is judged with (its first ones: a sample of the columns).
EXISTING_ROWS = 10_000


def _existing_rows(resource_id: Any, header: list[str]) -> list[list[str]]:
    """The table's present rows, as cells under ``header`` (none when there is no table yet)."""
    if not isinstance(resource_id, str) or not resource_id:
        return []
    try:
        found = tk.get_action("datastore_search")(
            cast(Context, {"ignore_auth": True}),
            {"resource_id": resource_id, "limit": EXISTING_ROWS, "include_total": False})
    except (tk.ObjectNotFound, tk.ValidationError):
        return []
    return [[stored.cell(r.get(h)) for h in header]
            for r in found.get("records", []) if isinstance(r, dict)]


def refuse_personal_records(context: Context, data_dict: DataDict) -> None:
    """Rows written straight into the DataStore (records of datastore_create / _upsert) are
    scanned as the load job scans a file; with personal data the write is refused, since no
    file scan would ever see them. A write is judged together with the rows the table already
    has (its first ``EXISTING_ROWS``), never its batch alone: a few records are no sample of a
    column (attack trial a8 sent 2 ID numbers among 3 look-alikes, 1 mobile among 2 words). It
    is refused when the column verdict on the table with the records counts a kind of personal
    data in a column the records put a value of that kind into. The load job (ignore_auth) and
    sysadmins (reviewers) write what the gate has already judged."""
    from ckan import authz

    from .. import config
    from ..scanner import TableScan
    records = data_dict.get("records")
    if context.get("ignore_auth") or not isinstance(records, list) or not records:
        return
    if authz.is_sysadmin(context.get("user")):
        return
    rows = [r for r in records if isinstance(r, dict)]
    header = list(dict.fromkeys(str(k) for r in rows for k in r))
    # a numeric column's value as the table stores it (013800138000 is 13800138000: a10, H1)
    numbers = stored.numeric_columns(data_dict, header)
    cells = [[stored.cell(r.get(h), h in numbers) for h in header] for r in rows]
    options, thresholds = config.options(), config.thresholds()
    batch = TableScan(header, options, thresholds)
    batch.add_rows(cells)
    if not any(c.counts for c in batch.columns) and not batch.rebuilds:
        return  # no cell of the records holds anything a detector knows
    table = TableScan(header, options, thresholds)
    table.add_rows(_existing_rows(data_dict.get("resource_id"), header))
    table.add_rows(cells)
    flagged = [batch.columns[i].name for i, kinds in table.verdicts().items()
               if any(batch.columns[i].counts[k] for k in kinds)]
    # masked ID numbers beside the birth dates that fill them back in (440106********0015)
    flagged += [f"{batch.columns[i].name} + {batch.columns[j].name}"
                for i, j, _s, _n in table.rebuild_verdicts()
                if (b := batch.rebuilds.get((i, j))) is not None and (b.checked or b.dated)]
    if flagged:
        columns = "、".join(sorted({name[:100] for name in flagged}))
        zh = f"这些记录含有个人信息（{columns}），不能直接写入数据存储：请上传文件，文件在公开前会经过个人信息检查"
        en = (f"These records hold personal data ({columns}) and cannot be written to the DataStore "
              "directly: upload a file instead, which is checked for personal data before it is public")
        raise tk.ValidationError({"records": [en if message_lang() == "en" else zh]})


def refuse_personal_columns(context: Context, data_dict: DataDict) -> None:
    """A DataStore table's column ids and their info (label, notes ...) are shown to anyone
    who may read the table (datastore_search's fields): no file scan sees them, so personal
    data there is refused, sysadmins' too. The load job (ignore_auth) writes a scanned file's
    header."""
    if context.get("ignore_auth"):
        return
    fields = data_dict.get("fields") if isinstance(data_dict, dict) else None
    if not isinstance(fields, list):
        return
    texts: list[tuple[str, Any]] = []
    for col in fields:
        if not isinstance(col, dict):
            continue
        texts.append(("fields.id", col.get("id")))
        info = col.get("info")
        if isinstance(info, dict):
            texts.extend((f"fields.info.{k}", v) for k, v in info.items())
    # the data dictionary renders a column's notes as Markdown
    refuse_personal_text(texts, "数据存储的字段说明", "a DataStore column's description",
                         markdown=("fields.info.notes",))


def refuse_negative_list_records(context: Context, data_dict: DataDict) -> None:
    """Records whose column is a negative-list data item (身份证号 ...) and whose values there
    are personal data (the scan's findings), or whose column the scan finds holding what a
    category's ``detectors`` name (raw ID numbers under 证件号), are refused for everyone, sysadmins too, naming the
    column and the list's rule: the same data item is refused in a dataset's metadata, and a
    file with such a column is held until it is replaced or de-identified. Masked or empty
    values under that name are written. The load job (ignore_auth) writes a scanned file."""
    from .. import config
    from ..scanner import scan_table
    records = data_dict.get("records") if isinstance(data_dict, dict) else None
    if context.get("ignore_auth") or not isinstance(records, list) or not records:
        return
    rows = [r for r in records if isinstance(r, dict)]
    header = list(dict.fromkeys(str(k) for r in rows for k in r))
    categories = gate.negative_categories()
    listed = negative_list.column_matches(categories, header)
    # a category naming detectors (resident_id ...) takes any column the scan finds them in
    by_values = any(c.detectors for c in categories)
    if not listed and not by_values:
        return
    names = header if by_values else [m.column for m in listed]
    numbers = stored.numeric_columns(data_dict, names)
    cells = [[stored.cell(r.get(h), h in numbers) for h in names] for r in rows]
    findings, _rows = scan_table(names, cells, config.options(), config.thresholds())
    raw = {f.column for f in findings}
    kinds: dict[str, set[str]] = {}
    for f in findings:
        kinds.setdefault(f.column, set()).add(f.detector)
    named = {(m.category.id, m.column) for m in listed}
    listed = [m for m in listed if m.column in raw] + [
        m for m in negative_list.detector_matches(categories, kinds) if (m.category.id, m.column) not in named]
    lang = message_lang()
    messages = [(_('The column "%(column)s" holds %(value)s, which the negative list never opens '
                   '("%(name)s"; rule: %(rule)s): these records cannot be written. Mask the column '
                   'or leave it out.') if m.detector else
                 _('The column "%(column)s" is the data item "%(value)s" of the negative list '
                   '("%(name)s"; rule: %(rule)s) and these records hold unmasked values in it: '
                   'they cannot be written. Mask the column or leave it out.')) % m.as_dict(lang)
                for m in listed]
    if messages:
        raise tk.ValidationError(cast(dict[str, Any], {"records": messages}))


def refuse_personal_aliases(context: Context, data_dict: DataDict) -> None:
    """A DataStore table's aliases (other names it can be read by: datastore_info lists them
    to whoever may read the table, and a name answers differently whether it exists or not) are
    refused with personal data, as its column ids are, sysadmins' too."""
    aliases = data_dict.get("aliases") if isinstance(data_dict, dict) else None
    if context.get("ignore_auth") or aliases is None:
        return
    names = aliases.split(",") if isinstance(aliases, str) else aliases if isinstance(aliases, list) else []
    # a table name glues letters to the number (p440106…): read with them as separators too
    texts = [t for a in names if isinstance(a, str)
             for t in (a, re.sub(r"[^0-9]+", " ", a), re.sub(r"[^0-9Xx]+", " ", a))]
    refuse_personal_text([("aliases", t) for t in texts], "数据存储表的别名", "a DataStore table's alias")


def datastore_only(data_dict: DataDict) -> None:
    """datastore_create with a new ``resource`` (no link) makes a DataStore-only table: CKAN
    creates the resource with a placeholder link first and makes it a DataStore resource in a
    second write. Between the two the gate saw a link to scan, held the dataset pending a scan
    no job could do, and it stayed pending (issue 14). Such a resource has no file: its rows
    are the DataStore write guard's (``refuse_personal_records``, before the table is made), so
    it is a DataStore resource from its first write."""
    res = data_dict.get("resource") if isinstance(data_dict, dict) else None
    if isinstance(res, dict) and "url" not in res and not res.get("url_type"):
        res["url_type"] = "datastore"  # CKAN gives the placeholder link (a "url" here: datapusher)


@tk.chained_action
def datastore_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    refuse_personal_columns(context, data_dict)
    refuse_negative_list_records(context, data_dict)
    refuse_personal_aliases(context, data_dict)
    refuse_personal_records(context, data_dict)
    datastore_only(data_dict)
    return datastore_review.guard(up, "datastore_create", context, data_dict)


@tk.chained_action
def datastore_upsert(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    refuse_negative_list_records(context, data_dict)
    refuse_personal_records(context, data_dict)
    return datastore_review.guard(up, "datastore_upsert", context, data_dict)


@tk.chained_action
def datastore_delete(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    return datastore_review.guard(up, "datastore_delete", context, data_dict)


# A view's texts shown as they are on the resource page, in resource_view_list and activities.
VIEW_TEXT_FIELDS = ("title", "description", "page_url", "image_url", "pdf_url")


def refuse_personal_view_text(context: Context, data_dict: DataDict) -> None:
    """A resource view's title, description and links are public as soon as they are saved
    (no scan or review ever sees them): with personal data the write is refused (409), as the
    DataStore guard refuses records. Only writes without authorisation checks (CKAN's default
    views, made by the site) are let through."""
    from .. import config
    from ..reading import markdown_reader
    from ..scanner import scan_text_fields
    if context.get("ignore_auth") or not isinstance(data_dict, dict):
        return
    # links are read as the browser shows them: %34%34… is the ID number 44…
    # a number (JSON 15012345678) is stored as its digits: read as text too
    texts = [(k, as_text(data_dict.get(k))) for k in VIEW_TEXT_FIELDS]
    fields = [(k, unquote(v) if k.endswith("_url") else v) for k, v in texts if v is not None]
    findings = scan_text_fields(fields, config.options(), markdown_reader(("description",)))
    if not findings:
        return
    errors: dict[str, Any] = {}
    for f in findings:
        zh = f"含有个人信息（{_KIND_ZH.get(f.detector, f.detector)}），不能保存：资源视图的文字对所有人公开"
        en = f"Holds personal data ({f.detector.replace('_', ' ')}) and cannot be saved: a resource view's text is public"
        errors.setdefault(f.column, []).append(en if message_lang() == "en" else zh)
    raise tk.ValidationError(errors)


_KIND_ZH = {"resident_id": "居民身份证号", "mobile": "手机号码", "bank_card": "银行卡号",
            "passport": "护照号码", "travel_permit": "通行证号码", "email": "电子邮件地址",
            "vehicle_plate": "机动车号牌", "landline": "固定电话"}


@tk.chained_action
def resource_view_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    refuse_personal_view_text(context, data_dict)
    return up(context, data_dict)


@tk.chained_action
def resource_view_update(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    refuse_personal_view_text(context, data_dict)
    return up(context, data_dict)


# Texts of organisations, groups and users shown as they are to anyone (organization_show,
# user_show, their pages): no scan or review ever sees them, so personal data is refused. The
# picture's link too: user_show and organization_show give it (image_display_url) to anyone,
# and a file name can be a person's ID number and mobile (issue 14).
_GROUP_TEXT = ("title", "description", "image_url")
_USER_TEXT = ("fullname", "about", "image_url")
_FIELD_ZH = {"title": "名称", "description": "描述", "fullname": "姓名", "about": "简介",
             "image_url": "图片链接"}


def refuse_personal_text(fields: list[tuple[str, Any]], where_zh: str, where_en: str,
                         markdown: tuple[str, ...] = ()) -> None:
    """Refuses (409) personal data in (field, text) pairs, naming each field, for everyone
    (sysadmins too: these texts are public as they are saved). The ``markdown`` fields are
    read as stored and as their page shows them (reading.py)."""
    from .. import config
    from ..reading import markdown_reader
    from ..scanner import as_text, scan_text_fields
    # numbers too (stored as their digits); links as the browser shows them (%34%34… is 44…)
    texts = [(k, unquote(text)) for k, text in ((k, as_text(v)) for k, v in fields) if text is not None]
    findings = scan_text_fields(texts, config.options(), markdown_reader(markdown))
    if not findings:
        return
    errors: dict[str, Any] = {}
    for f in findings:
        field = f.column[:100]
        zh = (f"“{_FIELD_ZH.get(field, field)}”含有个人信息（{_KIND_ZH.get(f.detector, f.detector)}），"
              f"不能保存：{where_zh}对所有人公开")
        en = (f"“{field}” holds personal data ({f.detector.replace('_', ' ')}) and cannot be saved: "
              f"{where_en} is public")
        errors.setdefault(field, []).append(en if message_lang() == "en" else zh)
    raise tk.ValidationError(errors)


def _uploaded_image(data_dict: DataDict) -> list[tuple[str, Any]]:
    """An uploaded picture's file name: CKAN makes it the image_url (behind a timestamp)."""
    name = getattr(data_dict.get("image_upload"), "filename", None)
    return [("image_url", name)] if isinstance(name, str) and name else []


def _group_fields(data_dict: DataDict) -> list[tuple[str, Any]]:
    fields = [(k, data_dict.get(k)) for k in _GROUP_TEXT] + _uploaded_image(data_dict)
    for extra in data_dict.get("extras") or []:
        key = as_text(extra.get("key")) if isinstance(extra, Mapping) else None
        if isinstance(extra, Mapping) and key is not None:
            fields.append((key, extra.get("value")))
    return fields


def _refuse_group(data_dict: DataDict) -> None:
    if isinstance(data_dict, dict):
        refuse_personal_text(_group_fields(data_dict), "机构和分组的文字", "an organisation's or group's text",
                             markdown=("description",))


def _refuse_user(data_dict: DataDict) -> None:
    if isinstance(data_dict, dict):
        refuse_personal_text([(k, data_dict.get(k)) for k in _USER_TEXT] + _uploaded_image(data_dict),
                             "用户的姓名、简介和头像链接", "a user's full name, about text and picture link",
                             markdown=("about",))


def _refusing(refuse: Callable[[DataDict], None]) -> Any:
    """A new chained action (each name its own: the decorator marks the function) that refuses
    personal data in its text before CKAN's own action runs."""
    def action(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
        refuse(data_dict)
        return up(context, data_dict)
    return tk.chained_action(action)


organization_create = _refusing(_refuse_group)
organization_update = _refusing(_refuse_group)
group_create = _refusing(_refuse_group)
group_update = _refusing(_refuse_group)
user_create = _refusing(_refuse_user)
user_update = _refusing(_refuse_user)


def _resource_names(pkg: Any) -> dict[str, str]:
    return {r.id: (r.name or r.url or r.id) for r in pkg.resources}


def file_column_matches(pkg: Any, rows: Mapping[str, Mapping[str, Any]] | None = None,
                        lang: str | None = None) -> list[dict[str, Any]]:
    """The negative-list matches of a dataset's files: each column named as a data item of the
    list, in which file, and whether raw values stand in it (``raw``: it holds the dataset and
    no reviewer may clear it)."""
    lang = lang or message_lang()
    rows = tables.scans(pkg.id) if rows is None else rows
    categories = gate.negative_categories()
    names = _resource_names(pkg)
    out = []
    for res in pkg.resources:
        if res.state != "active" or res.id not in rows:
            continue
        for m, raw in gate.negative_columns(rows[res.id], categories):
            out.append(dict(m.as_dict(lang), resource_id=res.id, file=names.get(res.id), raw=raw))
    return out


def negative_column_messages(pkg: Any) -> list[str]:
    """Why a reviewer may not clear (nor approve) a dataset: its columns on the negative list
    with raw values, each named with the list's rule."""
    return [(_('"%(column)s" of the file "%(file)s" holds %(value)s, which the negative list never '
               'opens ("%(name)s"; rule: %(rule)s): it cannot be cleared. Replace the file, or, for a '
               'table, make the de-identified copy, which masks or leaves out that column.')
             if m.get("detector") else
             _('The column "%(column)s" of the file "%(file)s" is the data item "%(value)s" of the '
               'negative list ("%(name)s"; rule: %(rule)s) and holds unmasked values: it cannot be '
               'cleared. Replace the file, or make the de-identified copy, which masks or leaves '
               'out that column.')) % m
            for m in file_column_matches(pkg) if m["raw"]]


def negative_metadata_messages(pkg: Any) -> list[str]:
    """Why a reviewer may not approve a dataset whose metadata matches the negative list (a
    category added after it was published, trial 9 item 2): the category, what matched, and
    what its publisher has to change."""
    out = []
    for match in gate.stored_negative_matches(pkg):
        m = match.as_dict(message_lang())
        m["what"] = _matched_what(match.field)
        out.append(_('It matches the negative list category "%(name)s" (%(what)s "%(value)s"): it '
                     'cannot be approved. The publisher must set its access rights to "not open", '
                     'or change the title, description, tags or data items so that they no longer '
                     'match, and request publication again.') % m)
    return out


def status_of(pkg: Any, user: str | None, lang: str | None = None) -> dict[str, Any]:
    lang = lang or message_lang()
    rows = tables.scans(pkg.id)
    pub = tables.publication(pkg.id)
    holds = gate.current_holds(pkg, rows, pub)
    names = _resource_names(pkg)
    files = []
    for res in pkg.resources:
        if res.state != "active" or res.id not in rows:
            continue
        row = rows[res.id]
        files.append({"resource_id": res.id, "name": names.get(res.id), "state": row["state"],
                      "rows": row["rows"], "findings": row["findings"],
                      "columns": row.get("columns") or [],  # the de-identify form's date columns
                      "error": job.error_text(row["error"]),  # message ids (and parameters)
                      "scanned_at": row["scanned_at"], "cleared_by": row["cleared_by"],
                      "cleared_reason": row["cleared_reason"], "cleared_at": row["cleared_at"]})
    md = rows.get(gate.METADATA_SUBJECT)
    try:
        categories, _v = negative_list.current()
        matches = negative_list.matches(categories, {
            "title": pkg.title, "notes": pkg.notes, "identifier": (pkg.extras or {}).get("identifier"),
            "tags": [{"name": t.name} for t in pkg.get_tags()],
            "theme": _json_list((pkg.extras or {}).get("theme")),
            "data_items": _json_list((pkg.extras or {}).get("data_items"))})
    except negative_list.Invalid:
        matches = []
    columns = file_column_matches(pkg, rows, lang)
    audit = tables.audit_trail(pkg.id, limit=50)
    last_hold = next((a for a in audit if a["action"] == "held"), None)
    return {
        "id": pkg.id, "name": pkg.name, "title": pkg.title, "owner_org": pkg.owner_org,
        "private": bool(pkg.private), "holds": holds, "publication": pub,
        "files": files, "metadata": {"findings": md["findings"], "cleared_by": md["cleared_by"],
                                     "cleared_reason": md["cleared_reason"], "cleared_at": md["cleared_at"]}
        if md and md["findings"] else None,
        "negative_list": [m.as_dict(lang) for m in matches] + columns,
        "can_review": gate.is_reviewer_of(user, pkg.owner_org),
        "needs_review": gate.org_needs_review(pkg.owner_org),
        "audit": audit,
        # the open request is a new review of a change made after the last one
        "reedited": bool(pub and pub["state"] in gate.OPEN_REQUEST and last_hold
                         and (last_hold["details"] or {}).get("reason_code") == gate.REEDITED),
        "list_withdrawal": list_withdrawal(pub, last_hold),
    }


def list_withdrawal(pub: Mapping[str, Any] | None, last_hold: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Who took the dataset out of public view with a negative-list save, when and why, while
    that request is open (the queue and the pages say so beside its requester, trial 9 item 6)."""
    if not pub or pub["state"] not in gate.OPEN_REQUEST or not last_hold:
        return None
    if (last_hold.get("details") or {}).get("negative_list_version") is None:
        return None
    return {"actor": last_hold["actor"], "at": last_hold["at"], "reason": last_hold["reason"]}


def _json_list(value: Any) -> list[Any]:
    import json
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
            return parsed if isinstance(parsed, list) else []
        except ValueError:
            return []
    return [value] if value else []


@tk.side_effect_free
def guangdong_safety_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The publication state of a dataset: holds, scan findings (masked), negative-list
    matches, the request and its review, the audit trail. For its publishers and reviewers.

    :param id: dataset id or name
    """
    pkg = _package(data_dict)
    tk.check_access("guangdong_safety_status", context, {"id": pkg.id})
    return status_of(pkg, context.get("user"))


def guangdong_safety_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for the dataset to be public: the same as saving it public (the gate holds it while
    it may not be, and makes it public when it may).

    :param id: dataset id or name
    """
    pkg = _package(data_dict)
    tk.check_access("package_update", context, {"id": pkg.id})
    tk.get_action("package_patch")(context.copy(), {"id": pkg.id, "private": False})
    from ckan import model as ckan_model
    ckan_model.Session.expire_all()
    return status_of(ckan_model.Package.get(pkg.id), context.get("user"))


def guangdong_safety_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take back an open publication request (the dataset stays private).

    :param id: dataset id or name
    """
    pkg = _package(data_dict)
    tk.check_access("package_update", context, {"id": pkg.id})
    pub = tables.publication(pkg.id)
    if not pub or pub["state"] not in gate.OPEN_REQUEST:
        raise tk.ValidationError({"id": [_("There is no open publication request")]})
    tables.save_publication(pkg.id, state=gate.WITHDRAWN)
    tables.audit("withdrawn", context.get("user"), pkg.id)
    from ckan import model as ckan_model
    ckan_model.Session.commit()
    return status_of(pkg, context.get("user"))


def _reviewable(context: Context, data_dict: DataDict, auth: str) -> Any:
    pkg = _package(data_dict)
    tk.check_access(auth, context, {"id": pkg.id})
    return pkg


def guangdong_safety_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a publication request (审核通过): the dataset becomes public at once, or as soon
    as the scan of a new file finishes clean. Refused while personal-data findings stand.

    :param id: dataset id or name
    :param comment: optional comment to the publisher
    """
    pkg = _reviewable(context, data_dict, "guangdong_safety_approve")
    comment = _text(data_dict, "comment", required=False)
    pub = tables.publication(pkg.id)
    if not pub or pub["state"] != gate.REQUESTED:
        raise tk.ValidationError({"id": [_("There is no publication request waiting for review")]})
    standing = [h for h in gate.current_holds(pkg) if h in (gate.FINDINGS, gate.FAILED, gate.NEGATIVE, gate.METADATA)]
    if gate.NEGATIVE in standing:
        raise tk.ValidationError(cast(dict[str, Any], {
            "id": negative_metadata_messages(pkg) + negative_column_messages(pkg)}))
    if standing:
        raise tk.ValidationError({"id": [_("Personal data findings stand: replace the file, or "
                                           "clear the findings with a written reason first")]})
    user = context.get("user")
    tables.save_publication(pkg.id, state=gate.APPROVED, reviewed_by=user,
                           reviewed_at=tables.utcnow(), comment=comment or None)
    tables.audit("approved", user, pkg.id, reason=comment or None)
    gate.settle(pkg.id, user)
    from ckan import model as ckan_model
    ckan_model.Session.expire_all()
    return status_of(ckan_model.Package.get(pkg.id), user)


def guangdong_safety_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a publication request to the publisher with comments (退回); it stays private.

    :param id: dataset id or name
    :param comment: what to change (required)
    """
    pkg = _reviewable(context, data_dict, "guangdong_safety_approve")
    comment = _text(data_dict, "comment", required=True)
    pub = tables.publication(pkg.id)
    if not pub or pub["state"] not in gate.OPEN_REQUEST:
        raise tk.ValidationError({"id": [_("There is no publication request waiting for review")]})
    user = context.get("user")
    tables.save_publication(pkg.id, state=gate.RETURNED, reviewed_by=user,
                           reviewed_at=tables.utcnow(), comment=comment)
    tables.audit("returned", user, pkg.id, reason=comment)
    from ckan import model as ckan_model
    ckan_model.Session.commit()
    return status_of(pkg, user)


def guangdong_safety_clear(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Clear a dataset's personal-data findings (and failed scans) with a written reason, kept
    in the audit trail. A replaced file is scanned again and needs a new clearance.

    :param id: dataset id or name
    :param reason: why the findings may be published (required)
    """
    pkg = _reviewable(context, data_dict, "guangdong_safety_approve")
    reason = _text(data_dict, "reason", required=True)
    refused = negative_column_messages(pkg)
    if refused:  # before anything is cleared: the other findings stay as they are too
        raise tk.ValidationError(cast(dict[str, Any], {"id": refused}))
    rows = tables.scans(pkg.id)
    subjects = [s for s, r in rows.items()
                if r["state"] in ("findings", "failed") and r["cleared_at"] is None
                and (s == gate.METADATA_SUBJECT and r["findings"] or s != gate.METADATA_SUBJECT)]
    if not subjects:
        raise tk.ValidationError({"id": [_("There are no findings to clear")]})
    user = context.get("user")
    tables.clear_scans(pkg.id, subjects, user, reason)
    tables.audit("cleared", user, pkg.id, reason=reason,
                findings={s or "metadata": rows[s]["findings"] for s in subjects})
    gate.settle(pkg.id, user)
    from ckan import model as ckan_model
    ckan_model.Session.expire_all()
    return status_of(ckan_model.Package.get(pkg.id), user)


@tk.side_effect_free
def guangdong_safety_review_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publication requests the user may review, oldest first, with their holds, findings
    and negative-list matches.

    :param limit: at most this many (1-200, default 50)
    :param offset: skip this many
    """
    tk.check_access("guangdong_safety_review_queue", context, data_dict)
    from ckan import model as ckan_model
    limit = params.as_int(data_dict, "limit", 50, 1, 200)
    offset = params.as_int(data_dict, "offset", 0, 0, 10**6)
    user = context.get("user")
    orgs = None if gate.is_provincial_reviewer(user) else gate.orgs_administered(user)
    ids = tables.open_requests(gate.OPEN_REQUEST, orgs)
    page = [ckan_model.Package.get(i) for i in ids[offset:offset + limit]]
    return {"count": len(ids), "results": [status_of(pkg, user) for pkg in page if pkg is not None]}


# --- the negative list ----------------------------------------------------------------------
@tk.side_effect_free
def guangdong_safety_negative_list_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Which negative-list categories a dataset being typed matches (the form asks as the
    publisher types), with the reason and rule in the page's language.

    :param title: :param notes: :param identifier: text
    :param theme: 数据领域 values (a list, or one value)
    :param data_items: 信息项 names (a list, or one name)
    """
    tk.check_access("guangdong_safety_negative_list_check", context, data_dict)
    lang = data_dict.get("lang")
    if lang is not None and lang not in negative_list.LANGS:
        raise tk.ValidationError({"lang": [_("One of: %s") % ", ".join(negative_list.LANGS)]})
    if lang is None or not has_request_context():
        return _negative_list_check(data_dict)
    # the form's page says its language (the API's own follows Accept-Language): the whole
    # answer in it, the frame of each message (gettext) as well as the list's texts
    with force_locale(lang):
        return _negative_list_check(data_dict)


def _negative_list_check(data_dict: DataDict) -> dict[str, Any]:
    lang = message_lang()
    fields = {k: _text(data_dict, k, required=False)[:MAX_TEXT] for k in ("title", "notes", "identifier")}
    themes = data_dict.get("theme") or []
    items = data_dict.get("data_items") or []
    themes = [themes] if isinstance(themes, str) else themes
    items = [items] if isinstance(items, str) else items
    if not isinstance(themes, list) or not isinstance(items, list) or len(themes) > 1000 or len(items) > 1000:
        raise tk.ValidationError({"theme": [_("Must be a list of texts")]})
    categories, _v = negative_list.current()
    found = negative_list.matches(categories, {
        **fields, "theme": [str(t)[:200] for t in themes],
        "data_items": [{"name": str(i)[:200]} for i in items]})
    return {"matches": [m.as_dict(lang) for m in found],
            "messages": [negative_list_message(m) for m in found]}


@tk.side_effect_free
def guangdong_safety_negative_list_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The negative list in force (its YAML text), its categories and the saved versions."""
    tk.check_access("guangdong_safety_negative_list_show", context, data_dict)
    categories, latest = negative_list.current()
    return {"content": negative_list.current_text(),
            "source": "database" if latest else "file",
            "categories": [{"id": c.id, "name": c.name, "reason": c.reason, "rule": c.rule,
                            "keywords": list(c.keywords), "themes": list(c.themes),
                            "data_items": list(c.data_items),
                            "identifier_prefixes": list(c.identifier_prefixes),
                            "detectors": list(c.detectors)} for c in categories],
            "versions": tables.negative_list_versions()}


def guangdong_safety_negative_list_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Save a new negative list (sysadmins): checked first, kept with who, when and why.

    :param content: the YAML text
    :param comment: why it changed (required)
    """
    tk.check_access("guangdong_safety_negative_list_update", context, data_dict)
    content = data_dict.get("content")
    if not isinstance(content, str) or not content.strip():
        raise tk.ValidationError({"content": [_("Missing value")]})
    comment = _text(data_dict, "comment", required=True)
    try:
        categories = negative_list.parse(content)
    except negative_list.Invalid as e:
        lang = message_lang()
        raise tk.ValidationError({"content": [zh if lang == "zh_Hans_CN" else en for zh, en in e.problems]}) from e
    user = context.get("user") or ""
    version = tables.save_negative_list(content, user, comment)
    tables.audit("negative_list_saved", user, None, reason=comment, version=version,
                categories=[c.id for c in categories])
    from ckan import model as ckan_model
    ckan_model.Session.commit()
    held, released = _apply_negative_list(categories, version, user, comment)
    return {"version": version, "categories": len(categories), "held": held, "released": released}


SWEEP_BATCH = 500


def _apply_negative_list(categories: list[negative_list.Category], version: Any,
                         user: str, comment: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The saved list applied at once to the catalog (issue 14): a public dataset that now
    matches is held as the gate holds (private, its publication request kept, an audit entry
    naming the categories and the list version); a held one whose open request nothing holds
    any more (the category was removed) goes public again. Reads the public datasets in
    batches of ids (a sysadmin's rare action: one metadata match per public dataset)."""
    from ckan import model as ckan_model
    held: list[dict[str, Any]] = []
    last = ""
    while True:
        ids = [r[0] for r in ckan_model.Session.query(ckan_model.Package.id).filter(
            ckan_model.Package.state == "active", ckan_model.Package.private.is_(False),
            ckan_model.Package.type.in_(gate.GATED_TYPES), ckan_model.Package.id > last,
        ).order_by(ckan_model.Package.id).limit(SWEEP_BATCH)]
        ckan_model.Session.commit()
        if not ids:
            break
        last = ids[-1]
        for pid in ids:
            pkg = ckan_model.Package.get(pid)
            found = gate.stored_negative_matches(pkg, categories) if pkg is not None else []
            if not found or pkg is None:
                continue
            named = [m.as_dict("zh_Hans_CN") for m in found]
            org = ckan_model.Group.get(pkg.owner_org) if pkg.owner_org else None
            entry = {"id": pid, "name": pkg.name, "title": pkg.title,
                     "organization": org.display_name if org else "",
                     "categories": [m["name"] for m in named], "matches": named}
            # the save's reason goes with each withdrawal (the audit trail's 理由, trial 9 item 8)
            if gate.settle(pid, user, reason=comment, negative_list_version=version, matches=named,
                           title=entry["title"], organization=entry["organization"]) == "held":
                held.append(entry)
    # only what a list took out comes back (a request waiting for anything else is left alone)
    released: list[str] = []
    swept = tables.held_by_negative_list()
    for pub in tables.publications(gate.OPEN_REQUEST):
        if pub["package_id"] in swept and gate.settle(pub["package_id"], user) == "released":
            released.append(pub["package_id"])
    return held, released


def guangdong_safety_org_review_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Whether an organisation's editors need a review before publishing (sysadmins).

    :param id: organisation id or name
    :param review: true, false, or "default" (the site's rule for its kind of organisation)
    """
    tk.check_access("guangdong_safety_org_review_set", context, data_dict)
    from ckan import model as ckan_model
    oid = params.as_id(data_dict, "id")
    org = ckan_model.Group.get(oid) if oid else None
    if org is None or not org.is_organization:
        raise tk.ObjectNotFound(_("Organization not found"))
    value = data_dict.get("review")
    review = None if value in (None, "", "default") else params.as_bool(data_dict, "review", False)
    user = context.get("user") or ""
    tables.set_org_review(org.id, review, user)
    tables.audit("org_review_set", user, None, org=org.name, review=review)
    ckan_model.Session.commit()
    return {"id": org.id, "review": review, "needs_review": gate.org_needs_review(org.id)}


@tk.side_effect_free
def guangdong_safety_audit_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The safety audit trail (sysadmins), newest first.

    :param package_id: only this dataset's entries
    :param limit: 1-1000 (default 200)
    """
    tk.check_access("guangdong_safety_audit_list", context, data_dict)
    limit = params.as_int(data_dict, "limit", 200, 1, 1000)
    pid = params.as_id(data_dict, "package_id")
    return tables.audit_trail(pid, limit=limit)


def guangdong_safety_rescan_links(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Queue a new read of the links whose last clean scan is older than
    ``ckanext.guangdong.safety.link_rescan_hours`` (sysadmins; rescan.py).

    :param limit: at most this many links, the oldest scans first (1-10000, default 1000)
    :returns: ``{"queued": n}`` (0 when the option is 0)
    """
    from .. import config, rescan
    tk.check_access("guangdong_safety_rescan_links", context, data_dict)
    limit = params.as_int(data_dict, "limit", 1000, 1, 10000)
    hours = config.link_rescan_hours()
    return {"queued": rescan.queue_due(hours, limit) if hours else 0}


def guangdong_safety_deidentify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A de-identified (脱敏) copy of a CSV/XLSX resource, by column rules, added to the dataset;
    with ``publish`` the original is removed, ``deidentified`` set and publication requested in
    the same step.

    :param resource_id: the resource to copy
    :param rules: {column: rule}; rules: mask, truncate, month, year, hash, drop, keep.
        Columns with findings and no rule get the rule suggested for their kind.
    :param publish: true to replace the original and ask for publication (default false)
    """
    from .. import deidentify
    return deidentify.run_action(context, data_dict)
