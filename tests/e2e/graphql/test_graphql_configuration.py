"""Merchant configuration over GraphQL: every kind of code, the return settings, pickup
locations and delivery options are created, listed, updated and deleted the way a merchant's
back office would, and every refused change reads back exactly as before.

With `language`, a code's `name` is its translation (pt-BR, then pt, then the default name);
`defaultName` and `translations` are always there."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

MERCHANT = "acme"
OTHER_MERCHANT = "globex"
USER_ERRORS = "userErrors { code field message }"

CODE_FIELDS = """
fragment Code on ReferenceCode {
  __typename merchant code name defaultName translations { language text }
  ... on ReturnReason {
    requireComments requireImages requireItemCondition reverseShipmentCreateEnabled autoApprove
  }
  ... on RefundType { allowedReturnReasons }
  ... on ReturnComment { allowedReturnReasons }
}
"""


@dataclass(frozen=True)
class Kind:
    """One kind of merchant code and the names the API gives it."""

    type_name: str  # ReturnReason: createReturnReason, updateReturnReason, deleteReturnReason
    query: str  # returnReasons
    input_type: str

    @property
    def scoped(self) -> bool:
        return self.input_type == "ScopedReferenceCodeInput"

    def __str__(self) -> str:  # the test id
        return self.type_name


KINDS = [
    Kind("ReturnReason", "returnReasons", "ReturnReasonInput"),
    Kind("RejectionReason", "rejectionReasons", "ReferenceCodeInput"),
    Kind("Resolution", "resolutions", "ReferenceCodeInput"),
    Kind("ItemCondition", "itemConditions", "ReferenceCodeInput"),
    Kind("RefundType", "refundTypes", "ScopedReferenceCodeInput"),
    Kind("ReturnComment", "returnComments", "ScopedReferenceCodeInput"),
]
REASON, REJECTION, RESOLUTION, CONDITION, REFUND_TYPE, COMMENT = KINDS
SCOPED_KINDS = [REFUND_TYPE, COMMENT]

RACERS = 8  # concurrent writers in the race tests

REASON_FLAG_DEFAULTS = {
    "requireComments": False,
    "requireImages": False,
    "requireItemCondition": False,
    "reverseShipmentCreateEnabled": True,
    "autoApprove": False,
}


def _save_code(verb: str, kind: Kind) -> str:
    return (
        f"mutation Save($input: {kind.input_type}!) {{\n"
        f"  {verb}{kind.type_name}(input: $input) {{ referenceCode {{ ...Code }} {USER_ERRORS} }}\n"
        f"}}\n" + CODE_FIELDS
    )


CREATE_CODE = {kind.type_name: _save_code("create", kind) for kind in KINDS}
UPDATE_CODE = {kind.type_name: _save_code("update", kind) for kind in KINDS}
DELETE_CODE = {
    kind.type_name: (
        "mutation Delete($input: DeleteReferenceCodeInput!) {\n"
        f"  delete{kind.type_name}(input: $input) {{ deleted {USER_ERRORS} }}\n"
        "}\n"
    )
    for kind in KINDS
}
LIST_CODES = {
    kind.type_name: (
        "query List($merchant: String!, $language: String) {\n"
        f"  {kind.query}(merchant: $merchant, language: $language) {{ ...Code }}\n"
        "}\n" + CODE_FIELDS
    )
    for kind in KINDS
}
ALL_CODES = (
    "query All($merchant: String!, $language: String) {\n"
    + "".join(
        f"  {kind.query}(merchant: $merchant, language: $language) {{ ...Code }}\n"
        for kind in KINDS
    )
    + "}\n"
    + CODE_FIELDS
)

SETTINGS_FIELDS = """
fragment Settings on ReturnSettings {
  merchant allowedDaysForReturn defaultDropoffLocations { country locationCode }
  allowUndeliveredItems allowPickupLocationSelection notificationUsers { email name }
  orderLookupMethods autoCloseDays shopifyIntegrationEnabled shopifyConnectorId
}
"""
RETURN_SETTINGS = (
    """
query Settings($merchant: String!) { returnSettings(merchant: $merchant) { ...Settings } }
"""
    + SETTINGS_FIELDS
)
UPSERT_RETURN_SETTINGS = (
    """
