"""Counting rules and as_of across publish / withdraw events (docs/targets.md)."""
from __future__ import annotations

import pytest
from ckan.tests import helpers

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "guangdong_events guangdong_targets"),
    pytest.mark.ckan_config("ckan.search.automatic_indexing", "false"),
    pytest.mark.usefixtures("with_plugins"),
]


def test_withdrawn_and_republished(catalog):
    org = catalog.org("dept-a", "440000", "department")
    with catalog.at("2018-03-01"):
        pid = catalog.dataset(org)
    with catalog.at("2018-06-01"):
        catalog.delete(pid)
    with catalog.at("2018-09-01"):
        catalog.patch(pid, state="active")
    expected = {"2018-02-28": 0, "2018-03-01": 1, "2018-05-31": 1, "2018-06-01": 0,
                "2018-08-31": 0, "2018-09-01": 1, "2019-01-01": 1}
    assert {d: catalog.count(d) for d in expected} == expected


def test_private_then_public_counts_from_publication(catalog):
    org = catalog.org("dept-b", "440000", "department")
    with catalog.at("2018-01-10"):
        pid = catalog.dataset(org, private=True)
    with catalog.at("2018-04-01"):
        catalog.patch(pid, private=False)
    assert [catalog.count(d) for d in ("2018-01-10", "2018-03-31", "2018-04-01")] == [0, 0, 1]


def test_harvested_duplicate_identifier_counts_once(catalog, ckan_config, monkeypatch):
    heyuan = catalog.org("city-441600", "441600", "city")
    dept = catalog.org("dept-c", "440000", "department")
    with catalog.at("2018-02-01"):
        first = catalog.dataset(heyuan, identifier="441600/00000001", harvested=True)
    with catalog.at("2018-03-01"):
        # The same city dataset arrives a second time (another source, same identifier).
        second = catalog.dataset(heyuan, identifier="441600/00000001", harvested=True)
        catalog.dataset(dept, identifier="29000/00000001")
    assert catalog.count("2018-03-01") == 2
    assert catalog.count("2018-03-01", "city:441600") == 1
    with catalog.at("2018-04-01"):
        catalog.delete(first)
    assert catalog.count("2018-04-01", "city:441600") == 1  # the other copy is still open
    with catalog.at("2018-05-01"):
        catalog.delete(second)
    assert catalog.count("2018-05-01", "city:441600") == 0
    assert catalog.count("2018-05-01") == 1
    stats = helpers.call_action("guangdong_open_stats", as_of="2018-03-15")
    assert {c["region_code"]: c["datasets"] for c in stats["by_city"]} == {"441600": 1, "440000": 1}
    assert stats["series"]["datasets"] == [{"month": "2018-02", "count": 1}, {"month": "2018-03", "count": 2}]
    # Where every package should count, a site can switch the rule off.
    monkeypatch.setitem(ckan_config, "ckanext.guangdong.targets.dedupe_identifier", "false")
    assert catalog.count("2018-03-01") == 3
    assert catalog.count("2018-03-01", "city:441600") == 2


def test_switched_to_not_open(catalog):
    org = catalog.org("dept-d", "440000", "department")
    with catalog.at("2018-02-01"):
        pid = catalog.dataset(org, access="conditional")
    with catalog.at("2018-07-01"):
        catalog.set_extra(pid, "access_rights", "not_open")
    assert [catalog.count(d) for d in ("2018-06-30", "2018-07-01", "2019-01-01")] == [1, 0, 0]


def test_application_whose_only_dataset_is_withdrawn(catalog):
    org = catalog.org("dept-e", "440000", "department")
    with catalog.at("2018-01-05"):
        ds = catalog.dataset(org)
    with catalog.at("2018-02-01"):
        catalog.application(org, [ds])
    with catalog.at("2018-05-01"):
        catalog.patch(ds, private=True)
    apps = {d: catalog.count(d, metric="applications") for d in ("2018-01-31", "2018-02-01", "2018-04-30", "2018-05-01")}
    assert apps == {"2018-01-31": 0, "2018-02-01": 1, "2018-04-30": 1, "2018-05-01": 0}
    stats = helpers.call_action("guangdong_open_stats", as_of="2018-05-31")
    assert [p["count"] for p in stats["series"]["applications"]] == [0, 1, 1, 1, 0]
    assert stats["applications"] == 0


def test_application_linked_to_an_unopened_dataset_never_counts(catalog):
    org = catalog.org("dept-f", "440000", "department")
    closed = catalog.dataset(org, access="not_open")
    catalog.application(org, [closed])
    catalog.application(org, [])
    assert catalog.count("2100-01-01", metric="applications") == 0


