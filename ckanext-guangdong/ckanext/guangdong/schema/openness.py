"""What "openly published" means. The schema owns this rule; search facets, DCAT,
the events recorder and the target counters import it instead of re-deriving it.

Stored values of the ``access_rights`` field (开放属性), see schemas/vocab/access_rights.yaml.
"""
from __future__ import annotations

from typing import Any, Mapping

UNCONDITIONAL = "unconditional"   # 无条件开放
CONDITIONAL = "conditional"       # 有条件开放
NOT_OPEN = "not_open"             # 不予开放: never public
OPEN_ACCESS_RIGHTS: tuple[str, ...] = (UNCONDITIONAL, CONDITIONAL)

DATASET_TYPE = "dataset"
APPLICATION_TYPE = "application"


def is_open_dataset(pkg: Mapping[str, Any]) -> bool:
    """An open dataset: active, public, of type dataset, access rights 无条件/有条件开放,
    with at least one resource (docs/targets.md explains each condition)."""
    return (
        pkg.get("type", DATASET_TYPE) == DATASET_TYPE
        and pkg.get("state", "active") == "active"
        and not pkg.get("private", False)
        and pkg.get("access_rights") in OPEN_ACCESS_RIGHTS
        and bool(pkg.get("resources") or pkg.get("num_resources"))
    )