mutation Upsert($input: ReturnSettingsInput!) {
  upsertReturnSettings(input: $input) { returnSettings { ...Settings }
    userErrors { code field message }
  }
}
"""
    + SETTINGS_FIELDS
)
DELETE_RETURN_SETTINGS = """
mutation Delete($input: DeleteByMerchantInput!) {
  deleteReturnSettings(input: $input) { deleted userErrors { code field message } }
}
"""

LOCATION_FIELDS = """
fragment Location on PickupLocation {
  merchant code name
  address {
    contactName contactPhone contactEmail address1 address2 city state postcode country
    partnerLocationId
  }
}
"""
PICKUP_LOCATIONS = (
    """
query Locations($merchant: String!) { pickupLocations(merchant: $merchant) { ...Location } }
"""
    + LOCATION_FIELDS
)
CREATE_PICKUP_LOCATION = (
    """
mutation Create($input: PickupLocationInput!) {
  createPickupLocation(input: $input) { pickupLocation { ...Location }
    userErrors { code field message }
  }
}
"""
    + LOCATION_FIELDS
)
UPDATE_PICKUP_LOCATION = (
    """
mutation Update($input: PickupLocationInput!) {
  updatePickupLocation(input: $input) { pickupLocation { ...Location }
    userErrors { code field message }
  }
}
"""
    + LOCATION_FIELDS
)
DELETE_PICKUP_LOCATION = """
mutation Delete($input: DeleteReferenceCodeInput!) {
  deletePickupLocation(input: $input) { deleted userErrors { code field message } }
}
"""

DELIVERY_OPTIONS = """
query Options($merchant: String!) {
  deliveryOptions(merchant: $merchant) { merchant id name carrier }
}
"""
CREATE_DELIVERY_OPTION = """
mutation Create($input: DeliveryOptionInput!) {
  createDeliveryOption(input: $input) {
    deliveryOption { merchant id name carrier } userErrors { code field message }
  }
}
"""
UPDATE_DELIVERY_OPTION = """
mutation Update($input: DeliveryOptionInput!) {
  updateDeliveryOption(input: $input) {
    deliveryOption { merchant id name carrier } userErrors { code field message }
  }
}
"""
DELETE_DELIVERY_OPTION = """
mutation Delete($input: DeleteReferenceCodeInput!) {
  deleteDeliveryOption(input: $input) { deleted userErrors { code field message } }
}
"""

DUBAI = {
    "contactName": "Dock 4",
    "contactPhone": "+97140000000",
    "contactEmail": "dock4@acme.test",
    "address1": "Jebel Ali Free Zone",
    "address2": "Gate 7",
    "city": "Dubai",
    "state": "Dubai",
    "postcode": "00000",
    "country": "AE",
    "partnerLocationId": None,
}
RIYADH = {**dict.fromkeys(DUBAI), "address1": "2nd Industrial City", "country": "SA"}


# ----------------------------------------------------------------------------- helpers


class Config:
    """A merchant's back office, over the real HTTP server."""

    def __init__(self, graphql: Any) -> None:
        self.graphql = graphql

    async def _payload(self, operation: str, input: dict[str, Any]) -> dict[str, Any]:
        data = await self.graphql.data(operation, {"input": input})
        (payload,) = data.values()
        return payload

    async def create(self, kind: Kind, **input: Any) -> dict[str, Any]:
        return await self._payload(CREATE_CODE[kind.type_name], {"merchant": MERCHANT, **input})

    async def update(self, kind: Kind, **input: Any) -> dict[str, Any]:
        return await self._payload(UPDATE_CODE[kind.type_name], {"merchant": MERCHANT, **input})

    async def delete(self, kind: Kind, code: str, merchant: str = MERCHANT) -> dict[str, Any]:
        return await self._payload(
            DELETE_CODE[kind.type_name], {"merchant": merchant, "code": code}
        )

    async def added(self, kind: Kind, **input: Any) -> dict[str, Any]:
        """Create a code that must be accepted; its view."""
        payload = await self.create(kind, **input)
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["referenceCode"]

    async def codes(
        self, kind: Kind, *, language: str | None = None, merchant: str = MERCHANT
    ) -> list[dict[str, Any]]:
        variables = {"merchant": merchant, "language": language}
        return (await self.graphql.data(LIST_CODES[kind.type_name], variables))[kind.query]

    async def all_codes(self, language: str | None = None) -> dict[str, list[dict[str, Any]]]:
        return await self.graphql.data(ALL_CODES, {"merchant": MERCHANT, "language": language})

    async def settings(self, merchant: str = MERCHANT) -> dict[str, Any] | None:
        return (await self.graphql.data(RETURN_SETTINGS, {"merchant": merchant}))["returnSettings"]

    async def upsert_settings(self, **input: Any) -> dict[str, Any]:
        return await self._payload(UPSERT_RETURN_SETTINGS, {"merchant": MERCHANT, **input})

    async def locations(self, merchant: str = MERCHANT) -> list[dict[str, Any]]:
        return (await self.graphql.data(PICKUP_LOCATIONS, {"merchant": merchant}))[
            "pickupLocations"
        ]

    async def save_location(self, operation: str, **input: Any) -> dict[str, Any]:
        return await self._payload(operation, {"merchant": MERCHANT, **input})

    async def added_location(self, code: str, address: dict[str, Any]) -> dict[str, Any]:
        payload = await self.save_location(
            CREATE_PICKUP_LOCATION, code=code, name=f"Warehouse {code}", address=address
        )
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["pickupLocation"]

    async def options(self, merchant: str = MERCHANT) -> list[dict[str, Any]]:
        return (await self.graphql.data(DELIVERY_OPTIONS, {"merchant": merchant}))[
            "deliveryOptions"
        ]

    async def run(self, operation: str, **input: Any) -> dict[str, Any]:
        return await self._payload(operation, {"merchant": MERCHANT, **input})