def test_what_never_counts(catalog):
    org = catalog.org("dept-g", "440000", "department")
    catalog.dataset(org, private=True)
    catalog.dataset(org, access="not_open")
    catalog.dataset(org, resources=0)
    catalog.dataset(org, state="draft")
    catalog.delete(catalog.dataset(org))
    ds = catalog.dataset(org)
    catalog.application(org, [ds])  # applications are not datasets
    assert catalog.count("2100-01-01") == 1


def test_open_stats_breakdowns(catalog):
    gz = catalog.org("city-440100", "440100", "city")
    dept = catalog.org("dept-h", "440000", "department")
    with catalog.at("2018-01-15"):
        catalog.dataset(gz, themes=["民生服务", "道路交通"], harvested=True)
        catalog.dataset(gz, themes=["道路交通"], access="conditional", fmt="json")
        catalog.dataset(dept, themes=["民生服务"])
    stats = helpers.call_action("guangdong_open_stats", as_of="2018-01-31")
    assert stats["datasets"] == 3
    assert {c["region_code"]: c["datasets"] for c in stats["by_city"]} == {"440100": 2, "440000": 1}
    assert {t["value"]: t["datasets"] for t in stats["by_theme"]} == {"民生服务": 2, "道路交通": 2}
    assert {a["value"]: a["datasets"] for a in stats["by_access_rights"]} == {"unconditional": 2, "conditional": 1}
    assert {f["value"]: f["datasets"] for f in stats["by_format"]} == {"CSV": 2, "JSON": 1}
    assert [d["name"] for d in stats["by_department"]] == ["dept-h"]
    before = helpers.call_action("guangdong_open_stats", as_of="2017-12-31")
    assert before["datasets"] == 0 and before["by_city"] == []


def test_progress_status_and_projection(catalog):
    """Statuses follow the counts: met, on track (projection), at risk, missed at deadline."""
    org = catalog.org("city-441600", "441600", "city")
    # 10 datasets opened 2018-01-01 .. 2018-03-31 (a steady rate), none afterwards.
    days = ["2018-01-01", "2018-01-10", "2018-01-20", "2018-02-01", "2018-02-10",
            "2018-02-20", "2018-03-01", "2018-03-10", "2018-03-20", "2018-03-31"]
    for day in days:
        with catalog.at(day):
            catalog.dataset(org)
    heyuan = {t["id"]: t for t in catalog.progress("2018-03-31")["targets"]}["heyuan-datasets-2018"]
    assert heyuan["count"] == 10 and heyuan["threshold"] == 40
    assert heyuan["days_left"] == 275
    # rate = 10 per 90 days -> about 30 more by the deadline: at least 40, on track
    assert heyuan["projection"] == round(10 + 10 / 90 * 275) and heyuan["status"] == "on_track"
    later = {t["id"]: t for t in catalog.progress("2018-10-01")["targets"]}["heyuan-datasets-2018"]
    assert later["count"] == 10 and later["projection"] == 10 and later["status"] == "at_risk"
    after = {t["id"]: t for t in catalog.progress("2019-06-01")["targets"]}["heyuan-datasets-2018"]
    assert after["status"] == "missed" and after["count_at_deadline"] == 10 and after["projection"] is None
    helpers.call_action("guangdong_target_save", context={"user": catalog.sysadmin_name(), "ignore_auth": True},
                        id="heyuan-small", title_zh="河源测试", scope="city:441600", metric="datasets",
                        deadline="2018-12-31", threshold=5)
    small = catalog.progress("2018-02-10", "heyuan-small")["targets"][0]
    assert small["count"] == 5 and small["status"] == "met" and small["percent"] == 100.0
    assert catalog.progress("2019-01-01", "heyuan-small")["targets"][0]["status"] == "met"


def test_as_of_is_validated(catalog):
    from ckan.logic import ValidationError
    with pytest.raises(ValidationError):
        helpers.call_action("guangdong_target_progress", as_of="31/12/2018")


