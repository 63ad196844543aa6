"""schema.graphql is generated from the code: this fails when the two drift apart."""

from __future__ import annotations

from pathlib import Path

from ops.cli import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "schema.graphql is stale: run `make schema` (returns-api export-schema) and commit it"
    )


def test_schema_exposes_every_mutation_the_design_names() -> None:
    sdl = schema_sdl()
    for mutation in (
        "upsertOrder",
        "createReturn",
        "updateReturn",
        "approveReturn",
        "rejectReturn",
        "holdReturn",
        "resumeReturn",
        "cancelReturn",
        "receiveReturn",
        "completeReturn",
        "splitReturn",
        "setReturnStatus",
        "assignReturn",
        "addReturnNote",
        "deleteReturnNote",
        "addRefund",
        "deleteRefund",
        "updateReverseShipment",
    ):
        assert f"  {mutation}(input: " in sdl, mutation
