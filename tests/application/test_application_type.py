"""Open-data applications: linking rules, pages, and never counted or listed as datasets."""
from __future__ import annotations

import html
import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from gd_testing import dataset_dict, make_org, make_sysadmin

# The application pages list through package_search: make test-solr runs them on Solr too.
pytestmark = [pytest.mark.usefixtures("gd"), pytest.mark.search_engine_neutral]


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    admin = make_sysadmin()
    ctx = {"user": admin["name"]}
    org = make_org()
    create = tk.get_action("package_create")
    public = create(dict(ctx), dataset_dict(org["id"], title="广东省旅游景区名录"))
    private = create(dict(ctx), dataset_dict(org["id"], private=True))
    return {"ctx": ctx, "org": org, "public": public, "private": private}


def app_dict(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {"type": "application", "title": "粤游导览", "notes": "景区导览小程序。",
            "owner_org": world["org"]["id"], "developer_name": "广州某科技有限公司",
            "developer_type": "organization", "application_kind": "mini_program",
            "url": "https://example.com/app", "launch_date": "2018-10-01",
            "theme": ["文化休闲"], "contact_email": "dev@example.com",
            "used_datasets": [world["public"]["name"]]}
    data.update(overrides)
    return data


def create_app(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return tk.get_action("package_create")(dict(world["ctx"]), app_dict(world, **overrides))


def errors_of(world: dict[str, Any], **overrides: Any) -> list[str]:
    with pytest.raises(tk.ValidationError) as exc:
        create_app(world, **overrides)
    return exc.value.error_dict["used_datasets"]


def test_application_stores_dataset_ids_and_a_derived_name(world) -> None:
    app = create_app(world)
    assert app["type"] == "application"
    assert app["used_datasets"] == [world["public"]["id"]]  # names resolved to ids
    assert app["name"].startswith("app-yue-you-dao-lan")
    assert app["application_kind"] == "mini_program" and app["theme"] == ["文化休闲"]


@pytest.mark.parametrize("refs, message", [
    ([], "at least one dataset"),
    (["no-such-dataset"], "does not exist"),
])
def test_used_datasets_must_exist(world, refs, message) -> None:
    assert any(message in m for m in errors_of(world, used_datasets=refs))


def test_used_datasets_must_be_public_datasets(world) -> None:
    assert any("is not public" in m for m in errors_of(world, used_datasets=[world["private"]["id"]]))
    other_app = create_app(world, title="另一个应用")
    assert any("is not a dataset" in m for m in errors_of(world, used_datasets=[other_app["id"]]))


def test_comma_separated_form_input_is_accepted(world) -> None:
    app = create_app(world, used_datasets=f"{world['public']['name']}， {world['public']['id']}")
    assert app["used_datasets"] == [world["public"]["id"]]  # duplicates collapse


def test_application_pages_and_dataset_page_link_each_other(world, gd_app) -> None:
    app = create_app(world, title="景区客流查询")
    listing = gd_app.get("/application/")
    assert listing.status_code == 200 and "景区客流查询" in listing.body
    page = gd_app.get(f"/application/{app['name']}")
    assert page.status_code == 200
    assert f"/dataset/{world['public']['name']}" in page.body and "广东省旅游景区名录" in page.body
    dataset_page = gd_app.get(f"/dataset/{world['public']['name']}").body
    assert "使用该数据集的应用" in dataset_page and f"/application/{app['name']}" in dataset_page
    english = gd_app.get(f"/en/dataset/{world['public']['name']}").body
    assert "Applications using this dataset" in english


def test_applications_never_appear_as_datasets(world, gd_app) -> None:
    app = create_app(world, title="数据不应出现在数据集列表")
    search = tk.get_action("package_search")
    assert search({}, {"fq": f"name:{app['name']}"})["count"] == 0  # default: datasets only
    assert search({}, {"fq": f"+dataset_type:application +name:{app['name']}"})["count"] == 1
    assert app["name"] not in gd_app.get("/dataset/?q=数据不应出现").body
    org = tk.get_action("organization_show")({}, {"id": world["org"]["id"]})
    datasets_in_org = search({}, {"fq": f"owner_org:{world['org']['id']}", "rows": 0})["count"]
    assert org["package_count"] == datasets_in_org
    catalog = gd_app.get("/catalog.ttl", query_string={"fq": f"organization:{world['org']['name']}"})
    assert world["public"]["id"] in catalog.body and app["id"] not in catalog.body


def test_a_dataset_made_private_drops_off_the_application_page(world, gd_app) -> None:
    ctx = world["ctx"]
    ds = tk.get_action("package_create")(dict(ctx), dataset_dict(world["org"]["id"],
                                                                 title="临时公开的数据集"))
    app = create_app(world, used_datasets=[ds["id"], world["public"]["id"]])
    tk.get_action("package_patch")(dict(ctx), {"id": ds["id"], "private": True})
    page = gd_app.get(f"/application/{app['name']}").body
    assert "临时公开的数据集" not in page and "广东省旅游景区名录" in page
    # the application can still be edited: links it already had are not re-checked
    updated = tk.get_action("package_patch")(dict(ctx), {"id": app["id"], "title": "改名后的应用"})
    assert updated["used_datasets"] == [ds["id"], world["public"]["id"]]
    assert updated["name"] == app["name"]


@pytest.mark.parametrize("prefix, texts, error", [
    ("", ["应用名称", "开发者类型", "小程序", "使用的数据集"], "数据集“no-such-dataset”不存在"),
    ("/en", ["Application name", "Developer type", "Mini program", "Datasets used"],
     'Dataset "no-such-dataset" does not exist'),
])
def test_application_form_in_both_languages(world, gd_app, prefix, texts, error) -> None:
    from ckan.tests import factories
    from gd_testing import make_user
    from test_schema_forms import csrf  # same CSRF handling as the dataset form test
    user = make_user()
    tk.get_action("organization_member_create")(dict(world["ctx"]), {
        "id": world["org"]["id"], "username": user["name"], "role": "editor"})
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    page = gd_app.get(f"{prefix}/application/new", headers=headers)
    assert page.status_code == 200
    for text in texts:
        assert text in page.body, text
    form = {"title": "粤省事数据看板", "notes": "说明", "owner_org": world["org"]["id"],
            "developer_name": "某团队", "developer_type": "person",
            "application_kind": "web", "used_datasets": "no-such-dataset", "save": "",
            # as a browser sends the form: the hidden _ckan_phase of the page (CKAN's
            # dataset_new_1, which led to an "add data" step an application cannot finish)
            "_ckan_phase": re.findall(r'name="_ckan_phase" value="([^"]*)"', page.body),
            "pkg_name": "", **csrf(page.body)}
    assert form["_ckan_phase"]
    answer = gd_app.post(f"{prefix}/application/new", data=form, headers=headers,
                         follow_redirects=False)
    assert answer.status_code == 200 and error in html.unescape(answer.body)
    form["used_datasets"] = f"{world['public']['name']}"
    answer = gd_app.post(f"{prefix}/application/new", data=form, headers=headers,
                         follow_redirects=False)
    assert answer.status_code == 302, answer.body[-3000:]
    name = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    app = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert app["type"] == "application" and app["state"] == "active"
    assert app["used_datasets"] == [world["public"]["id"]]


@pytest.mark.parametrize("prefix, text", [("", "搜索应用"), ("/en", "Search applications...")])
def test_application_pages_speak_the_page_language(world, gd_app, prefix, text) -> None:
    page = gd_app.get(f"{prefix}/application/")
    assert page.status_code == 200
    assert text in html.unescape(page.body)
    assert "Search Applications" not in page.body  # not CKAN's "Search {object_type}s"


def test_applications_using_reads_the_partial_index_not_every_extra(world) -> None:
    """"Applications using this dataset" is on every dataset page: its query must reach the
    applications' used_datasets rows by an index (the partial one of migration
    guangdong_application, or package_extra's package_id index from the few application
    rows), never by reading package_extra whole (7 rows per dataset at 100k datasets). Which
    of the two the planner picks depends on the statistics of the run's database."""
    import json

    import ckan.model as model
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from ckanext.guangdong.application import links
    made = create_app(world, title="索引测试应用")
    assert made["id"] in [a["id"] for a in links.applications_using(world["public"]["id"])]
    query = links.using_query(world["public"]["id"], 50).statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    # A test database is small: forbid the sequential scans the planner would pick for it.
    model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    (plan,) = model.Session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {query}")).scalar_one()
    model.Session.rollback()
    if isinstance(plan, str):
        plan = json.loads(plan)[0]

    def nodes(node: dict) -> list[dict]:
        return [node] + [n for child in node.get("Plans", []) for n in nodes(child)]

    every = nodes(plan["Plan"])
    on_extras = [n for n in every if n.get("Relation Name") == "package_extra"]
    assert on_extras, plan
    for node in on_extras:
        assert node["Node Type"] != "Seq Scan", plan
        probes = [node] if "Index Name" in node else [n for n in nodes(node) if "Index Name" in n]
        assert probes, plan  # a bitmap heap scan has its index scans below it
        for probe in probes:  # indexes led by package_id (idx_extra_id_pkg_id is led by id)
            assert probe["Index Name"] in ("guangdong_package_extra_used_datasets_idx", "idx_extra_pkg_id"), plan


@pytest.mark.parametrize("prefix, ours, dataset_words", [
    ("", ["什么是开放数据应用？", "保存即完成登记", "登记应用"],
     ["什么是数据集", "添加数据", "数据许可协议", "下一步"]),
    ("/en", ["What are open-data applications?", "Saving registers the application", "Register application"],
     ["What are datasets", "Add Data", "data license", "Next:"]),
])
def test_the_application_form_speaks_of_applications(world, gd_app, prefix, ours, dataset_words) -> None:
    # (trial 8) the side panel, the steps, the save button and the notice under the form were
    # the dataset form's; an application is saved in one step and has no licence field
    from ckan.tests import factories
    from gd_testing import make_user
    user = make_user()
    tk.get_action("organization_member_create")(dict(world["ctx"]), {
        "id": world["org"]["id"], "username": user["name"], "role": "editor"})
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    page = html.unescape(gd_app.get(f"{prefix}/application/new", headers=headers).body)
    main = page[page.index('<div class="main">'):page.index("</main>") if "</main>" in page else None]
    for text in ours:
        assert text in main, text
    for text in dataset_words:
        assert text not in main, text
    assert 'class="stages' not in main
    button = re.search(r'<button[^>]*name="save"[^>]*>(.*?)</button>', main, re.S)
    assert button and button.group(1).strip() == ours[2], button
    assert len(re.findall(r'<label[^>]*for="field-organizations"', main)) == 1


@pytest.mark.parametrize("prefix, ours, dataset_words", [
    ("", ["|开放数据应用|", "|登记部门|"], ["许可协议", "关注者", "|数据集|", "|群组|"]),
    ("/en", ["|Application|", "|Registered by|"], ["License", "Followers", "|Dataset|", "|Groups|"]),
])
def test_the_application_page_is_not_a_datasets(world, gd_app, prefix, ours, dataset_words) -> None:
    # (trial 9) its tab said 数据集, its sidebar showed a licence, followers and the registering
    # organisation without saying it registered the application
    app = create_app(world, title="景区导览小程序")
    page = html.unescape(gd_app.get(f"{prefix}/application/{app['name']}").body)
    main = page[page.index('<div class="main">'):page.index("<footer")]  # the footer links 数据集
    # the texts between tags, each as "|text|"
    main = "|" + "|".join(t.strip() for t in re.split(r"<[^>]+>", main) if t.strip()) + "|"
    for text in ours:
        assert text in main, text
    for text in dataset_words:
        assert text not in main, text
    assert world["org"]["title"] in main