@pytest.fixture
def config(graphql: Any) -> Config:
    return Config(graphql)


def expected_view(kind: Kind, **input: Any) -> dict[str, Any]:
    """What the API shows for a code saved from `input`, asked for without a language."""
    view = {
        "__typename": kind.type_name,
        "merchant": input.get("merchant", MERCHANT),
        "code": input["code"],
        "name": input["name"],
        "defaultName": input["name"],
        "translations": sorted(input.get("translations", []), key=lambda t: t["language"]),
    }
    if kind is REASON:
        view |= {flag: input.get(flag, default) for flag, default in REASON_FLAG_DEFAULTS.items()}
    if kind.scoped:
        view["allowedReturnReasons"] = input.get("allowedReturnReasons", [])
    return view


def refused(payload: dict[str, Any], result: str, code: str, field: str | None) -> str:
    """The one userError of a refused configuration change; its message."""
    assert payload[result] is None, payload
    (error,) = payload["userErrors"]
    assert (error["code"], error["field"]) == (code, field), error
    assert error["message"], error
    return error["message"]


def not_deleted(payload: dict[str, Any], code: str) -> str:
    assert payload["deleted"] is False, payload
    (error,) = payload["userErrors"]
    assert error["code"] == code, error
    return error["message"]


# ----------------------------------------------------------------------------- reference codes


@pytest.mark.parametrize("kind", KINDS, ids=str)
async def test_each_kind_of_code_is_created_listed_updated_and_deleted(config, kind) -> None:
    if kind.scoped:
        await config.added(REASON, code="DAMAGED", name="Damaged")
    first = {
        "code": "C-1",
        "name": "First name",
        "translations": [{"language": "pt", "text": "Primeiro"}, {"language": "ar", "text": "أول"}],
    }
    created = await config.added(kind, **first)
    assert created == expected_view(kind, **first)
    assert await config.codes(kind) == [created]
    assert await config.codes(kind, language="ar") == [created | {"name": "أول"}]

    second = {
        "code": "C-1",
        "name": "Second name",
        "translations": [{"language": "fr", "text": "Deuxième"}],
    }
    if kind is REASON:
        second |= {flag: not default for flag, default in REASON_FLAG_DEFAULTS.items()}
    if kind.scoped:
        second["allowedReturnReasons"] = ["DAMAGED"]
    payload = await config.update(kind, **second)
    assert payload == {"referenceCode": expected_view(kind, **second), "userErrors": []}
    assert await config.codes(kind) == [expected_view(kind, **second)]
    # The update replaced the translations: Arabic now falls back to the default name.
    assert [c["name"] for c in await config.codes(kind, language="ar")] == ["Second name"]
    assert [c["name"] for c in await config.codes(kind, language="fr")] == ["Deuxième"]

    assert await config.delete(kind, "C-1") == {"deleted": True, "userErrors": []}
    assert await config.codes(kind) == []


