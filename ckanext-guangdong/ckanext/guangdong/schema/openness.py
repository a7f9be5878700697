"""What "openly published" means, and who may be public. The schema owns these rules; the
validators, the organization bulk actions, the harvesters, search facets, DCAT, the events
recorder and the target counters import them instead of re-deriving them.

Stored values of the ``access_rights`` field (开放属性), see schemas/vocab/access_rights.yaml.

The write-time rule (docs/security.md): a 不予开放 dataset is stored private or refused. The
``private`` flag is read by ``parse_private`` only: the validator of the ``private`` field,
the 不予开放 check and the harvest importer all read it the same way, so no spelling of
"true" can be private to one reader and public to another.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNCONDITIONAL = "unconditional"   # 无条件开放
CONDITIONAL = "conditional"       # 有条件开放
NOT_OPEN = "not_open"             # 不予开放: never public
OPEN_ACCESS_RIGHTS: tuple[str, ...] = (UNCONDITIONAL, CONDITIONAL)

DATASET_TYPE = "dataset"
APPLICATION_TYPE = "application"

# The spellings of a yes/no value accepted anywhere (CKAN's asbool words), compared after
# trimming and ignoring case. Anything else is not a boolean and is refused, never guessed.
TRUE_WORDS = frozenset({"true", "yes", "on", "y", "t", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "n", "f", "0"})


class NotABoolean(ValueError):
    """A ``private`` value that is neither true nor false ("maybe", "", [], {})."""


def parse_private(value: Any) -> bool | None:
    """The ``private`` flag as sent: True or False, None when it was not sent (None / missing);
    raises NotABoolean for anything else."""
    if value is None or value.__class__.__name__ == "Missing":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise NotABoolean(repr(value)[:40])


def may_be_public(access_rights: Any) -> bool:
    """Whether a dataset with these access rights may ever be public (不予开放 may not)."""
    return access_rights != NOT_OPEN


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
