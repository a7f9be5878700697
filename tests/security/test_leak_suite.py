"""The leak suite: every GET-reachable action and every page route, as four roles, over HTTP.

Surfaces are enumerated from the action registry and Flask's url_map (tests/security/surfaces.py),
so what a plugin adds tomorrow is called tomorrow. Each response is searched for the markers,
ids and internal values the role may not see (tests/security/world.py has the policy)."""
from __future__ import annotations

import collections
import os
import pickle
import time
from typing import Any

import pytest
from leakcheck import Cell, run_cells
from servlog import collect_errors
from surfaces import action_surfaces, get_actions, route_surfaces
from world import ROLES, World

pytestmark = pytest.mark.usefixtures("gd_plugins")


def _report(cells: list[Cell]) -> str:
    """Leaks grouped by surface (action or route) and role, one example request each."""
    groups: dict[tuple[str, str], list[Cell]] = collections.defaultdict(list)
    for cell in cells:
        if cell.leaks:
            groups[(cell.surface.name, cell.role)].append(cell)
    lines = []
    for (name, role), group in sorted(groups.items()):
        kinds = sorted({leak.split(" (")[0] for c in group for leak in c.leaks})
        lines.append(f"{name} as {role}: {len(group)} cells, e.g. {group[0].surface.path} "
                     f"{group[0].surface.params}: {', '.join(kinds)}")
    return f"{sum(map(len, groups.values()))} leaking cells:\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def all_cells(leak_world: World, live_server: str, url_map: Any) -> list[Cell]:
    started = time.monotonic()
    surfaces = [*action_surfaces(leak_world), *route_surfaces(leak_world, url_map)]
    with collect_errors() as log:
        cells = run_cells(leak_world, live_server, surfaces, ROLES)
    for cell in cells:   # tracebacks of the run, for the report of the cells that failed
        cell.log = log.tracebacks()  # type: ignore[attr-defined]
    took = time.monotonic() - started
    kinds = collections.Counter(c.surface.kind for c in cells)
    statuses = collections.Counter(c.status for c in cells)
    if os.environ.get("GD_LEAK_DUMP"):
        with open(os.environ["GD_LEAK_DUMP"], "wb") as f:
            pickle.dump(cells, f)
    print(f"\nleak suite: {len(cells)} cells ({dict(kinds)}) over {len(surfaces)} surfaces, "
          f"{len(get_actions())} actions, {took:.1f} s; statuses {dict(statuses)}")
    return cells


def test_no_surface_leaks(all_cells: list[Cell]) -> None:
    leaking = [c for c in all_cells if c.leaks]
    assert not leaking, _report(all_cells)


def test_every_surface_answers(all_cells: list[Cell]) -> None:
    """A surface that fails cannot be checked (and a 500 is a fault of its own)."""
    broken = [f"{c.role} {c.surface.path} {c.surface.params} -> {c.status} {c.error}"
              for c in all_cells if c.status >= 500 or c.status == 0]
    # the last lines of each logged traceback: the cause and the frame that raised it (CI saw
    # one 500 whose only logged line was SQLAlchemy's "Background on this error" link)
    causes = collections.Counter(" | ".join(t.strip().splitlines()[-6:])
                                 for t in getattr(all_cells[0], "log", []))
    assert not broken, "\n".join(broken[:50]) + "\nlogged:\n" + "\n".join(
        f"{n} × {line}" for line, n in causes.most_common())


def test_the_suite_reaches_what_each_role_may_see(leak_world: World, all_cells: list[Cell]) -> None:
    """Positive control: every marker a role may see shows up on some surface for that role,
    so the fixtures and the parameter filling really reach the objects."""
    for role in ROLES:
        seen = set().union(*(c.seen for c in all_cells if c.role == role))
        missing = set(leak_world.expected[role]) - seen
        assert not missing, f"{role} never saw: {sorted(missing)}"
    assert "internal values" in set().union(*(c.seen for c in all_cells if c.role == "sysadmin"))


def test_a_new_leaking_action_is_caught(leak_world: World, live_server: str) -> None:
    """Register an action the way a careless plugin would (no auth check, GET-able) and run
    the same enumeration over the registry: the suite must find it and report its leaks."""
    import ckan.logic as logic
    import ckan.plugins.toolkit as tk

    @tk.side_effect_free
    def guangdong_careless_show(context: Any, data_dict: Any) -> Any:
        """:param id: a dataset"""
        return tk.get_action("package_show")({"ignore_auth": True}, {"id": data_dict.get("id")})

    logic.get_action("package_show")
    logic._actions["guangdong_careless_show"] = guangdong_careless_show
    try:
        actions = {n: f for n, f in get_actions().items() if n == "guangdong_careless_show"}
        assert actions, "the registry enumeration does not see a newly registered action"
        cells = run_cells(leak_world, live_server, action_surfaces(leak_world, actions),
                          ["anonymous"])
    finally:
        del logic._actions["guangdong_careless_show"]
    leaks = {leak.split(" (")[0] for c in cells for leak in c.leaks}
    assert {"not_open marker", "draft marker", "not_open name"} <= leaks, leaks
    assert any(leak.startswith("internal field") for leak in leaks), "; ".join(sorted(leaks))


def test_a_new_route_is_enumerated(leak_world: World, url_map: Any) -> None:
    """A route added by any blueprint is walked with the fixtures' values filled in."""
    from werkzeug.routing import Map, Rule
    extra = Map([Rule("/careless/<id>", endpoint="careless.show"),
                 Rule("/dataset/<id>/careless", endpoint="careless.dataset")])
    paths = {s.path for s in route_surfaces(leak_world, extra)}
    hidden = leak_world.packages["not_open"]["id"]
    assert f"/dataset/{hidden}/careless" in paths
    assert any(p.startswith("/careless/") for p in paths)


def test_the_held_datasets_publisher_sees_its_findings(leak_world: World, all_cells: list[Cell],
                                                       live_server: str) -> None:
    """The dataset the safety gate holds, as its publisher (an editor of its organization, not
    one of the four roles above): the surfaces about it (its pages, the safety actions, the
    review queue) show the publisher the masked findings and nothing the publisher may not see;
    the four roles' side is in test_no_surface_leaks (anonymous visitors, other editors and
    members never see the findings; the sysadmin, a reviewer, does)."""
    held = leak_world.packages["held"]
    about = {id(c.surface): c.surface for c in all_cells if c.role == "anonymous" and (
        held["id"] in c.surface.request_text or held["name"] in c.surface.request_text
        or "safety" in c.surface.name or "review" in c.surface.name)}
    cells = run_cells(leak_world, live_server, about.values(), ["publisher"])
    leaking = [str(c) for c in cells if c.leaks]
    assert not leaking, "\n".join(leaking[:20])
    seen = set().union(*(c.seen for c in cells))
    findings = {label for label in leak_world.expected["publisher"] if label.startswith("held finding")}
    assert findings and findings <= seen, sorted(findings - seen)
    assert not [c for c in cells if c.status >= 500]


def test_an_exception_escaping_a_streamed_body_is_logged() -> None:
    # werkzeug answers 500 for an exception raised while a streamed body is read and logs it
    # as text ("Error on request:"), without exc_info: the leak suite must show it (a 500 of
    # its run had no log at all)
    import logging

    from servlog import collect_errors
    with collect_errors() as log:
        logging.getLogger("werkzeug").error("Error on request:\nTraceback (most recent call last):\nX")
        logging.getLogger("werkzeug").error('code 414, message Request-URI Too Long')
    assert [t.splitlines()[0] for t in log.tracebacks()] == ["Error on request:"]