def test_month_end_cube_agrees_with_a_full_scan(catalog):
    """counts(T) = cube at the month end before T + changes since: equal to scanning every
    interval, on dates inside and across months, with shared identifiers."""
    import datetime as dt

    from ckanext.guangdong.targets import counting, cube, db
    gz = catalog.org("city-440100", "440100", "city")
    dept = catalog.org("dept-z", "440000", "department")
    ids = []
    for day, org, ident, themes in [("2018-01-05", gz, "A", ["民生服务"]), ("2018-01-20", dept, "B", ["道路交通"]),
                                    ("2018-02-03", gz, "A", ["民生服务", "道路交通"]), ("2018-02-25", dept, None, ["民生服务"]),
                                    ("2018-03-10", gz, "C", ["教育科技"])]:
        with catalog.at(day):
            ids.append(catalog.dataset(org, identifier=ident, themes=themes))
    with catalog.at("2018-03-15"):
        catalog.delete(ids[0])          # one copy of A withdrawn: A still open via the other
    with catalog.at("2018-04-02"):
        catalog.patch(ids[1], private=True)
    with catalog.at("2018-04-20"):
        catalog.delete(ids[2])          # the last copy of A
    conn = db.connection()
    rules = db.rules()
    orgs = counting.organizations(conn)
    regions = {i: o["region_code"] for i, o in orgs.items()}
    names = {o["name"]: i for i, o in orgs.items()}
    now = dt.datetime.utcnow()
    for day in ["2018-01-31", "2018-02-10", "2018-03-01", "2018-03-15", "2018-03-31", "2018-04-05", "2018-05-01"]:
        d = dt.date.fromisoformat(day)
        t = counting.instant(d, rules)
        assert cube.breakdowns_at(conn, rules, d, regions, now) == {
            dim: {v: c for v, c in values.items() if c > 0}
            for dim, values in counting.open_dataset_breakdowns(conn, rules, t, regions).items()}, day
        for scope, theme in [("province", None), ("city:440100", None), ("organization:dept-z", None),
                             ("province", "民生服务"), ("city:440100", "道路交通")]:
            assert cube.dataset_counts_on(conn, rules, [d], scope, theme, regions, names, now) == \
                counting.dataset_counts(conn, rules, [t], scope, theme), (day, scope, theme)


def test_the_day_a_target_was_met_or_by_how_much_it_was_missed(catalog):
    """Past a deadline the dashboard says when the threshold was first reached, or how many
    were lacking at the deadline; a withdrawal after the day it was met does not move it."""
    org = catalog.org("city-441600", "441600", "city")
    for day in ["2018-01-05", "2018-02-11", "2018-02-27", "2018-05-03", "2018-05-19"]:
        with catalog.at(day):
            last = catalog.dataset(org)
    with catalog.at("2018-06-02"):
        catalog.delete(last)
    save = {"context": {"user": catalog.sysadmin_name(), "ignore_auth": True}, "scope": "city:441600",
            "metric": "datasets", "deadline": "2018-12-31", "title_zh": "河源测试"}
    helpers.call_action("guangdong_target_save", id="heyuan-three", threshold=3, **save)
    helpers.call_action("guangdong_target_save", id="heyuan-five", threshold=5, **save)
    three = catalog.progress("2019-03-01", "heyuan-three")["targets"][0]
    assert three["status"] == "met" and three["met_on"] == "2018-02-27" and three["shortfall"] == 0
    five = catalog.progress("2019-03-01", "heyuan-five")["targets"][0]
    # Reached on 2018-05-19, but one was withdrawn before the deadline: 4 at the deadline.
    assert five["status"] == "missed" and five["count_at_deadline"] == 4 and five["shortfall"] == 1
    assert catalog.progress("2018-05-25", "heyuan-five")["targets"][0]["met_on"] == "2018-05-19"
    assert catalog.progress("2018-02-26", "heyuan-three")["targets"][0]["met_on"] is None


def test_first_publications_dated_back(catalog):
    """The demo's datasets count from their issued date: the only publication of a package
    moves back (never forward, never one with a withdrawal), with its interval and key."""
    import datetime as dt

    import ckan.model as model

    from ckanext.guangdong.events import backfill
    from ckanext.guangdong.targets import cube
    org = catalog.org("dept-h", "440000", "department")
    with catalog.at("2026-11-30"):
        a, b, c = catalog.dataset(org), catalog.dataset(org), catalog.dataset(org)
        catalog.delete(c)
    conn = model.Session.connection()
    moved = backfill.date_first_publications(conn, {
        a: dt.datetime(2018, 3, 1, 2), b: dt.datetime(2027, 1, 1, 2), c: dt.datetime(2018, 3, 1, 2)})
    cube.clear(conn)
    model.Session.commit()
    assert moved == 1
    assert catalog.events_of(a) == [("published", "created", dt.date(2018, 3, 1))]
    assert catalog.events_of(b)[0][2] == dt.date(2026, 11, 30)
    assert [catalog.count(d) for d in ("2018-02-28", "2018-03-01", "2026-11-30")] == [0, 1, 2]
    assert catalog.count("2018-03-01", "organization:dept-h") == 1
