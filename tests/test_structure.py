"""The package's shape: no import circle, no `_private` name imported across modules, small modules,
and dependencies that point down the layers README's "How it is built" describes.

The import graph is read from the source with `ast` (every import, at the top of a module or
inside a function: a lazy import still ties two modules together), so nothing is executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "statuswatch"
MAX_LINES = 500


@dataclass
class Graph:
    """Modules by dotted name, what each imports, and every import of a private name."""

    files: dict[str, Path]
    edges: dict[str, set[str]] = field(default_factory=dict)
    private: set[str] = field(default_factory=set)  # "importer -> module.name"


def _is_private(name: str) -> bool:
    # Dunders (`__version__`, `__init__`) are public by convention; `_x` is not.
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import statement in `path`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names]


def build_graph(root: Path) -> Graph:
    """Read every module under `root` (a package directory) into a Graph."""
    graph = Graph(_modules(root))
    for module, path in graph.files.items():
        edges = graph.edges.setdefault(module, set())
        for target, names in _imports(module, path):
            if target.split(".")[0] != root.name:
                continue
            modules = [target] if target in graph.files else []
            for name in names:
                if f"{target}.{name}" in graph.files:
                    modules.append(f"{target}.{name}")  # `from package import module`
                elif _is_private(name):
                    graph.private.add(f"{module} -> {target}.{name}")
            for imported in modules:
                edges.add(imported)
                if any(_is_private(part) for part in imported.split(".")):
                    graph.private.add(f"{module} -> {imported}")
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph(PACKAGE)


def test_the_graph_sees_the_package(graph: Graph) -> None:
    assert "statuswatch.cli" in graph.files
    assert "statuswatch.document.write" in graph.edges["statuswatch.notify.events"]
    # A lazy import (inside a function) counts: it ties the modules as much as a top one.
    assert "statuswatch.table" in graph.edges["statuswatch.commands.status"]


def test_no_import_circle(graph: Graph) -> None:
    assert cycles(graph.edges) == []


def test_no_private_name_imported_across_modules(graph: Graph) -> None:
    assert sorted(graph.private) == []


def test_no_module_over_500_lines(graph: Graph) -> None:
    long = {
        name: lines
        for name, path in graph.files.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# The layers of README's "How it is built": which groups of modules each group may import.
GROUPS = {
    "base": (
        "statuswatch",
        "statuswatch.model",
        "statuswatch.text",
        "statuswatch.timefmt",
        "statuswatch.settings",
        "statuswatch.exitcodes",
        "statuswatch.atomic",
        "statuswatch.paths",
        "statuswatch.inflate",
        "statuswatch.threaded",
        "statuswatch.servethread",  # an http.server in a daemon thread: the demo's pages, tests
        "statuswatch.collector",  # the garbage collector paused around a poll
        "statuswatch.sqlrows",  # many rows in one statement, for the writing threads
        "statuswatch.sqlitebusy",  # retrying SQLite's immediate "busy", for both databases
        "statuswatch.records",  # @record: frozen, slotted dataclasses without per-class compiling
        "statuswatch.wording",  # plurals for every output (issue 11)
        "statuswatch.history.model",  # what the history gives back: plain data
    ),
    # What the pages mean for the user (issue 13): scopes, stacks, the blast radius, shared
    # causes; pure functions of the model, which the engine applies to each report.
    "scoping": (
        "statuswatch.scope",
        "statuswatch.blast",
        "statuswatch.correlate",
        "statuswatch.stacks",
        "statuswatch.assess",
    ),
    "adapters": ("statuswatch.adapters",),
    "engine": (
        "statuswatch.http",
        "statuswatch.truststore",
        "statuswatch.transport",
        "statuswatch.connection",
        "statuswatch.framing",
        "statuswatch.cookieless",
        "statuswatch.limits",
        "statuswatch.fetcherrors",
        "statuswatch.cache",
        "statuswatch.cachedb",
        "statuswatch.pagecodec",
        "statuswatch.poll",
        "statuswatch.detect",
        "statuswatch.detect_probes",
        "statuswatch.auto",
        "statuswatch.moves",
    ),
    # Independent probes (issue 12) run beside the engine; their settings are config.
    "probes": ("statuswatch.probes",),
    "config": (
        "statuswatch.tomlcheck",
        "statuswatch.tomledit",  # the config edited as text: add, remove (issue 11)
        "statuswatch.catalog",
        "statuswatch.config",
        "statuswatch.scopeconfig",
        "statuswatch.search",
        "statuswatch.probes.settings",
        "statuswatch.probes.configparse",
    ),
    "document": ("statuswatch.document",),
    # The history (issue 14): the store, recording, backfill, the figures and their documents.
    "history": ("statuswatch.history",),
    # Where the past comes from, as for a snapshot: the local history or a server.
    "source": ("statuswatch.serverclient", "statuswatch.source", "statuswatch.history.view"),
    "table": ("statuswatch.table", "statuswatch.nagios"),  # the table and check's line
    "tui": ("statuswatch.tui",),
    "notify": ("statuswatch.notify",),
    "serve": ("statuswatch.serve",),
    "demo": ("statuswatch.demo",),
    "cli": (
        "statuswatch.__main__",
        "statuswatch.cli",
        "statuswatch.console",
        "statuswatch.cliargs",
        "statuswatch.liveview",
        "statuswatch.commands",
        "statuswatch.history.cli",
    ),
}
MAY_IMPORT = {
    "base": {"base"},
    "scoping": {"base", "scoping"},
    "adapters": {"base", "adapters"},
    "engine": {"base", "scoping", "adapters", "engine"},
    "config": {"base", "scoping", "adapters", "config"},
    "document": {"base", "document"},
    "probes": {"base", "scoping", "engine", "config", "probes"},
    "history": {"base", "scoping", "adapters", "engine", "config", "document", "history"},
    "source": {"base", "scoping", "engine", "probes", "config", "document", "history", "source"},
    "table": {"base", "scoping", "table"},
    "tui": {"base", "scoping", "source", "history", "tui"},
    "notify": {"base", "scoping", "engine", "config", "document", "notify"},
    "serve": {
        "base",
        "scoping",
        "engine",
        "probes",
        "config",
        "document",
        "notify",
        "history",
        "serve",
    },
    "demo": {"base", "engine", "probes", "config", "demo"},
    "cli": set(GROUPS),  # the commands put the rest together
}


def group_of(module: str) -> str:
    """The group a module belongs to: the longest prefix that names it."""
    best = ""
    found = ""
    for group, prefixes in GROUPS.items():
        for prefix in prefixes:
            # The package itself names only its __init__, not every module under it.
            below = prefix != "statuswatch" and module.startswith(prefix + ".")
            matches = module == prefix or below
            if matches and len(prefix) > len(best):
                best, found = prefix, group
    return found


def test_every_module_has_a_layer(graph: Graph) -> None:
    assert [m for m in graph.files if not group_of(m)] == []


def test_dependencies_point_down_the_layers(graph: Graph) -> None:
    wrong = sorted(
        f"{module} ({group_of(module)}) -> {imported} ({group_of(imported)})"
        for module, imports in graph.edges.items()
        for imported in imports
        if group_of(imported) not in MAY_IMPORT[group_of(module)]
    )
    assert wrong == []


def test_the_checks_catch_a_circle_and_private_imports(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("")
    (root / "a.py").write_text("from pkg.b import thing\n")
    (root / "b.py").write_text("def f():\n    from pkg import a\n")
    (root / "sub" / "_helpers.py").write_text("x = 1\n")
    (root / "c.py").write_text("from pkg.sub import _helpers\nfrom .a import _secret\n")
    (root / "d.py").write_text("import pkg.sub._helpers\nfrom pkg import __version__\n")
    (root / "sub" / "e.py").write_text("from ._helpers import x\nfrom . import _helpers\n")
    found = build_graph(root)
    assert cycles(found.edges) == [["pkg.a", "pkg.b"]]
    assert sorted(found.private) == [
        "pkg.c -> pkg.a._secret",
        "pkg.c -> pkg.sub._helpers",
        "pkg.d -> pkg.sub._helpers",
        "pkg.sub.e -> pkg.sub._helpers",
    ]
