"""De-identification (脱敏): a masked copy of a CSV/XLSX table by column rules, following the
techniques of GB/T 35273-2020 (信息安全技术 个人信息安全规范, 3.14 去标识化) and GB/T
37964-2019 (个人信息去标识化指南): masking (屏蔽), truncation (截断), generalisation of dates
(泛化), salted keyed hashing for join keys (密码技术: HMAC-SHA256), suppression of columns.

Rules, per column (by its header name):
- ``mask``      keep enough to recognise the kind: 440***********123X, 138****8000, 张*
- ``truncate``  keep the coarse part: the region of an ID (440103), a phone's block (138),
                a card's issuer (622202), an address up to its district, an e-mail's domain
- ``month`` / ``year``  dates generalised to 2024-03 / 2024 (a value that is not a date is
                suppressed: ``*``)
- ``hash``      HMAC-SHA256 with the portal's secret salt, 16 hex characters: equal values stay
                equal (a join key across files), the value cannot be read back
- ``drop``      the column is left out
- ``keep``      unchanged
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ckan.types import Context

from . import detectors as d

RULES = ("mask", "truncate", "month", "year", "hash", "drop", "keep")
SUGGESTED = {d.RESIDENT_ID: "mask", d.MOBILE: "mask", d.BANK_CARD: "mask", d.PASSPORT: "mask",
             d.TRAVEL_PERMIT: "mask", d.EMAIL: "mask", d.PLATE: "mask", d.PERSON_NAME: "mask",
             d.ADDRESS: "truncate", d.LANDLINE: "mask"}
_DISTRICT = re.compile(r"^.*?(?:区|县|旗|市)")


def _kind(value: str, column_kind: str | None, options: d.Options) -> str | None:
    return d.classify(value, options) or column_kind


def mask(value: str, column_kind: str | None, options: d.Options = d.DEFAULT_OPTIONS) -> str:
    if not value:
        return value
    kind = _kind(value, column_kind, options)
    if kind is None:
        n = len(value)
        return "*" * n if n <= 2 else value[0] + "*" * (n - 2) + value[-1]
    if kind == d.PERSON_NAME:
        v = d.normalise(value)
        return v[:1] + "*" * (len(v) - 1)
    return d.mask(kind, value)


def truncate(value: str, column_kind: str | None, options: d.Options = d.DEFAULT_OPTIONS) -> str:
    if not value:
        return value
    v = d.normalise(value)
    kind = _kind(value, column_kind, options)
    if kind == d.RESIDENT_ID:
        return v[:6]
    if kind in (d.MOBILE, d.LANDLINE):
        digits = re.sub(r"\D", "", v)
        return digits[-11:][:3] if kind == d.MOBILE else digits[:4]
    if kind == d.BANK_CARD:
        return re.sub(r"\D", "", v)[:6]
    if kind == d.EMAIL and "@" in v:
        return "@" + v.rsplit("@", 1)[1]
    if kind == d.ADDRESS:
        m = _DISTRICT.match(v)
        return m.group(0) if m else v[:6]
    if kind == d.PERSON_NAME:
        return v[:1]
    if kind == d.PLATE:
        return v[:2]
    return v[: max(1, len(v) // 2)]


def generalise(value: str, unit: str) -> str:
    from ckanext.guangdong.data.values import as_timestamp
    if not value:
        return value
    stamp = as_timestamp(value)
    if stamp is None:
        # an 18-character ID number carries a birth date: generalise that
        v = d.normalise(value)
        # (also a mistyped one, wrong check character: the birth date in it is still personal)
        if d.id_shaped(v.upper()):
            return v[6:10] if unit == "year" else f"{v[6:10]}-{v[10:12]}"
        if len(v) == 15 and d.is_resident_id(v):
            return f"19{v[6:8]}" if unit == "year" else f"19{v[6:8]}-{v[8:10]}"
        from .scanner import birth_digits
        birth = birth_digits(v)  # 19850312, as the scan reads a birth date
        if birth is not None:
            return birth[:4] if unit == "year" else f"{birth[:4]}-{birth[4:6]}"
        return "*"
    return stamp[:4] if unit == "year" else stamp[:7]


def keyed_hash(value: str, salt: bytes) -> str:
    if not value:
        return value
    v = unicodedata.normalize("NFKC", value).strip().upper()
    return hmac.new(salt, v.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class ColumnRule:
    rule: str
    kind: str | None = None   # the kind of personal data the column holds (from findings)


def apply(value: str, rule: ColumnRule, salt: bytes, options: d.Options) -> str:
    if rule.rule == "mask":
        return mask(value, rule.kind, options)
    if rule.rule == "truncate":
        return truncate(value, rule.kind, options)
    if rule.rule in ("month", "year"):
        return generalise(value, rule.rule)
    if rule.rule == "hash":
        return keyed_hash(value, salt)
    return value


class BadRules(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(en for _, en in problems))
        self.problems = problems


def check_rules(rules: Any, header: Sequence[str]) -> dict[str, str]:
    """{column: rule} as given, checked against the table's header."""
    if rules is None or rules == "":
        return {}
    if isinstance(rules, str):
        import json
        try:
            rules = json.loads(rules)
        except (ValueError, RecursionError):  # (nested thousands deep: the parser gives up)
            raise BadRules([("规则应为 JSON 对象：{列名: 规则}", "Rules must be a JSON object: {column: rule}")]) from None
    if not isinstance(rules, Mapping) or len(rules) > 1000:
        raise BadRules([("规则应为对象：{列名: 规则}", "Rules must be an object: {column: rule}")])
    problems = []
    out: dict[str, str] = {}
    for column, rule in rules.items():
        if not isinstance(column, str) or column not in header:
            problems.append((f"没有名为“{str(column)[:100]}”的列", f"No column named \"{str(column)[:100]}\""))
            continue
        if rule not in RULES:
            problems.append((f"“{column}”的规则应为 {'、'.join(RULES)} 之一",
                             f"The rule of \"{column}\" must be one of {', '.join(RULES)}"))
            continue
        out[column] = rule
    if problems:
        raise BadRules(problems)
    return out


