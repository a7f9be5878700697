"""``ckan guangdong scheduler``: the periodic jobs of a running portal (scheduled harvests,
the hourly view counts and link rescans, the daily targets snapshot). Its interval is the harvest feature's
option ``ckanext.guangdong.scheduler.harvest_interval`` (harvest_ops/config_declaration.yaml)."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime

import ckan.plugins.toolkit as tk
import click
from ckan.types import Context

log = logging.getLogger(__name__)


def _site_context() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _run_scheduled_harvests() -> None:
    """What ``ckan harvester run`` does: start due jobs, finish completed ones."""
    if "harvest" not in tk.config.get("ckan.plugins", []):
        return
    try:
        tk.get_action("harvest_jobs_run")(_site_context(), {})
    except tk.ObjectNotFound:
        pass  # no sources due
    except Exception:  # keep the scheduler alive; the error is in the log
        log.exception("scheduled harvest run failed")


def _update_tracking() -> None:
    """CKAN's ``ckan tracking update``: page views and downloads summed per day and put in
    the search index (the home page's most viewed datasets, the counts on dataset pages)."""
    if "tracking" not in tk.config.get("ckan.plugins", []):
        return
    try:
        import ckan.model as model
        from ckanext.tracking.cli.tracking import update_all
        from ckanext.tracking.model import TrackingRaw, TrackingSummary
        from sqlalchemy import func
        start = None  # CKAN's own choice: two days before the last summary
        if model.Session.query(TrackingSummary).first() is None:
            # The first run: from the first recorded view, not from 2011 (a day at a time).
            first = model.Session.query(func.min(TrackingRaw.access_timestamp)).scalar()
            start = (first or datetime.now()).strftime("%Y-%m-%d")
        update_all(start)
    except Exception:  # keep the scheduler alive; the error is in the log
        log.exception("tracking update failed")


def _rescan_links() -> None:
    """The links whose scan is due are read again (the safety feature; docs/safety.md)."""
    try:
        tk.get_action("guangdong_safety_rescan_links")(_site_context(), {})
    except KeyError:
        pass  # safety plugin not enabled
    except Exception:  # keep the scheduler alive; the error is in the log
        log.exception("link rescan failed")


@click.command()
@click.option("--once", is_flag=True, help="Run each due task once and exit.")
def scheduler(once: bool) -> None:
    """Periodic jobs: scheduled harvests, the hourly view counts and link rescans, the daily targets
    snapshot."""
    interval = tk.config.get("ckanext.guangdong.scheduler.harvest_interval")
    last_snapshot: date | None = None
    last_tracking = 0.0
    while True:
        _run_scheduled_harvests()
        if time.monotonic() - last_tracking >= 3600:
            _update_tracking()
            _rescan_links()
            last_tracking = time.monotonic()
        if last_snapshot != date.today():
            try:
                tk.get_action("guangdong_targets_snapshot")(_site_context(), {})
                last_snapshot = date.today()
            except KeyError:
                last_snapshot = date.today()  # targets plugin not enabled
            except Exception:
                log.exception("daily targets snapshot failed")
        if once:
            return
        time.sleep(interval)