async def test_names_fall_back_from_region_to_language_to_the_default(config) -> None:
    translations = [
        {"language": "pt-BR", "text": "Danificado (BR)"},
        {"language": "pt", "text": "Danificado"},
        {"language": "ar", "text": "تالف"},
    ]
    for kind in KINDS:
        await config.added(kind, code="DAMAGED", name="Damaged", translations=translations)

    expected = {
        None: "Damaged",
        "pt-BR": "Danificado (BR)",
        "pt-PT": "Danificado",
        "pt": "Danificado",
        "ar": "تالف",
        "ar-AE": "تالف",
        "fr": "Damaged",
        "fr-CA": "Damaged",
    }
    in_order = sorted(translations, key=lambda t: t["language"])
    for language, name in expected.items():
        lists = await config.all_codes(language)
        assert set(lists) == {kind.query for kind in KINDS}
        for kind in KINDS:
            (code,) = lists[kind.query]
            assert (code["name"], code["defaultName"]) == (name, "Damaged"), (kind, language)
            assert code["translations"] == in_order


async def test_codes_are_listed_in_code_order_and_kept_apart_per_merchant_and_kind(
    config,
) -> None:
    for code in ("WRONG_SIZE", "DAMAGED", "LATE"):
        await config.added(REASON, code=code, name=code.title())
    # The same code for another merchant, and for another kind, is a different code.
    await config.added(REASON, code="DAMAGED", name="Kaputt", merchant=OTHER_MERCHANT)
    await config.added(REJECTION, code="DAMAGED", name="Damaged by the customer")

    assert [c["code"] for c in await config.codes(REASON)] == ["DAMAGED", "LATE", "WRONG_SIZE"]
    (other,) = await config.codes(REASON, merchant=OTHER_MERCHANT)
    assert (other["merchant"], other["code"], other["name"]) == (
        OTHER_MERCHANT,
        "DAMAGED",
        "Kaputt",
    )
    assert await config.codes(REASON, merchant="nobody") == []
    assert [c["name"] for c in await config.codes(REJECTION)] == ["Damaged by the customer"]

    assert (await config.delete(REASON, "DAMAGED", merchant=OTHER_MERCHANT))["deleted"] is True
    assert [c["code"] for c in await config.codes(REASON)] == ["DAMAGED", "LATE", "WRONG_SIZE"]
    assert [c["code"] for c in await config.codes(REJECTION)] == ["DAMAGED"]


@pytest.mark.parametrize("kind", KINDS, ids=str)
async def test_duplicate_missing_and_foreign_codes_are_refused_and_change_nothing(
    config, kind
) -> None:
    await config.added(kind, code="DAMAGED", name="Damaged")
    before = await config.codes(kind)

    message = refused(
        await config.create(kind, code="DAMAGED", name="Broken"),
        "referenceCode",
        "ALREADY_EXISTS",
        "code",
    )
    assert "DAMAGED" in message
    assert await config.codes(kind) == before

    message = refused(
        await config.update(kind, code="GHOST", name="Ghost"), "referenceCode", "NOT_FOUND", "code"
    )
    assert "GHOST" in message
    assert await config.codes(kind) == before

    # Another merchant cannot reach acme's code.
    refused(
        await config.update(kind, code="DAMAGED", name="Broken", merchant=OTHER_MERCHANT),
        "referenceCode",
        "NOT_FOUND",
        "code",
    )
    assert "GHOST" in not_deleted(await config.delete(kind, "GHOST"), "NOT_FOUND")
    not_deleted(await config.delete(kind, "DAMAGED", merchant=OTHER_MERCHANT), "NOT_FOUND")
    assert await config.codes(kind) == before
    assert await config.codes(kind, merchant=OTHER_MERCHANT) == []


# Each rule a code breaks is proven in tests/unit/domain/test_domain_configured_rules.py
# (validate_entry: codes blank, leading "-", 101 long; the language pt_BR; 51 translations);
# here one case per field GraphQL names, the nested `translations.<language>` included, and
# the length limits only this test checks.
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "HAS SPACE"}, "code"),
        ({"name": "   "}, "name"),
        ({"name": "N" * 201}, "name"),
        ({"translations": [{"language": "ar", "text": " "}]}, "translations.ar"),
        ({"translations": [{"language": "ar", "text": "T" * 201}]}, "translations.ar"),
    ],
    ids=["space-in-code", "blank-name", "long-name", "blank-translation", "long-translation"],
)  # fmt: skip
async def test_malformed_codes_are_invalid_input_and_change_nothing(config, change, field) -> None:
    existing = await config.added(REASON, code="DAMAGED", name="Damaged")
    for save in (config.create, config.update):
        given = {"code": "DAMAGED" if save == config.update else "NEW", "name": "Name"} | change
        refused(await save(REASON, **given), "referenceCode", "INVALID_INPUT", field)
        assert await config.codes(REASON) == [existing]


