"""Harvest objects of a gather, written in batches.

ckanext-harvest's usual ``HarvestObject(...).save()`` commits once per object, which
makes gathering a 100,000-record city slow and keeps every ORM object in the session.
We insert rows with SQLAlchemy Core in batches and keep in memory only what the
incremental check needs: guid -> (fingerprint, package id) of the current objects.
"""
from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

FINGERPRINT = "gd_fingerprint"   # content hash or remote modification date
STATUS = "status"                # new | change | delete (ckanext-harvest's own convention)


@dataclass
class Previous:
    fingerprint: str | None
    package_id: str | None


def previous_state(source_id: str) -> dict[str, Previous]:
    """guid -> Previous for the records this source holds now (current objects)."""
    ho = HarvestObject.__table__
    hx = HarvestObjectExtra.__table__
    q = (sa.select(ho.c.guid, ho.c.package_id, hx.c.value)
         .select_from(ho.outerjoin(hx, sa.and_(hx.c.harvest_object_id == ho.c.id,
                                               hx.c.key == FINGERPRINT)))
         .where(ho.c.harvest_source_id == source_id)
         .where(ho.c.current.is_(True)))
    out: dict[str, Previous] = {}
    for guid, package_id, fingerprint in model.Session.execute(q):
        out[guid] = Previous(fingerprint, package_id)
    return out


class ObjectWriter:
    """Buffers new harvest objects and writes them in batches; collects their ids."""

    def __init__(self, job_id: str, source_id: str, batch: int = 500) -> None:
        self.job_id = job_id
        self.source_id = source_id
        self.batch = batch
        self.ids: list[str] = []
        self._objects: list[dict] = []
        self._extras: list[dict] = []

    def add(self, guid: str, status: str, content: str | None = None,
            fingerprint: str | None = None, package_id: str | None = None) -> None:
        oid = str(uuid.uuid4())
        now = datetime.datetime.utcnow()
        self._objects.append({
            "id": oid, "guid": guid, "current": False, "gathered": now, "content": content,
            "state": "WAITING", "retry_times": 0, "harvest_job_id": self.job_id,
            "harvest_source_id": self.source_id, "package_id": package_id,
        })
        self._extras.append({"id": str(uuid.uuid4()), "harvest_object_id": oid,
                             "key": STATUS, "value": status})
        if fingerprint is not None:
            self._extras.append({"id": str(uuid.uuid4()), "harvest_object_id": oid,
                                 "key": FINGERPRINT, "value": fingerprint})
        self.ids.append(oid)
        if len(self._objects) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self._objects:
            return
        model.Session.execute(HarvestObject.__table__.insert(), self._objects)
        model.Session.execute(HarvestObjectExtra.__table__.insert(), self._extras)
        model.Session.commit()
        self._objects, self._extras = [], []


# --- one gather per job ----------------------------------------------------------------------
# `ckan harvester run-test <source>` gathers and imports a job in the foreground; the scheduler
# of `make run` may send the same (New) job to the gather consumer at the same moment. Two
# gathers of one job would write every record twice and import each twice, concurrently. The
# first gather claims the job in Redis (atomic SET NX); any other waits until it is done and
# gathers nothing itself (the records are then imported once, by whoever gathered them).
_CLAIM_TTL = 7 * 24 * 3600


def _claim_key(job_id: str) -> str:
    return f"guangdong:harvest:gather:{job_id}"


def claim_gather(job_id: str) -> bool:
    from ckan.lib.redis import connect_to_redis
    return bool(connect_to_redis().set(_claim_key(job_id), "gathering", nx=True, ex=_CLAIM_TTL))


def gather_done(job_id: str) -> None:
    from ckan.lib.redis import connect_to_redis
    connect_to_redis().set(_claim_key(job_id), "done", ex=_CLAIM_TTL)


def wait_for_gather(job_id: str, limit_seconds: float, poll: float = 0.5) -> bool:
    """Wait until the gather that claimed the job is done; False when it is still running
    after ``limit_seconds``."""
    import time

    from ckan.lib.redis import connect_to_redis
    redis = connect_to_redis()
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        state = redis.get(_claim_key(job_id))
        if state in (None, b"done", "done"):
            return True
        time.sleep(poll)
    return False


def object_extra(obj: HarvestObject, key: str) -> str | None:
    for extra in obj.extras:
        if extra.key == key:
            return extra.value
    return None


def current_objects_for(source_id: str, guid: str) -> Iterator[HarvestObject]:
    return iter(model.Session.query(HarvestObject)
                .filter(HarvestObject.harvest_source_id == source_id)
                .filter(HarvestObject.guid == guid)
                .filter(HarvestObject.current.is_(True)).all())
