"""Which transaction the index writes go to, and when "commit" means commit.

CKAN indexes a dataset from its ``before_commit`` hook (IDomainObjectModification),
i.e. inside the transaction that changes the dataset. Our writes go into that
same transaction, so a rollback leaves the index exactly as it was (no drift)
and Solr's ``commit=True`` means nothing there: the surrounding commit decides.

Outside that hook (``ckan search-index rebuild`` / ``clear``, CKAN's tests that
call the index functions directly) a Solr commit must make the writes durable:
there we commit the session. A ``before_commit`` listener inserted *first*
marks the session as "committing" and one appended *last* clears the mark, so
anything CKAN's own listener does in between is known to be inside the hook.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event

_local = threading.local()
_installed = False
_MARK = "guangdong_search_in_commit"


def _enter(session: Any) -> None:
    session.info[_MARK] = True
    _local.session = session


def _leave(session: Any, *args: Any) -> None:
    session.info.pop(_MARK, None)
    if getattr(_local, "session", None) is session:
        _local.session = None


def install_listeners(before_commit: Sequence[Callable[..., None]] = (),
                      after_rollback: Sequence[Callable[..., None]] = ()) -> None:
    """Idempotent: listens on CKAN's scoped session and its local-session maker. The
    backend's own listeners (connection.install_listeners) run inside the commit mark,
    in the order given; this module imports none of the backend (no import circle)."""
    global _installed
    if _installed:
        return
    from ckan.model import meta

    for target in (meta.Session, meta.create_local_session):
        event.listen(target, "before_commit", _enter, insert=True)
        event.listen(target, "before_commit", _leave)
        for listener in before_commit:
            event.listen(target, "before_commit", listener)
        event.listen(target, "after_commit", _leave)
        event.listen(target, "after_rollback", _leave)
        for listener in after_rollback:
            event.listen(target, "after_rollback", listener)
        event.listen(target, "after_soft_rollback", _leave)
    _installed = True


def listening() -> bool:
    return _installed


def in_commit_hook() -> bool:
    return getattr(_local, "session", None) is not None


def session() -> Any:
    """The session whose transaction index writes join."""
    current = getattr(_local, "session", None)
    if current is not None:
        return current
    from ckan import model
    return model.Session


def make_durable(requested: bool) -> None:
    """Honour a Solr commit request: commit unless the dataset's own commit will."""
    if requested and not in_commit_hook():
        session().commit()


def transaction_of(session: Any) -> Any:
    """The session's current transaction (None when it has none or cannot say)."""
    if not hasattr(session, "get_transaction") and hasattr(session, "registry"):
        session = session.registry()  # a scoped_session: its current Session
    return session.get_transaction() if hasattr(session, "get_transaction") else None
