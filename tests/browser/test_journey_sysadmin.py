"""A sysadmin's journey, in Chinese and in English: create a harvest source through the form →
run it → follow its progress → download its error report. The source is a real HTTP stand-in
of a 开放广东-style city portal on 127.0.0.1 (ckanext.guangdong.demo.cityportals) with broken records.

The harvest runs through ckanext-harvest's own Redis queues and callbacks (what the gather and
fetch consumers of ``make run`` execute), in a thread of the test process instead of two
separate consumer processes: starting those would cost seconds of CKAN start-up per run."""
from __future__ import annotations

import csv
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import PASSWORD, ensure_org, make_person
from browser_journey import Journey

pytestmark = pytest.mark.usefixtures("browser_plugins")
BROKEN_IN_FIRST_30 = 4  # records 7, 13, 21 and 29 of the stand-in (demo/cityportals/api_portal.py)


@pytest.fixture
def city_portal(live_server) -> Iterator[Any]:
    """A stand-in of its own per journey: a source's URL may be registered only once."""
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    org = ensure_org("city-441600", "河源市", "441600", "city")
    served = serve_portal(PortalState(count=30, slow_seconds=0.1))
    served.owner_id = org["id"]  # type: ignore[attr-defined]
    yield served
    served.stop()


class Consumers(threading.Thread):
    """The gather and fetch consumers' loop over ckanext-harvest's Redis queues, until both
    queues stay empty; then ``harvest_jobs_run`` marks finished jobs, as the scheduler does."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        from ckan import model
        from ckanext.harvest import queue
        try:
            gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
            idle_since = time.monotonic()
            while time.monotonic() - idle_since < 2:
                for consumer, name, callback in ((gather, queue.get_gather_queue_name(), queue.gather_callback),
                                                 (fetch, queue.get_fetch_queue_name(), queue.fetch_callback)):
                    method, header, body = consumer.basic_get(name)
                    if body:
                        callback(consumer, method, header, body)
                        idle_since = time.monotonic()
                        break
                else:
                    time.sleep(0.2)
            site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
            tk.get_action("harvest_jobs_run")({"user": site_user["name"]}, {})
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            model.Session.remove()


def click_and_confirm(j: Journey, link: Any) -> None:
    """A link guarded by CKAN's confirm-action module: click, then confirm in its dialog."""
    link.click()
    confirm = j.page.locator(".modal.show .btn-primary, .modal.in .btn-primary")
    try:
        confirm.first.wait_for(state="visible", timeout=3_000)
        confirm.first.click()
    except Exception:
        pass  # no dialog (no JavaScript): the link itself started the job
    j.page.wait_for_load_state("load")


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_sysadmin_journey(journey, city_portal, lang):
    from ckanext.harvest import queue
    name = f"heyuan-browser-{uuid.uuid4().hex[:6]}"
    title = "河源市开放数据平台浏览器测试源"
    admin = make_person("平台管理员", sysadmin=True)
    j = journey("sysadmin", lang, allowed_words=(title,))
    page = j.page
    j.login(admin["name"], PASSWORD)

    # The source, through the form.
    j.goto("/harvest/new")
    j.check("source-form")
    page.fill("#field-url", city_portal.url)
    page.fill("#field-title", title)
    if not page.locator("#field-name").is_visible():  # CKAN's slug preview: its edit button
        page.locator(".slug-preview button, .slug-preview a").first.click()
    page.fill("#field-name", name)
    page.check("input[name=source_type][value=guangdong_api]")
    page.select_option("#field-frequency", "MANUAL")
    page.fill("#field-config", json.dumps({"region_code": "441600", "preset": "kaifang_guangdong",
                                           "http_timeout": 2, "withdrawal": "withdraw"}))
    # (CKAN's autocomplete module shows its own widget over the select; the value is the select's)
    page.select_option("select#field-organizations", value=city_portal.owner_id, force=True)
    page.locator("#source-new [type=submit][name=save]").click()
    page.wait_for_load_state("load")
    if not page.url.rstrip("/").endswith(f"/harvest/{name}"):
        j.shot("source-form-refused")
        errors = page.locator(".error-explanation, .error-block, .alert").all_inner_texts()
        raise AssertionError(f"the source form was refused: {errors} ({page.url})")
    j.check("source")

    # Run it: the admin page's reharvest button puts a job on the gather queue.
    queue.purge_queues()  # nothing left over from other tests
    j.goto(f"/harvest/admin/{name}")
    j.check("source-admin")
    click_and_confirm(j, page.locator("a[href*='/harvest/refresh/']").first)
    source = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": name})
    assert source["status"]["job_count"] == 1, "no harvest job was started"

    # Follow its progress on the source page while the consumers work.
    consumers = Consumers()
    consumers.start()
    j.goto(f"/harvest/{name}")
    j.check("progress-running")
    consumers.join(timeout=120)
    assert not consumers.is_alive() and consumers.error is None, consumers.error
    j.goto(f"/harvest/{name}")
    progress = page.locator("#guangdong-harvest-progress")
    assert progress.locator("dl").get_attribute("data-phase") == "finished"
    errored = int(progress.locator("[data-field=errored]").inner_text())
    assert errored >= BROKEN_IN_FIRST_30 - 1  # the list entry without an id is a job-level error
    j.check("progress-finished")

    # The error report: every error, downloadable as CSV.
    name_, body = j.download(lambda: progress.locator("a[href$='errors.csv']").click())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert name_.startswith("harvest-errors-") and len(rows) >= BROKEN_IN_FIRST_30
    assert {"kind", "message", "guid"} <= set(rows[0])
    progress.locator("a[href*='/job/']").first.click()
    page.wait_for_load_state("load")
    j.check("error-report")
    j.finish()
