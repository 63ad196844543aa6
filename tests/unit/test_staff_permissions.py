"""The permissions table: every mutation of the schema is listed (a new one must be decided,
not left to the default), roles grant what the product promises, and the root fields of an
operation are found through fragments and aliases alike."""

from __future__ import annotations

import pytest
from graphql import parse

from domain.staff import Permission, StaffRole
from graphql_api.permissions import MUTATION_PERMISSIONS, needed, root_fields
from graphql_api.schema import schema


def test_every_mutation_of_the_schema_is_in_the_permissions_table() -> None:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    assert set(mutation_type.fields) == set(MUTATION_PERMISSIONS)


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        (StaffRole.VIEWER, set()),
        (StaffRole.AGENT, {Permission.ACT_ON_RETURNS}),
        (StaffRole.ADMIN, {Permission.ACT_ON_RETURNS, Permission.MANAGE}),
    ],
)
def test_each_role_grants_exactly_its_permissions(
    role: StaffRole, granted: set[Permission]
) -> None:
    assert {p for p in Permission if role.allows(p)} == granted


@pytest.mark.parametrize(
    ("field", "permission"),
    [
        ("approveReturn", Permission.ACT_ON_RETURNS),
        ("addRefund", Permission.ACT_ON_RETURNS),
        ("upsertOrder", Permission.ACT_ON_RETURNS),
        ("createWebhookEndpoint", Permission.MANAGE),
        ("createStaffUser", Permission.MANAGE),
        ("upsertReturnSettings", Permission.MANAGE),
        ("aMutationNobodyListed", Permission.MANAGE),  # closed until someone decides
    ],
)
def test_what_a_mutation_needs(field: str, permission: Permission) -> None:
    assert needed(field) == permission


def test_root_fields_are_found_through_fragments_and_aliases() -> None:
    document = parse(
        """mutation A { ok: approveReturn(input: {}) { __typename } ...F ... on Mutation {
             addRefund(input: {}) { __typename } } }
           fragment F on Mutation { createStaffUser(input: {}) { link } ...F }
           mutation B { holdReturn(input: {}) { __typename } }"""
    )

    assert root_fields(document, "A") == ["approveReturn", "createStaffUser", "addRefund"]
    assert root_fields(document, "B") == ["holdReturn"]
    assert root_fields(document, "C") == []
