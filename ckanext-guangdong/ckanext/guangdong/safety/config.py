"""This feature's settings (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .detectors import Options
from .scanner import Thresholds

P = "ckanext.guangdong.safety."


def scan_before_public() -> bool:
    return tk.asbool(tk.config.get(P + "scan_before_public"))


def hold_unscannable() -> bool:
    return tk.asbool(tk.config.get(P + "hold_unscannable"))


def options() -> Options:
    return Options(landlines_are_contact_points=tk.asbool(tk.config.get(P + "landlines_are_contact_points")),
                   contact_domains=tuple(d.lower().lstrip("@.") for d in tk.aslist(tk.config.get(P + "contact_domains"))))


def thresholds() -> Thresholds:
    return Thresholds(min_share=float(tk.config.get(P + "min_share")),
                      hinted_share=float(tk.config.get(P + "hinted_share")),
                      strong_hits=int(tk.config.get(P + "strong_hits")))


def link_rescan_hours() -> int:
    return max(0, int(tk.config.get(P + "link_rescan_hours")))


def review_default() -> str:
    value = (tk.config.get(P + "review_default") or "department").strip().lower()
    return value if value in ("department", "all", "none") else "department"


def reviewers() -> set[str]:
    return set(tk.aslist(tk.config.get(P + "reviewers")))


def negative_list_file() -> str:
    return tk.config.get(P + "negative_list") or ""


def hash_salt() -> bytes:
    salt = tk.config.get(P + "hash_salt") or ""
    if salt:
        return salt.encode("utf-8")
    import hashlib
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return hashlib.sha256(("guangdong-safety-deidentify:" + secret).encode("utf-8")).digest()


def deidentify_max_bytes() -> int:
    return int(tk.config.get(P + "deidentify_max_bytes"))