@pytest.mark.parametrize("kind", SCOPED_KINDS, ids=str)
async def test_refund_types_and_comments_may_only_name_the_merchants_reasons(config, kind) -> None:
    await config.added(REASON, code="DAMAGED", name="Damaged")
    await config.added(REASON, code="ELSEWHERE", name="Elsewhere", merchant=OTHER_MERCHANT)

    for reasons, unknown in ((["DAMAGED", "GHOST"], "GHOST"), (["ELSEWHERE"], "ELSEWHERE")):
        message = refused(
            await config.create(kind, code="SCOPED", name="Scoped", allowedReturnReasons=reasons),
            "referenceCode",
            "UNKNOWN_CODE",
            "allowedReturnReasons",
        )
        assert unknown in message
        assert await config.codes(kind) == []

    scoped = await config.added(
        kind, code="SCOPED", name="Scoped", allowedReturnReasons=["DAMAGED"]
    )
    assert scoped["allowedReturnReasons"] == ["DAMAGED"]
    message = refused(
        await config.update(kind, code="SCOPED", name="Scoped", allowedReturnReasons=["GHOST"]),
        "referenceCode",
        "UNKNOWN_CODE",
        "allowedReturnReasons",
    )
    assert "GHOST" in message
    assert await config.codes(kind) == [scoped]

    # Without a list, it applies to every reason.
    unlimited = await config.added(kind, code="ANY", name="Any reason")
    assert unlimited["allowedReturnReasons"] == []


async def test_a_reason_named_by_refund_types_or_comments_cannot_be_deleted(config) -> None:
    await config.added(REASON, code="DAMAGED", name="Damaged")
    await config.added(
        REFUND_TYPE, code="STORE_CREDIT", name="Credit", allowedReturnReasons=["DAMAGED"]
    )
    await config.added(COMMENT, code="TORN", name="Torn", allowedReturnReasons=["DAMAGED"])
    before = await config.all_codes()

    message = not_deleted(await config.delete(REASON, "DAMAGED"), "IN_USE")
    assert "DAMAGED" in message
    assert "STORE_CREDIT" in message and "TORN" in message
    assert await config.all_codes() == before

    await config.update(REFUND_TYPE, code="STORE_CREDIT", name="Credit", allowedReturnReasons=[])
    message = not_deleted(await config.delete(REASON, "DAMAGED"), "IN_USE")
    assert "TORN" in message and "STORE_CREDIT" not in message
    assert (await config.delete(COMMENT, "TORN"))["deleted"] is True
    assert await config.delete(REASON, "DAMAGED") == {"deleted": True, "userErrors": []}
    assert await config.codes(REASON) == []


async def test_every_code_kind_answers_through_the_reference_code_interface(config) -> None:
    for kind in KINDS:
        payload = await config.create(kind, code="X", name="X")
        assert payload["referenceCode"]["__typename"] == kind.type_name
    lists = await config.all_codes()
    assert {kind.query: [c["__typename"] for c in lists[kind.query]] for kind in KINDS} == {
        kind.query: [kind.type_name] for kind in KINDS
    }


async def test_concurrent_creates_of_one_code_make_it_once(config) -> None:
    bodies = await asyncio.gather(
        *[
            config.graphql.execute(
                CREATE_CODE["ReturnReason"],
                {"input": {"merchant": MERCHANT, "code": "DAMAGED", "name": f"Damaged {n}"}},
            )
            for n in range(RACERS)
        ]
    )
    assert [body.get("errors") for body in bodies] == [None] * RACERS
    payloads = [body["data"]["createReturnReason"] for body in bodies]
    codes = sorted((p["userErrors"][0]["code"] if p["userErrors"] else "CREATED") for p in payloads)
    assert codes == ["ALREADY_EXISTS"] * (RACERS - 1) + ["CREATED"]
    assert len(await config.codes(REASON)) == 1


# ----------------------------------------------------------------------------- return settings


