"""Dependencies flow one way (DESIGN §5): domain ← persistence ← core ← edge ← faces ← ops.

Read from the code's imports, function-level ones included, the way Python would follow them:
each layer imports only the layers below it, no face imports another face, the core knows
no web or GraphQL framework, domain/ knows no I/O library at all, and no module imports
itself back through others (no circles)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. Packages on one line are one layer: the faces, which never import each other.
LAYERS: list[set[str]] = [
    {"domain"},
    {"persistence"},
    {"core"},
    {"edge"},
    {"graphql_api", "rest", "pages", "delivery", "jobs"},
    {"ops"},
]
FACES = LAYERS[4]
PACKAGES = set().union(*LAYERS)
IO_LIBRARIES = {
    "sqlmodel",
    "sqlalchemy",
    "strawberry",
    "aiohttp",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "pydantic",
    "pydantic_settings",
    "graphql",
}
WEB_AND_GRAPHQL = {"aiohttp", "strawberry", "graphql", "jinja2", "aiohttp_jinja2"}
# The one piece of strawberry the core may use: its DataLoader, a plain asyncio batcher
# (the design card's), which every face's reads share.
CORE_ALLOWED = {"strawberry.dataloader"}


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project's packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in sorted(PACKAGES):
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(
    name: str, path: Path, known: set[str] | frozenset[str] = frozenset()
) -> set[str]:
    """The dotted names a module imports, relative imports resolved. `from a import b` names
    `a.b` when that is a module of `known`, else `a` (b is a name defined in a)."""
    names: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return names


def project_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the project modules it imports: the module named, and the packages on the
    way that are not its own ancestors (importing a.b.c runs a and a.b first; its own
    packages are already running)."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for imported in imported_names(name, path, set(known)):
            parts = imported.split(".")
            for end in range(1, len(parts) + 1):
                candidate = ".".join(parts[:end])
                ancestor = name.startswith(candidate + ".")
                named = end == len(parts)
                if candidate in known and candidate != name and (named or not ancestor):
                    targets.add(candidate)
        graph[name] = targets
    return graph


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    return next(index for index, layer in enumerate(LAYERS) if top in layer)


def upward_or_sideways(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            own, their = module.split(".")[0], target.split(".")[0]
            if own == their:
                continue
            if layer_of(target) > layer_of(module):
                wrong.append(f"{module} imports {target}, a layer above it")
            elif layer_of(target) == layer_of(module):
                wrong.append(f"{module} imports {target}: faces never import each other")
    return wrong


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def library_offenders(package: str, forbidden: set[str], allowed: frozenset[str] = frozenset()):
    wrong = []
    for name, path in modules().items():
        if name.split(".")[0] != package:
            continue
        for imported in sorted(imported_names(name, path)):  # libraries: names as written
            if imported.split(".")[0] in forbidden and not any(
                imported == ok or imported.startswith(ok + ".") for ok in allowed
            ):
                wrong.append(f"{name} imports {imported}")
    return wrong


def test_each_layer_imports_only_the_layers_below_it_and_no_face_another() -> None:
    assert upward_or_sideways(project_graph()) == []


def test_no_module_imports_itself_back_through_others() -> None:
    assert circles(project_graph()) == []


def test_domain_imports_no_io_library() -> None:
    assert library_offenders("domain", IO_LIBRARIES) == []


def test_the_core_knows_no_web_or_graphql_framework() -> None:
    assert library_offenders("core", WEB_AND_GRAPHQL, frozenset(CORE_ALLOWED)) == []


def test_every_package_is_in_a_layer() -> None:
    tops = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "fuzz", "tools"}
    }
    assert tops == PACKAGES


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_import_scan_sees_every_package(package: str) -> None:
    # Guards the guard: a scan that finds no modules would pass vacuously.
    assert any(name.split(".")[0] == package for name in modules())


def test_the_scan_catches_a_face_importing_another_in_a_function(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "rest" / "shim.py").write_text("def f():\n    from pages.portal import x\n")
    (tmp_path / "pages" / "portal.py").write_text("x = 1\n")
    (tmp_path / "core" / "low.py").write_text("from ops import app\n")
    (tmp_path / "ops" / "app.py").write_text("from core.low import y\n")
    graph = project_graph(tmp_path)
    assert upward_or_sideways(graph) == [
        "core.low imports ops, a layer above it",
        "core.low imports ops.app, a layer above it",
        "rest.shim imports pages: faces never import each other",
        "rest.shim imports pages.portal: faces never import each other",
    ]
    assert circles(graph) == [["core.low", "ops.app"]]
