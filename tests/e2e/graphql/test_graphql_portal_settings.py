"""A merchant sets its return portal's brand through GraphQL and reads it back; a tenant
sees only its own, a read-only key cannot change it, and unsafe values never get stored."""

from __future__ import annotations

from domain.access import Role
from tests.e2e.conftest import credentials

READ = """
query($merchant: String!) {
  portalSettings(merchant: $merchant) {
    merchant displayName logoUrl accentColour supportEmail supportPhone returnPolicy
  }
}
"""
UPDATE = """
mutation($input: PortalSettingsInput!) {
  updatePortalSettings(input: $input) {
    portalSettings { merchant displayName accentColour logoUrl returnPolicy }
    userErrors { code field message }
  }
}
"""
BRAND = {
    "merchant": "acme",
    "displayName": "Acme Outfitters",
    "logoUrl": "https://cdn.acme.example/logo.png",
    "accentColour": "#AA3300",
    "supportEmail": "help@acme.example",
    "supportPhone": "+971 4 000 0000",
    "returnPolicy": "Return unworn items within 30 days.",
}


async def test_a_merchant_without_settings_reads_the_defaults(graphql) -> None:
    data = await graphql.data(READ, {"merchant": "acme"})
    assert data["portalSettings"] == {
        "merchant": "acme",
        "displayName": None,
        "logoUrl": None,
        "accentColour": "#0b57d0",
        "supportEmail": None,
        "supportPhone": None,
        "returnPolicy": None,
    }


async def test_update_portal_settings_stores_them_for_the_merchant(graphql) -> None:
    updated = (await graphql.data(UPDATE, {"input": BRAND}))["updatePortalSettings"]
    again = await graphql.data(UPDATE, {"input": BRAND | {"displayName": "Acme"}})
    read = (await graphql.data(READ, {"merchant": "acme"}))["portalSettings"]

    assert updated["userErrors"] == []
    assert updated["portalSettings"]["accentColour"] == "#aa3300"
    assert again["updatePortalSettings"]["userErrors"] == []
    assert read == BRAND | {"displayName": "Acme", "accentColour": "#aa3300"}


async def test_unsafe_values_are_user_errors_and_nothing_is_stored(graphql) -> None:
    hostile = BRAND | {"logoUrl": "javascript:alert(1)", "accentColour": "red;}"}
    payload = (await graphql.data(UPDATE, {"input": hostile}))["updatePortalSettings"]
    read = (await graphql.data(READ, {"merchant": "acme"}))["portalSettings"]

    assert payload["portalSettings"] is None
    assert {(e["code"], e["field"]) for e in payload["userErrors"]} == {
        ("INVALID_INPUT", "logoUrl"),
        ("INVALID_INPUT", "accentColour"),
    }
    assert read["displayName"] is None


async def test_a_logo_address_that_would_add_a_policy_directive_is_refused(graphql) -> None:
    hostile = BRAND | {"logoUrl": "https://evil.example;report-uri/collect"}
    payload = (await graphql.data(UPDATE, {"input": hostile}))["updatePortalSettings"]
    read = (await graphql.data(READ, {"merchant": "acme"}))["portalSettings"]

    assert payload["portalSettings"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", "logoUrl")
    ]
    assert read["logoUrl"] is None


async def test_another_tenant_neither_sees_nor_changes_them(graphql, db, clock) -> None:
    await graphql.data(UPDATE, {"input": BRAND})
    other = await credentials(db, clock, "globex")

    seen = await graphql.data(READ, {"merchant": "acme"}, headers=other)

    assert seen["portalSettings"]["displayName"] is None


async def test_a_read_only_key_cannot_update_them(graphql, db, clock) -> None:
    reader = await credentials(db, clock, "default", Role.READ_ONLY)

    body = await graphql.execute(UPDATE, {"input": BRAND}, headers=reader)

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