FULL_SETTINGS = {
    "allowedDaysForReturn": 30,
    "defaultDropoffLocations": [
        {"country": "SA", "locationCode": "WH-RUH"},
        {"country": "AE", "locationCode": "WH-DXB"},
    ],
    "allowUndeliveredItems": True,
    "allowPickupLocationSelection": True,
    "notificationUsers": [
        {"email": "ops@acme.test", "name": "Ops"},
        {"email": "finance@acme.test", "name": None},
    ],
    "orderLookupMethods": ["EMAIL", "PHONE_NUMBER"],
    "autoCloseDays": 14,
    "shopifyIntegrationEnabled": "yes, for the UAE store",
    "shopifyConnectorId": "shpc_8f2K",
}
DEFAULT_SETTINGS = {
    "allowedDaysForReturn": None,
    "defaultDropoffLocations": [],
    "allowUndeliveredItems": False,
    "allowPickupLocationSelection": False,
    "notificationUsers": [],
    "orderLookupMethods": [],
    "autoCloseDays": None,
    "shopifyIntegrationEnabled": None,
    "shopifyConnectorId": None,
}


async def test_settings_are_null_until_set_then_replaced_whole_and_deleted(config) -> None:
    assert await config.settings() is None
    await config.added_location("WH-DXB", DUBAI)
    await config.added_location("WH-RUH", RIYADH)

    payload = await config.upsert_settings(**FULL_SETTINGS)
    stored = {
        "merchant": MERCHANT,
        **FULL_SETTINGS,
        # Listed by country, whatever order they were given in.
        "defaultDropoffLocations": [
            {"country": "AE", "locationCode": "WH-DXB"},
            {"country": "SA", "locationCode": "WH-RUH"},
        ],
    }
    assert payload == {"returnSettings": stored, "userErrors": []}
    assert await config.settings() == stored
    assert await config.settings(OTHER_MERCHANT) is None

    # Upsert replaces the settings whole: what is left out goes back to its default.
    payload = await config.upsert_settings(allowedDaysForReturn=7)
    replaced = {"merchant": MERCHANT, **DEFAULT_SETTINGS, "allowedDaysForReturn": 7}
    assert payload == {"returnSettings": replaced, "userErrors": []}
    assert await config.settings() == replaced

    for days in (0, 3650):
        payload = await config.upsert_settings(allowedDaysForReturn=days, autoCloseDays=days)
        assert payload["userErrors"] == []
        assert (await config.settings())["allowedDaysForReturn"] == days

    delete = {"merchant": MERCHANT}
    assert await config.run(DELETE_RETURN_SETTINGS, **delete) == {
        "deleted": True,
        "userErrors": [],
    }
    assert await config.settings() is None
    not_deleted(await config.run(DELETE_RETURN_SETTINGS, **delete), "NOT_FOUND")


# Each rule is proven in tests/unit/domain/test_domain_configured_rules.py (validate_settings:
# days from -1 past 3650 for both day fields, countries such as "ae" and "ARE", lookup methods,
# blank e-mails); here one case per kind of answer GraphQL gives: a field, a value named in the
# message, a nested field, and UNKNOWN_CODE, which needs the stored locations.
@pytest.mark.parametrize(
    ("change", "code", "field", "named"),
    [
        ({"allowedDaysForReturn": -1}, "INVALID_INPUT", "allowedDaysForReturn", None),
        ({"defaultDropoffLocations": [{"country": "ae", "locationCode": "WH-DXB"}]},
         "INVALID_INPUT", "defaultDropoffLocations", "'ae'"),
        ({"defaultDropoffLocations": [{"country": "AE", "locationCode": "WH-GHOST"}]},
         "UNKNOWN_CODE", "defaultDropoffLocations", "WH-GHOST"),
        ({"notificationUsers": [{"email": " "}]}, "INVALID_INPUT", "notificationUsers.email",
         None),
    ],
    ids=[
        "negative-window", "lower-case-country", "unknown-dropoff-location",
        "blank-notification-email",
    ],
)  # fmt: skip
async def test_refused_settings_keep_the_stored_ones(config, change, code, field, named) -> None:
    await config.added_location("WH-DXB", DUBAI)
    await config.added_location("WH-RUH", RIYADH)
    assert (await config.upsert_settings(**FULL_SETTINGS))["userErrors"] == []
    before = await config.settings()

    message = refused(await config.upsert_settings(**change), "returnSettings", code, field)
    if named:
        assert named in message
    assert await config.settings() == before


async def test_refused_first_settings_leave_the_merchant_without_settings(config) -> None:
    await config.added_location("WH-DXB", DUBAI)
    refused(
        await config.upsert_settings(allowedDaysForReturn=-5),
        "returnSettings",
        "INVALID_INPUT",
        "allowedDaysForReturn",
    )
    assert await config.settings() is None


