"""The import graph held against the house (`../shared/ARCHITECTURE.md`): the pure parts
never reach the cache, the sources or the writer; only the CLI and the preview import the
pipeline; no import cycle; every module sits in a part. Read from the sources (ast), so
the lazy imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
PARTS = ("sources", "store", "signals", "evidence", "charts", "content", "site", "cache")
PURE = ("signals", "evidence", "charts", "content", "site", "format", "weeks", "prices",
        "config", "clock", "errors")
NEVER_FROM_PURE = ("generator.cache", "generator.sources", "generator.writer")
# The modules beside the parts: the build's spine and its edges.
TOP_LEVEL = {"__init__", "__main__", "cli", "config", "clock", "errors", "format", "weeks",
             "prices", "pipeline", "writer", "preview", "preview_server", "scaffold",
             "searchindex"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The generator modules `name` imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if f"{base}.{alias.name}" in MODULES)
    return {m for m in found if m in MODULES and m != name}


def _part(name: str) -> str:
    return name.split(".")[1] if name.count(".") else ""


@pytest.mark.parametrize("name", [m for m in MODULES if _part(m) in PURE])
def test_no_pure_part_reaches_the_cache_the_sources_or_the_writer(name):
    reached = _imports(name, MODULES[name], top_level_only=False)
    assert not sorted(m for m in reached if m.startswith(NEVER_FROM_PURE))


def test_only_the_cli_and_the_preview_import_the_pipeline():
    importers = {name for name, path in MODULES.items()
                 if "generator.pipeline" in _imports(name, path, top_level_only=False)}
    assert importers <= {"generator.cli", "generator.preview"}


def test_no_import_cycle_at_module_level():
    graph = {name: _imports(name, path, top_level_only=True) for name, path in MODULES.items()}
    # A module importing its own package's __init__ is Python's normal order, not a cycle.
    graph = {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*trail[trail.index(dep):], dep] if dep in trail else [dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_every_module_sits_in_a_part_or_is_one_of_the_spine():
    strays = [name for name in MODULES
              if name != "generator" and _part(name) not in PARTS
              and name.split(".")[1] not in TOP_LEVEL]
    assert strays == []


def test_the_graph_reader_sees_real_imports():
    """The checks above would pass on an empty graph: make sure this one is not."""
    assert "generator.cache.store" in _imports(
        "generator.cache.stages", MODULES["generator.cache.stages"], top_level_only=True)
    assert "generator.signals.core" in _imports(
        "generator.signals.weekly", MODULES["generator.signals.weekly"], top_level_only=False)