def birth_columns(header: Iterable[str], findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns whose dates would give masked ID numbers back (440106********0015 beside
    1985-03-12 is the whole number; a masked copy keeps an ID's last four digits): the
    birth-date column of a ``MASKED_ID_BIRTH`` finding, and beside ID numbers every column named
    as a birth date (出生日期). Their rule is ``year`` (or ``drop``), so the copy passes the scan."""
    from .scanner import names_birth_date
    names = [str(h) for h in header]
    out: list[str] = []
    ids = False
    for f in findings:
        parts = f.get("columns")
        if f.get("detector") == d.MASKED_ID_BIRTH and isinstance(parts, list) and parts:
            out.append(str(parts[-1]))
        ids = ids or f.get("detector") == d.RESIDENT_ID
    if ids:
        out += [h for h in names if names_birth_date(h)]
    return [h for h in dict.fromkeys(out) if h in names]


def plan(header: Sequence[str], rules: Mapping[str, str], findings: Iterable[Mapping[str, Any]]) -> list[ColumnRule]:
    """One rule per column: the one given, else the one suggested by the column's findings,
    else keep."""
    findings = list(findings)
    kinds: dict[str, str] = {}
    for f in findings:
        kinds.setdefault(str(f.get("column")), str(f.get("detector")))
    to_year = set(birth_columns(header, findings))
    to_drop = set(split_columns(findings))
    out = []
    for name in header:
        kind = kinds.get(name)
        suggested = "year" if name in to_year else "drop" if name in to_drop else \
            SUGGESTED.get(kind, "mask") if kind else "keep"
        out.append(ColumnRule(rules.get(name) or suggested, kind))
    return out


def split_columns(findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns of numbers split across neighbouring cells (``4401061985`` | ``03198672``):
    no part is personal alone, so no mask fits a part; the copy leaves them out (``drop``), or
    the publisher picks another rule for each."""
    out: list[str] = []
    for f in findings:
        parts = f.get("columns")
        if f.get("detector") != d.MASKED_ID_BIRTH and isinstance(parts, list):
            out += [str(p) for p in parts]
    return list(dict.fromkeys(out))


def read_table(path: str, declared_format: str) -> tuple[str, list[str], Iterator[list[str]]]:
    """(kind, header names, data rows) with the data feature's reader and header rules."""
    from ckanext.guangdong.data import config as data_config
    from ckanext.guangdong.data.header import find_header
    from ckanext.guangdong.data.reader import open_table, sniff_kind
    kind = sniff_kind(path, declared_format)
    table = open_table(path, declared_format, data_config.encodings())
    sample: list[tuple[int, list[str]]] = []
    for line, row in enumerate(table.rows(), 1):
        if any(row):
            sample.append((line, row))
            if len(sample) >= 50:
                break
    header = find_header([r for _, r in sample])
    last = sample[header.header_rows[-1]][0]
    width = len(header.names)

    def rows() -> Iterator[list[str]]:
        for line, row in enumerate(table.rows(), 1):
            if line <= last or not any(row):
                continue
            yield (row + [""] * width)[:width]
    return kind, header.names, rows()


def write_copy(kind: str, header: Sequence[str], rows: Iterable[Sequence[str]], plan_: Sequence[ColumnRule],
               out_path: str, salt: bytes, options: d.Options = d.DEFAULT_OPTIONS) -> int:
    """The de-identified table: CSV (UTF-8 with BOM, as Chinese Excel opens it) or XLSX."""
    keep = [i for i, r in enumerate(plan_) if r.rule != "drop"]
    names = [header[i] for i in keep]
    count = 0

    def out_rows() -> Iterator[list[str]]:
        nonlocal count
        for row in rows:
            count += 1
            yield [apply(row[i], plan_[i], salt, options) for i in keep]

    if kind in ("xlsx", "xls"):
        import openpyxl
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(names)
        for r in out_rows():
            sheet.append(r)
        book.save(out_path)
    else:
        with open(out_path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(out_rows())
    return count


def deidentify_file(src: str, declared_format: str, out_path: str, rules: Any,
                    salt: bytes, options: d.Options = d.DEFAULT_OPTIONS,
                    findings: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Read, scan (for suggested rules), write. Returns the kind, rules used and row count."""
    kind, header, rows = read_table(src, declared_format)
    given = check_rules(rules, header)
    if findings is None:
        from .scanner import scan_table
        _k, _h, scan_rows = read_table(src, declared_format)
        found, _n = scan_table(header, scan_rows, options)
        findings = [f.as_dict() for f in found]
    the_plan = plan(header, given, findings)
    n = write_copy(kind, header, rows, the_plan, out_path, salt, options)
    return {"kind": "xlsx" if kind in ("xlsx", "xls") else "csv", "rows": n,
            "rules": {h: r.rule for h, r in zip(header, the_plan, strict=False)}}


# --- the action ----------------------------------------------------------------------------------
def run_action(context: Any, data_dict: Mapping[str, Any]) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model as ckan_model
    from werkzeug.datastructures import FileStorage

    from ckanext.guangdong import params
    from ckanext.guangdong.data import fetch
    from ckanext.guangdong.data.messages import LoadError

    from . import config, gate, tables
    from .scanner import scan_table

    _ = tk._
    rid = params.as_id(data_dict, "resource_id")
    if not rid:
        raise tk.ValidationError({"resource_id": [_("Missing value")]})
    res = ckan_model.Resource.get(rid)
    if res is None or res.state != "active":
        # looked up before the auth: a missing file is "not found" like a hidden dataset's
        # (security/hidden.py), not the 403 that told the two apart
        raise tk.ObjectNotFound(_("Resource not found"))
    tk.check_access("guangdong_safety_deidentify", context, {"resource_id": rid})
    publish = params.as_bool(data_dict, "publish", False)
    assert res.package_id is not None  # an active resource belongs to a dataset
    site: Context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    resource = tk.get_action("resource_show")(site.copy(), {"id": rid})
    if not gate.is_tabular(resource):
        raise tk.ValidationError({"resource_id": [_("Only CSV and XLSX files can be de-identified")]})
    row = tables.scans(res.package_id).get(rid)
    options = config.options()
    with tempfile.TemporaryDirectory(prefix="guangdong-deid-") as tmp:
        src = os.path.join(tmp, "source")
        try:
            fetch.resource_file(resource, config.deidentify_max_bytes(), src)
            kind, header, _rows = read_table(src, resource.get("format") or "")
            ext = "xlsx" if kind in ("xlsx", "xls") else "csv"
            out = os.path.join(tmp, f"masked.{ext}")
            result = deidentify_file(src, resource.get("format") or "", out, data_dict.get("rules"),
                                     config.hash_salt(), options,
                                     findings=row["findings"] if row and row["state"] == "findings" else None)
        except BadRules as e:
            from .logic.action import message_lang
            english = message_lang() == "en"
            raise tk.ValidationError({"rules": [en if english else zh for zh, en in e.problems]}) from e
        except LoadError as e:
            raise tk.ValidationError({"resource_id": [str(e)]}) from e
        # scan the copy as the job would: what it holds is known before anybody can see it
        _k, out_header, out_rows = read_table(out, ext)
        found, nrows = scan_table(out_header, out_rows, options, config.thresholds())
        base = os.path.splitext(os.path.basename(resource.get("url") or "data"))[0][:80] or "data"
        filename = f"{base}-masked.{ext}"
        from .logic.action import message_lang
        # in the publisher's language, fixed once made (trial 8: "pii.csv（脱敏）" on English pages)
        suffix = " (masked)" if message_lang() == "en" else "（脱敏）"
        with open(out, "rb") as f:
            upload = FileStorage(stream=f, filename=filename,
                                 content_type="text/csv" if ext == "csv" else
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            new = tk.get_action("resource_create")(context.copy(), {
                "package_id": res.package_id, "upload": upload, "url": filename,
                "name": f"{(resource.get('name') or base)[:280]}{suffix}", "format": ext.upper(),
                "description": resource.get("description") or ""})
        with open(out, "rb") as f:
            digest = hashlib.md5(f.read(), usedforsecurity=False).hexdigest()
    findings = [x.as_dict() for x in found]
    tables.save_scan(res.package_id, new["id"], "findings" if findings else "clean",
                    file_key=gate.file_key(new), content_hash=digest, rows=nrows, findings=findings,
                    columns=[str(h) for h in out_header])
    user = context.get("user")
    tables.audit("deidentified", user, res.package_id, source=rid, copy=new["id"], rules=result["rules"],
                rows=result["rows"], publish=publish)
    ckan_model.Session.commit()
    if publish:
        tk.get_action("resource_delete")(context.copy(), {"id": rid})
        tk.get_action("package_patch")(context.copy(), {"id": res.package_id, "deidentified": "true",
                                                       "private": False})
    ckan_model.Session.expire_all()
    pkg = ckan_model.Package.get(res.package_id)
    from .logic.action import status_of
    return {"resource": new, "rules": result["rules"], "rows": result["rows"],
            "findings": findings, "status": status_of(pkg, user)}
