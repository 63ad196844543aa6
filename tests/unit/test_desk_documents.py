"""The desk's GraphQL documents are checked-in files validated against schema.graphql: a schema
change that would break the desk fails here, before any browser runs.

Each document is completed with the fragments it spreads, transitively, the same way the
desk's api.js completes it, since GraphQL refuses a document with an unused fragment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import OperationType, build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "pages" / "static" / "desk" / "graphql"
SCHEMA = build_schema((ROOT / "schema.graphql").read_text())
FRAGMENT = re.compile(r"fragment\s+(\w+)\s+on\s+\w+\s*\{", re.MULTILINE)
SPREAD = re.compile(r"\.\.\.\s*(\w+)")


def fragments() -> dict[str, str]:
    """Each fragment of fragments.graphql by name, as text (a fragment's body is balanced)."""
    text = (FOLDER / "fragments.graphql").read_text()
    found: dict[str, str] = {}
    for match in FRAGMENT.finditer(text):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        found[match.group(1)] = text[match.start() : end + 1]
    return found


def complete(document: str, known: dict[str, str]) -> str:
    needed: list[str] = []
    pending = SPREAD.findall(document)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.append(name)
            pending += SPREAD.findall(known[name].split("{", 1)[1])
    return "\n".join([document, *(known[name] for name in needed)])


DOCUMENTS = sorted(p for p in FOLDER.glob("*.graphql") if p.name != "fragments.graphql")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_each_desk_document_is_valid_against_the_schema(path: Path) -> None:
    document = parse(complete(path.read_text(), fragments()))

    errors = validate(SCHEMA, document)

    assert errors == [], [error.message for error in errors]
    assert [d.name.value for d in document.definitions if hasattr(d, "operation")] == [path.stem]


def test_the_desk_has_a_document_for_every_action_it_offers() -> None:
    mutations = {
        path.stem
        for path in DOCUMENTS
        if any(
            getattr(d, "operation", None) == OperationType.MUTATION
            for d in parse(path.read_text()).definitions
        )
    }
    forms = (ROOT / "pages" / "static" / "desk" / "forms.js").read_text()
    dialogs = "".join(  # the team, webhooks, exchanges and API-keys dialogs of the header
        (ROOT / "pages" / "static" / "desk" / name).read_text()
        for name in ("team.js", "webhooks.js", "exchanges.js", "api_keys.js")
    )

    offered = set(re.findall(r'document: "(\w+)"', forms))
    offered |= set(re.findall(r'change\("(\w+)"', dialogs))
    assert mutations == offered