async def test_default_dropoffs_are_free_text_until_the_merchant_has_locations(config) -> None:
    dropoffs = [{"country": "AE", "locationCode": "WH-DXB"}]
    payload = await config.upsert_settings(defaultDropoffLocations=dropoffs)
    assert payload["userErrors"] == []
    assert (await config.settings())["defaultDropoffLocations"] == dropoffs


async def test_long_shopify_fields_are_stored_or_refused_never_an_internal_error(
    config,
) -> None:
    """Shopify fields are kept as given; one longer than the store can hold is refused as
    input on every backend (it was "Unexpected error." on PostgreSQL, VARCHAR(100))."""
    assert (await config.upsert_settings(allowedDaysForReturn=30))["userErrors"] == []
    before = await config.settings()
    for field in ("shopifyIntegrationEnabled", "shopifyConnectorId"):
        value = "shpc_" + "9" * 145
        body = await config.graphql.execute(
            UPSERT_RETURN_SETTINGS, {"input": {"merchant": MERCHANT, field: value}}
        )
        assert "errors" not in body, body["errors"]
        payload = body["data"]["upsertReturnSettings"]
        if payload["userErrors"]:
            refused(payload, "returnSettings", "INVALID_INPUT", field)
            assert await config.settings() == before
        else:
            assert (await config.settings())[field] == value


async def test_concurrent_first_settings_all_apply(config) -> None:
    bodies = await asyncio.gather(
        *[
            config.graphql.execute(
                UPSERT_RETURN_SETTINGS,
                {"input": {"merchant": MERCHANT, "allowedDaysForReturn": days}},
            )
            for days in range(10, 10 + RACERS)
        ]
    )
    assert [body.get("errors") for body in bodies] == [None] * RACERS
    assert [b["data"]["upsertReturnSettings"]["userErrors"] for b in bodies] == [[]] * RACERS
    assert (await config.settings())["allowedDaysForReturn"] in range(10, 10 + RACERS)


# ----------------------------------------------------------------------------- pickup locations


async def test_pickup_locations_are_created_listed_updated_and_deleted(config) -> None:
    assert await config.locations() == []
    dubai = await config.added_location("WH-DXB", DUBAI)
    assert dubai == {
        "merchant": MERCHANT,
        "code": "WH-DXB",
        "name": "Warehouse WH-DXB",
        "address": DUBAI,
    }
    riyadh = await config.added_location("WH-RUH", RIYADH)
    await config.added_location("A-FIRST", RIYADH)
    assert [loc["code"] for loc in await config.locations()] == ["A-FIRST", "WH-DXB", "WH-RUH"]
    assert await config.locations(OTHER_MERCHANT) == []

    moved = {**dict.fromkeys(DUBAI), "address1": "Al Quoz 3", "city": "Dubai", "country": "AE"}
    payload = await config.save_location(
        UPDATE_PICKUP_LOCATION, code="WH-DXB", name="Dubai (Al Quoz)", address=moved
    )
    updated = {"merchant": MERCHANT, "code": "WH-DXB", "name": "Dubai (Al Quoz)", "address": moved}
    assert payload == {"pickupLocation": updated, "userErrors": []}

    delete = {"code": "A-FIRST"}
    assert await config.run(DELETE_PICKUP_LOCATION, **delete) == {
        "deleted": True,
        "userErrors": [],
    }
    assert await config.locations() == [updated, riyadh]


async def test_refused_location_changes_write_nothing(config) -> None:
    await config.added_location("WH-DXB", DUBAI)
    before = await config.locations()
    no_country = {"address1": "Somewhere 1"}
    no_street = {"country": "AE", "city": "Dubai"}
    attempts = [
        (CREATE_PICKUP_LOCATION, {"code": "WH-DXB", "name": "Again", "address": DUBAI},
         "ALREADY_EXISTS", "code"),
        (UPDATE_PICKUP_LOCATION, {"code": "WH-GHOST", "name": "Ghost", "address": DUBAI},
         "NOT_FOUND", "code"),
        (CREATE_PICKUP_LOCATION, {"code": "WH-NEW", "name": "New", "address": no_country},
         "INVALID_INPUT", "address"),
        (UPDATE_PICKUP_LOCATION, {"code": "WH-DXB", "name": "Dubai", "address": no_street},
         "INVALID_INPUT", "address"),
        (CREATE_PICKUP_LOCATION, {"code": "WH NEW", "name": "New", "address": DUBAI},
         "INVALID_INPUT", "code"),
        (CREATE_PICKUP_LOCATION, {"code": "WH-NEW", "name": " ", "address": DUBAI},
         "INVALID_INPUT", "name"),
    ]  # fmt: skip
    for operation, input, code, field in attempts:
        refused(await config.save_location(operation, **input), "pickupLocation", code, field)
        assert await config.locations() == before, input

    assert "WH-GHOST" in not_deleted(
        await config.run(DELETE_PICKUP_LOCATION, code="WH-GHOST"), "NOT_FOUND"
    )
    assert await config.locations() == before


