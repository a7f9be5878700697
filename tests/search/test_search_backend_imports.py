"""The search backend's modules import each other in one direction only.

Imports inside functions count too: a circle hidden in a function body is still a
circle (ddl ↔ txn ↔ writer was one). Read from the source, nothing is imported.
"""
from __future__ import annotations

import ast
from pathlib import Path

import ckanext.guangdong.search.backend as backend

PACKAGE = "ckanext.guangdong.search.backend"


def _imports(path: Path) -> set[str]:
    """The backend modules a module imports, anywhere in its body."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE + "."):
            found.add((node.module or "").rsplit(".", 1)[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.rsplit(".", 1)[1] for a in node.names if a.name.startswith(PACKAGE + "."))
    return found


def _graph() -> dict[str, set[str]]:
    folder = Path(backend.__file__).parent
    modules = {p.stem: p for p in folder.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                return path[path.index(other):] + [other]
            if other not in state:
                found = visit(other, path + [other])
                if found:
                    return found
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            found = visit(name, [name])
            if found:
                return found
    return None


def test_the_backend_has_no_import_circle() -> None:
    graph = _graph()
    assert {"ddl", "txn", "writer", "executor", "generation", "statements"} <= graph.keys()
    assert _circle(graph) is None, " → ".join(_circle(graph) or [])


def test_the_transaction_module_imports_no_other_backend_module() -> None:
    """txn.py is the bottom layer: it was the middle of the old circle."""
    assert _graph()["txn"] == set()


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _circle({"a": {"b"}, "b": set()}) is None
