"""The facts of one package that decide whether it counts, read the same way from a CKAN
model object (package hooks) and from plain SQL rows (backfill / reconcile)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ckanext.guangdong.metadata import openness

# package_extra keys the counters need. Scheming stores every non-core field as an extra;
# list fields (theme, used_datasets) are stored as a JSON list string.
EXTRA_KEYS: tuple[str, ...] = (
    "access_rights", "identifier", "theme", "frequency", "used_datasets",
    "harvest_source_id", "harvest_remote_id",
)


def parse_list(value: Any) -> list[str]:
    """A list field as stored: a JSON list string, a plain list, a comma list or one value."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(v) for v in parsed if v not in (None, "")]
        except ValueError:
            pass
    return [part.strip() for part in text.split(",") if part.strip()]


def is_public_application(pkg: Mapping[str, Any]) -> bool:
    """An application is public when active and not private. The schema module owns the
    openness rules; use its rule for applications when it provides one."""
    rule = getattr(openness, "is_public_application", None)
    if rule is not None:
        return bool(rule(pkg))
    return (pkg.get("type") == openness.APPLICATION_TYPE
            and pkg.get("state", "active") == "active"
            and not pkg.get("private", False))


@dataclass
class PackageFacts:
    package_id: str
    package_type: str
    state: str
    private: bool
    owner_org: str | None
    num_resources: int
    extras: dict[str, str] = field(default_factory=dict)
    formats: list[str] = field(default_factory=list)

    @property
    def access_rights(self) -> str | None:
        return self.extras.get("access_rights") or None

    @property
    def identifier(self) -> str:
        return (self.extras.get("identifier") or "").strip()

    @property
    def count_key(self) -> str:
        """Copies of one identifier (e.g. harvested twice) are one dataset for the counters;
        without an identifier a package is its own key."""
        return f"id:{self.identifier}" if self.identifier else f"pkg:{self.package_id}"

    @property
    def themes(self) -> list[str]:
        return parse_list(self.extras.get("theme"))

    @property
    def used_datasets(self) -> list[str]:
        return parse_list(self.extras.get("used_datasets"))

    @property
    def harvested(self) -> bool:
        return bool(self.extras.get("harvest_source_id") or self.extras.get("harvest_remote_id"))

    def as_rule_input(self) -> dict[str, Any]:
        return {"type": self.package_type, "state": self.state, "private": self.private,
                "access_rights": self.access_rights, "num_resources": self.num_resources}

    @property
    def is_open(self) -> bool:
        if self.package_type == openness.DATASET_TYPE:
            return openness.is_open_dataset(self.as_rule_input())
        if self.package_type == openness.APPLICATION_TYPE:
            return is_public_application(self.as_rule_input())
        return False  # other types (harvest sources, ...) never count

    def closing_reason(self) -> str:
        """Why a package that counted stopped counting (the first failed condition)."""
        if self.state == "deleted":
            return "deleted"
        if self.state != "active":
            return self.state or "inactive"
        if self.private:
            return "made_private"
        if self.package_type == openness.DATASET_TYPE:
            if self.access_rights == openness.NOT_OPEN:
                return "not_open"
            if self.access_rights not in openness.OPEN_ACCESS_RIGHTS:
                return "no_open_access_rights"
            if not self.num_resources:
                return "no_resources"
        return "not_countable"


def normalise_formats(formats: Iterable[str | None]) -> list[str]:
    return sorted({f.strip().upper().lstrip(".") for f in formats if f and f.strip()})


def from_model(pkg: Any) -> PackageFacts:
    """Facts of a ckan.model.Package as it stands in the current session."""
    resources = [r for r in pkg.resources if r.state == "active"]
    extras = {k: v for k, v in (pkg.extras or {}).items() if k in EXTRA_KEYS}
    return PackageFacts(
        package_id=pkg.id, package_type=pkg.type or "dataset", state=pkg.state or "active",
        private=bool(pkg.private), owner_org=pkg.owner_org, num_resources=len(resources),
        extras=extras, formats=normalise_formats(r.format for r in resources),
    )