async def test_a_location_named_by_the_default_dropoffs_cannot_be_deleted(config) -> None:
    await config.added_location("WH-DXB", DUBAI)
    dropoffs = [{"country": "AE", "locationCode": "WH-DXB"}]
    assert (await config.upsert_settings(defaultDropoffLocations=dropoffs))["userErrors"] == []

    message = not_deleted(await config.run(DELETE_PICKUP_LOCATION, code="WH-DXB"), "IN_USE")
    assert "WH-DXB" in message and "dropoff" in message
    assert [loc["code"] for loc in await config.locations()] == ["WH-DXB"]

    assert (await config.upsert_settings(allowedDaysForReturn=30))["userErrors"] == []
    assert (await config.run(DELETE_PICKUP_LOCATION, code="WH-DXB"))["deleted"] is True
    assert await config.locations() == []


# ----------------------------------------------------------------------------- delivery options


async def test_delivery_options_are_created_listed_updated_and_deleted(config) -> None:
    assert await config.options() == []
    payload = await config.run(
        CREATE_DELIVERY_OPTION, id="EXPRESS", name="Express", carrier="Aramex"
    )
    express = {"merchant": MERCHANT, "id": "EXPRESS", "name": "Express", "carrier": "Aramex"}
    assert payload == {"deliveryOption": express, "userErrors": []}
    payload = await config.run(CREATE_DELIVERY_OPTION, id="ECONOMY", name="Economy")
    economy = {"merchant": MERCHANT, "id": "ECONOMY", "name": "Economy", "carrier": None}
    assert payload == {"deliveryOption": economy, "userErrors": []}
    assert await config.options() == [economy, express]
    assert await config.options(OTHER_MERCHANT) == []

    payload = await config.run(UPDATE_DELIVERY_OPTION, id="EXPRESS", name="Next day", carrier="DHL")
    express = express | {"name": "Next day", "carrier": "DHL"}
    assert payload == {"deliveryOption": express, "userErrors": []}
    assert await config.options() == [economy, express]

    assert await config.run(DELETE_DELIVERY_OPTION, code="ECONOMY") == {
        "deleted": True,
        "userErrors": [],
    }
    assert await config.options() == [express]


async def test_refused_delivery_option_changes_write_nothing(config) -> None:
    await config.run(CREATE_DELIVERY_OPTION, id="EXPRESS", name="Express", carrier="Aramex")
    before = await config.options()
    attempts = [
        (CREATE_DELIVERY_OPTION, {"id": "EXPRESS", "name": "Again"}, "ALREADY_EXISTS", "code"),
        (UPDATE_DELIVERY_OPTION, {"id": "GHOST", "name": "Ghost"}, "NOT_FOUND", "code"),
        (CREATE_DELIVERY_OPTION, {"id": "NEXT DAY", "name": "Next day"}, "INVALID_INPUT", "id"),
        (UPDATE_DELIVERY_OPTION, {"id": "EXPRESS", "name": ""}, "INVALID_INPUT", "name"),
    ]
    for operation, input, code, field in attempts:
        refused(await config.run(operation, **input), "deliveryOption", code, field)
        assert await config.options() == before, input
    assert "GHOST" in not_deleted(
        await config.run(DELETE_DELIVERY_OPTION, code="GHOST"), "NOT_FOUND"
    )
    assert await config.options() == before


async def test_a_long_carrier_is_stored_or_refused_never_an_internal_error(config) -> None:
    """It was "Unexpected error." on PostgreSQL, whose carrier column is VARCHAR(100)."""
    carrier = "Emirates Post Group " * 8 + "Ltd"
    body = await config.graphql.execute(
        CREATE_DELIVERY_OPTION,
        {"input": {"merchant": MERCHANT, "id": "POST", "name": "Post", "carrier": carrier}},
    )
    assert "errors" not in body, body["errors"]
    payload = body["data"]["createDeliveryOption"]
    if payload["userErrors"]:
        refused(payload, "deliveryOption", "INVALID_INPUT", "carrier")
        assert await config.options() == []
    else:
        assert [option["carrier"] for option in await config.options()] == [carrier]
