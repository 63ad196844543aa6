"""Dependencies flow graphql_api → persistence → domain, and domain/ stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def imported_roots(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Top-level module names imported by each file of a package (any nesting level)."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        roots: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
        found[str(path.relative_to(root))] = roots
    return found


def offenders(package: str, forbidden: set[str], root: Path = ROOT) -> list[str]:
    return [
        f"{path} imports {sorted(roots & forbidden)}"
        for path, roots in imported_roots(package, root).items()
        if roots & forbidden
    ]


def test_domain_imports_no_io_library_and_no_outer_layer() -> None:
    assert offenders("domain", IO_LIBRARIES | {"persistence", "graphql_api"}) == []


def test_persistence_never_imports_the_api_layer() -> None:
    assert offenders("persistence", {"graphql_api"}) == []


@pytest.mark.parametrize("package", ["domain", "persistence", "graphql_api"])
def test_the_import_scan_sees_every_module(package: str) -> None:
    # Guards the guard: a scan that finds no files would pass vacuously.
    assert len(imported_roots(package)) >= 3


def test_the_scan_would_catch_a_nested_forbidden_import(tmp_path: Path) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "clean.py").write_text("import dataclasses\n")
    (tmp_path / "domain" / "bad.py").write_text("def f():\n    from sqlalchemy import select\n")
    assert offenders("domain", IO_LIBRARIES, tmp_path) == ["domain/bad.py imports ['sqlalchemy']"]
