"""What the three Guangdong harvesters share: config, the incremental gather loop,
withdrawals, and the import pipeline (map -> validate through package actions).

A harvester subclass only says how to list a portal (``list_records``) and, if the
listing is a summary, how to fetch one record (``fetch_record``).
"""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
import hashlib
import json
import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from . import config as source_config
from . import importer, objects, organizations, schema_fit, store, withdrawal
from .crosswalk import Crosswalk
from .crosswalk import load as load_crosswalk
from .errors import DuplicateInSource, HarvestError, RecordRejected, format_message
from .fetch import Client
from .mapping import Mapped, RemoteRecord, map_record

log = logging.getLogger(__name__)


@dataclass
class Listed:
    """One entry of a portal's listing. ``fingerprint`` decides whether it changed
    (a content hash, or the remote modification date when that is all the listing has);
    ``record`` is the full record when the listing carries it (then fetch has nothing to do)."""
    guid: str
    fingerprint: str
    record: RemoteRecord | None = None


class GuangdongHarvesterBase(HarvesterBase):
    NAME = ""
    # English msgids, translated where shown (the guangdong_harvest catalog)
    TITLE = ""
    DESCRIPTION = ""

    # --- IHarvester ----------------------------------------------------------------

    def info(self) -> dict[str, str]:
        return {"name": self.NAME, "title": self.TITLE, "description": self.DESCRIPTION}

    def validate_config(self, config: str | None) -> str:
        try:
            cfg = source_config.parse(config, self.NAME)
        except source_config.ConfigError as e:
            raise ValueError(str(e)) from e
        self.validate_specific(cfg)
        return json.dumps(cfg, ensure_ascii=False, indent=1)

    def validate_specific(self, cfg: dict[str, Any]) -> None:
        """Subclass hook for checks that need the harvester's knowledge."""

    def fetch_urls(self, source_url: str, cfg: dict[str, Any]) -> list[str]:
        """Every URL a job of this source will request first (its pages and endpoints), so the
        URL policy can check them all when the source is saved (again on every request)."""
        return [source_url]

    def link_urls(self, source_url: str, cfg: dict[str, Any]) -> list[str]:
        """URLs the config makes into links on dataset pages (never fetched): http/https only."""
        return []

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        if obj and obj.content:
            try:
                url = json.loads(obj.content).get("remote_url")
            except ValueError:
                return None
            # the job page links it: a city portal's javascript: URL must not become a link
            from ckanext.guangdong.security.links import safe_url
            return safe_url(url) or None
        return None

    # --- helpers ---------------------------------------------------------------------

    def source_config(self, source: Any) -> dict[str, Any]:
        return source_config.parse(source.config, self.NAME)

    def client(self, cfg: dict[str, Any]) -> Client:
        default = float(tk.config.get("ckanext.guangdong.harvest.http_timeout") or 30)
        return Client(timeout=float(cfg.get("http_timeout") or default),
                      headers=source_config.auth_headers(cfg))

    def crosswalk(self, cfg: dict[str, Any]) -> Crosswalk:
        return load_crosswalk(cfg.get("crosswalk"))

    @staticmethod
    def job_error(job: HarvestJob, kind: str, message: str) -> None:
        HarvestGatherError(message=format_message(kind, message), job=job).save()

    @staticmethod
    def object_error(obj: HarvestObject, kind: str, message: str, stage: str,
                     warning: bool = False) -> None:
        HarvestObjectError(message=format_message(kind, message, warning), object=obj,
                           stage=stage).save()

    # --- gather ----------------------------------------------------------------------

    def list_records(self, source: Any, cfg: dict[str, Any], client: Client,
                     job: HarvestJob) -> Iterator[Listed]:
        """Yield every record of the portal. Raise HarvestError when the listing fails
        (the records yielded so far are kept; withdrawals are then skipped)."""
        raise NotImplementedError

    def gather_stage(self, harvest_job: HarvestJob) -> list[str] | None:
        if not store.claim_gather(harvest_job.id):  # pyright: ignore[reportArgumentType]
            log.warning(
                "harvest job %s of source %s is already being gathered by another process (the "
                "gather consumer, or another `ckan harvester run-test`): this one waits for it and "
                "gathers nothing itself; the records are imported once, by the process that "
                "gathered them (the fetch consumers, or that run-test)",
                harvest_job.id, harvest_job.source.url)
            store.wait_for_gather(harvest_job.id, limit_seconds=3600)  # pyright: ignore[reportArgumentType]
            return []
        try:
            return self._gather(harvest_job)
        finally:
            store.gather_done(harvest_job.id)  # pyright: ignore[reportArgumentType]

    def _gather(self, harvest_job: HarvestJob) -> list[str] | None:
        source = harvest_job.source
        cfg = self._gather_config(harvest_job)
        if cfg is None:
            return None
        all_current = store.previous_state(source.id)
        writer = store.ObjectWriter(harvest_job.id, source.id)  # pyright: ignore[reportArgumentType]
        seen, complete = self._queue_listed(harvest_job, cfg, writer, all_current)
        self._queue_withdrawals(harvest_job, writer, all_current, seen, complete)
        writer.flush()
        return writer.ids

    def _gather_config(self, harvest_job: HarvestJob) -> dict[str, Any] | None:
        """The source's config, with its city's organization in place; None (and a job error)
        when either fails."""
        try:
            cfg = self.source_config(harvest_job.source)
        except source_config.ConfigError as e:
            self.job_error(harvest_job, "invalid_response", f"source config: {e}")
            return None
        try:
            # The city's organization exists before any record is queued, so parallel fetch
            # consumers never race to create it.
            organizations.city_org(cfg["region_code"], self.crosswalk(cfg))
        except Exception as e:
            self.job_error(harvest_job, "import_error", f"organization city-{cfg['region_code']}: {e}")
            return None
        return cfg

    def _queue_listed(self, harvest_job: HarvestJob, cfg: dict[str, Any], writer: store.ObjectWriter,
                      all_current: dict[str, store.Previous]) -> tuple[set[str], bool]:
        """Queue each new or changed record of the listing. Returns the guids listed and whether
        the listing was complete (a failure is a job error; what was listed so far is kept)."""
        # A changed source config (crosswalk override, precedence, defaults) re-maps every
        # record: the config's hash is part of each fingerprint.
        cfg_hash = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:12]
        previous = all_current if cfg.get("incremental", True) else {}
        client = self.client(cfg)
        seen: set[str] = set()
        try:
            for item in self.list_records(harvest_job.source, cfg, client, harvest_job):
                if item.guid in seen:
                    continue  # a record listed twice (paging overlap) is harvested once
                seen.add(item.guid)
                prev = previous.get(item.guid)
                fingerprint = f"{cfg_hash}:{item.fingerprint}"
                if prev is not None and prev.fingerprint == fingerprint:
                    continue  # unchanged since the last successful import
                writer.add(item.guid, "change" if item.guid in all_current else "new",
                           content=item.record.to_json() if item.record else None,
                           fingerprint=fingerprint)
        except HarvestError as e:
            self.job_error(harvest_job, e.kind, e.message)
            return seen, False
        except Exception as e:  # a bug or a shape we did not expect: record it, keep what we have
            log.exception("gather failed")
            self.job_error(harvest_job, "invalid_response", f"{type(e).__name__}: {e}")
            return seen, False
        return seen, True

    def _queue_withdrawals(self, harvest_job: HarvestJob, writer: store.ObjectWriter,
                           all_current: dict[str, store.Previous], seen: set[str], complete: bool) -> None:
        """Queue the withdrawal of each record the source no longer lists, after a complete and
        non-empty listing only."""
        if complete and not seen:
            # An empty listing where there were records is far more often a broken portal
            # (a misrouted API answering an empty page) than a city withdrawing everything.
            self.job_error(harvest_job, "invalid_response",
                           f"the source listed no records although {len(all_current)} were "
                           "harvested before; nothing was withdrawn" if all_current
                           else "the source lists no records")
        elif complete:
            for guid, prev in all_current.items():
                if guid not in seen:
                    writer.add(guid, "delete", package_id=prev.package_id)
        elif all_current:
            self.job_error(harvest_job, "listing_incomplete",
                           f"the listing stopped after {len(seen)} records; datasets missing "
                           "from it were not withdrawn")

    # --- fetch -------------------------------------------------------------------------

    def fetch_record(self, obj: HarvestObject, cfg: dict[str, Any], client: Client) -> RemoteRecord:
        raise NotImplementedError

    def fetch_stage(self, harvest_object: HarvestObject) -> bool | str:
        if store.object_extra(harvest_object, store.STATUS) == "delete" or harvest_object.content:
            return True
        try:
            cfg = self.source_config(harvest_object.source)
            record = self.fetch_record(harvest_object, cfg, self.client(cfg))
        except HarvestError as e:
            self.object_error(harvest_object, e.kind, e.message, "Fetch")
            return False
        except Exception as e:
            log.exception("fetch failed")
            self.object_error(harvest_object, "invalid_response", f"{type(e).__name__}: {e}", "Fetch")
            return False
        harvest_object.content = record.to_json()  # pyright: ignore[reportAttributeAccessIssue]
        harvest_object.save()
        return True

    # --- import ------------------------------------------------------------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        try:
            cfg = self.source_config(harvest_object.source)
        except source_config.ConfigError as e:
            self.object_error(harvest_object, "invalid_response", f"source config: {e}", "Import")
            return False
        if store.object_extra(harvest_object, store.STATUS) == "delete":
            return self._import_withdrawal(harvest_object, cfg)
        crosswalk = self.crosswalk(cfg)
        read = self._read_record(harvest_object, crosswalk)
        if read is None:
            return False
        record, mapped = read
        try:
            outcome = self._write(harvest_object, record, mapped, cfg, crosswalk)
        except Exception as e:
            model.Session.rollback()
            return self._import_failed(harvest_object, e)
        model.Session.commit()  # the dataset and its current harvest object together
        return "unchanged" if outcome.status == "unchanged" else True

    def _read_record(self, obj: HarvestObject, crosswalk: Crosswalk) -> tuple[RemoteRecord, Mapped] | None:
        """The fetched record and its mapping (its issues reported); None when unreadable or
        rejected (reported)."""
        try:
            record = RemoteRecord.from_json(obj.content)  # pyright: ignore[reportArgumentType]
            mapped = map_record(record, crosswalk, schema_fit.known_themes())
        except RecordRejected as e:
            self.object_error(obj, e.kind, e.message, "Import")
            return None
        except (ValueError, KeyError, TypeError) as e:
            self.object_error(obj, "invalid_response", f"unreadable record: {e}", "Import")
            return None
        for issue in mapped.issues:
            self.object_error(obj, issue.kind, issue.message, "Import", issue.warning)
        return record, mapped

    def _write(self, obj: HarvestObject, record: RemoteRecord, mapped: Mapped, cfg: dict[str, Any],
               crosswalk: Crosswalk) -> importer.Outcome:
        try:
            return importer.write_dataset(obj, record, mapped, cfg, crosswalk)
        except tk.ValidationError as e:
            # Optional fields the schema rejects (a malformed phone number, say) are
            # dropped with a warning rather than losing the whole dataset.
            model.Session.rollback()
            objects.unlink_failed(obj)
            droppable = _optional_failures(e, mapped.fields)
            if not droppable:
                raise
            for key in droppable:
                self.object_error(obj, "validation_error", f"{key} dropped: {e.error_dict[key]}",
                                  "Import", warning=True)
                mapped.fields.pop(key, None)
        return importer.write_dataset(obj, record, mapped, cfg, crosswalk)

    def _import_failed(self, obj: HarvestObject, error: Exception) -> bool | str:
        """Report why a record was not written (the transaction is rolled back); the stage's answer."""
        if isinstance(error, RecordRejected) and not isinstance(error, DuplicateInSource):
            if error.kind != "duplicate_identifier":
                self.object_error(obj, error.kind, error.message, "Import")
                return False
            # Not a failure of this record: it lives on under the source with precedence, and
            # stays current without a dataset so an unchanged re-harvest does not fetch it again.
            self.object_error(obj, error.kind, error.message, "Import", warning=True)
            objects.make_current(obj, None)
            model.Session.commit()
            return "unchanged"
        # DuplicateInSource: the first record keeps the dataset; this one is the source's error,
        # and stays non-current so it is tried (and reported) again at the next job.
        objects.unlink_failed(obj)
        if isinstance(error, DuplicateInSource):
            kind, message = error.kind, error.message
        elif isinstance(error, tk.ValidationError):
            kind, message = "validation_error", _validation_text(error)
        else:
            log.error("import failed: %s", traceback.format_exc())
            kind, message = "import_error", f"{type(error).__name__}: {error}"
        self.object_error(obj, kind, message, "Import")
        return False

    def _import_withdrawal(self, obj: HarvestObject, cfg: dict[str, Any]) -> bool:
        try:
            done = withdrawal.withdraw(obj.package_id, obj.harvest_source_id, cfg["withdrawal"])  # pyright: ignore[reportArgumentType]
        except Exception as e:
            model.Session.rollback()
            log.exception("withdrawal failed")
            self.object_error(obj, "withdrawal_error", f"{type(e).__name__}: {e}", "Import")
            return False
        log.info("withdrawal of %s: %s", obj.guid, done)
        objects.retire_record(obj)
        return True


def _optional_failures(e: Any, fields: dict[str, Any]) -> list[str]:
    """Keys of a ValidationError that are optional mapped fields, or [] if any failing key
    is required (or not ours to drop)."""
    errors = {k: v for k, v in (getattr(e, "error_dict", None) or {}).items() if k != "__type"}
    schema = schema_fit.schema_fields()
    keys = []
    for key in errors:
        if key not in fields or key in ("title", "identifier") or (schema.get(key) or {}).get("required"):
            return []
        keys.append(key)
    return keys


def _validation_text(e: Any) -> str:
    errors = getattr(e, "error_dict", None) or {}
    parts = []
    for key, value in errors.items():
        if key == "__type":
            continue
        parts.append(f"{key}: {value}")
    return "; ".join(parts) or str(e)
