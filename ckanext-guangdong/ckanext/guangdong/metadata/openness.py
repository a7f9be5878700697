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

from collections.abc import Callable, Mapping, Sequence
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


# The publishing-safety gate (ckanext.guangdong.safety, docs/safety.md) holds a dataset back
# while its files are unscanned or hold personal data, its description holds personal data, or
# its review is pending. A held dataset is stored private, like 不予开放: every reader of the
# private flag (search permission labels, DCAT, the events and so the counters, previews, the
# DataStore API) keeps it from the public. The gate registers how it finds a dataset's holds
# here, so writers ask one rule: ``may_be_public(access_rights, publication_holds(pkg))``.
HoldCheck = Callable[[Any], Sequence[str]]
_hold_checks: list[HoldCheck] = []


def register_hold_check(check: HoldCheck) -> None:
    """Called once by the safety plugin; ``check(package)`` gives a stored dataset's holds."""
    if check not in _hold_checks:
        _hold_checks.append(check)


def publication_holds(package: Any) -> list[str]:
    """What holds a stored dataset (ckan.model.Package) back from the public now; empty when
    nothing does (or no gate is installed)."""
    return [hold for check in _hold_checks for hold in check(package)]


def may_be_public(access_rights: Any, holds: Sequence[str] = ()) -> bool:
    """Whether a dataset with these access rights (and these holds of the safety gate) may be
    public: 不予开放 never, a held dataset not yet."""
    return access_rights != NOT_OPEN and not holds


def is_open_dataset(pkg: Mapping[str, Any]) -> bool:
    """An open dataset: active, public, of type dataset, access rights 无条件/有条件开放,
    with at least one resource (docs/targets.md explains each condition). A dataset the safety
    gate holds is stored private, so it is not open by this rule either."""
    return (
        pkg.get("type", DATASET_TYPE) == DATASET_TYPE
        and pkg.get("state", "active") == "active"
        and not pkg.get("private", False)
        and pkg.get("access_rights") in OPEN_ACCESS_RIGHTS
        and bool(pkg.get("resources") or pkg.get("num_resources"))
    )
