"""The rules a merchant's configuration drives (DESIGN.md §4), pure: `ConfiguredRules` built
straight from reference entries, settings and pickup locations, exercised through
`explain_lines`, `check_item_requests` and the aggregate's transitions.

The project's policy is deliberate: codes of a kind are enforced only once the merchant has
configured at least one code of that kind (free text before), and pickup location codes once
the merchant has locations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from domain import events as ev
from domain.configured_rules import ConfiguredRules
from domain.eligibility import check_item_requests, explain_lines
from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidTransition
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest, ShipmentStatus
from domain.reference import (
    REASON_SCOPED,
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
    validate_delivery_option,
    validate_entry,
    validate_location,
    validate_settings,
)
from domain.values import Address
from tests.unit.domain.conftest import create_request as create

R = ReferenceKind
MERCHANT = "acme"
WAREHOUSE = PickupLocation(
    MERCHANT, "WH-DXB-1", "Dubai warehouse", Address(address1="Plot 7, Al Quoz", country="AE")
)
BRANCH = PickupLocation(
    MERCHANT, "BR-RUH-1", "Riyadh branch", Address(address1="King Fahd Road", country="SA")
)
AE_ADDRESS = Address(contact_name="Layla Haddad", address1="12 Al Wasl Road", country="AE")
WAREHOUSE_DROPOFF = Address(partner_location_id="WH-DXB-1")
SA_ADDRESS = Address(contact_name="Omar Saleh", address1="5 Olaya Street", country="SA")


def entry(kind: ReferenceKind, code: str, **fields: object) -> ReferenceEntry:
    return ReferenceEntry(kind, MERCHANT, code, f"{code.title()} name", **fields)  # type: ignore[arg-type]


def reason(code: str, **flags: object) -> ReferenceEntry:
    return entry(R.RETURN_REASON, code, **flags)


def configured(
    *entries: ReferenceEntry,
    settings: ReturnSettings | None = None,
    locations: tuple[PickupLocation, ...] = (),
) -> ConfiguredRules:
    return ConfiguredRules(MERCHANT, settings, entries, locations)


def settings(**fields: object) -> ReturnSettings:
    return ReturnSettings(merchant=MERCHANT, **fields)  # type: ignore[arg-type]


def refused(caught: pytest.ExceptionInfo[DomainError]) -> list[tuple[ErrorCode, str | None]]:
    errors = caught.value.errors if isinstance(caught.value, DomainErrors) else [caught.value]
    return [(error.code, error.field) for error in errors]


def delivered_at(order):
    return order.lines[0].delivered_at


# --------------------------------------------------------------------------- reference data


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt-BR", "Danificado (BR)"),
        ("pt-PT", "Danificado"),
        ("pt", "Danificado"),
        ("ar", "تالف"),
        ("fr", "Damaged name"),
        ("", "Damaged name"),
        (None, "Damaged name"),
    ],
)
def test_display_name_falls_back_from_region_to_language_to_the_name(language, expected):
    damaged = reason(
        "DAMAGED", translations={"pt-BR": "Danificado (BR)", "pt": "Danificado", "ar": "تالف"}
    )

    assert damaged.display_name(language) == expected


def test_display_name_of_a_region_without_its_own_or_a_base_translation_is_the_name():
    only_brazil = reason("DAMAGED", translations={"pt-BR": "Danificado"})

    assert only_brazil.display_name("pt") == "Damaged name"
    assert only_brazil.display_name("pt-PT") == "Damaged name"


def test_validate_entry_accepts_a_fully_configured_reason_and_scoped_codes():
    full = reason(
        "WRONG_SIZE",
        translations={"en": "Wrong size", "pt-BR": "Tamanho errado", "zh-Hant-TW": "尺寸"},
        require_comments=True,
        require_images=True,
        require_item_condition=True,
        reverse_shipment_create_enabled=False,
        auto_approve=True,
    )
    refund_type = entry(R.REFUND_TYPE, "STORE_CREDIT", allowed_return_reasons=("WRONG_SIZE",))
    comment = entry(R.RETURN_COMMENT, "TOO_SMALL", allowed_return_reasons=("WRONG_SIZE",))

    assert validate_entry(full) is full
    assert validate_entry(refund_type) is refund_type
    assert validate_entry(comment) is comment


@pytest.mark.parametrize(
    "code", ["", " ", "-LEADING", "_LEADING", "has space", "é-accent", "a/b", "X" * 101]
)
def test_validate_entry_refuses_a_badly_formed_code(code):
    with pytest.raises(DomainError) as caught:
        validate_entry(reason(code))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "code")]


def test_validate_entry_accepts_the_longest_code_and_every_allowed_character():
    assert validate_entry(reason("a" * 100)).code == "a" * 100
    assert validate_entry(reason("Ab9_.:-x")).code == "Ab9_.:-x"


@pytest.mark.parametrize("language", ["PT", "pt_BR", "english", "p", "pt-", "pt-B", "1a"])
def test_validate_entry_refuses_a_bad_language_tag(language):
    with pytest.raises(DomainError) as caught:
        validate_entry(reason("DAMAGED", translations={language: "Danificado"}))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "translations")]
    assert repr(language) in caught.value.message


def test_validate_entry_refuses_empty_names_and_too_many_translations():
    with pytest.raises(DomainError) as blank:
        validate_entry(ReferenceEntry(R.RESOLUTION, MERCHANT, "REFUND", "   "))
    with pytest.raises(DomainError) as blank_translation:
        validate_entry(reason("DAMAGED", translations={"pt": " "}))
    languages = [f"{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(51)]
    assert validate_entry(reason("DAMAGED", translations=dict.fromkeys(languages[:50], "t")))
    with pytest.raises(DomainError) as many:
        validate_entry(reason("DAMAGED", translations=dict.fromkeys(languages, "t")))

    assert refused(blank) == [(ErrorCode.INVALID_INPUT, "name")]
    assert refused(blank_translation) == [(ErrorCode.INVALID_INPUT, "translations.pt")]
    assert refused(many) == [(ErrorCode.INVALID_INPUT, "translations")]


@pytest.mark.parametrize("kind", sorted(set(ReferenceKind) - REASON_SCOPED), ids=str)
def test_only_refund_types_and_comments_may_be_limited_to_return_reasons(kind):
    with pytest.raises(DomainError) as caught:
        validate_entry(entry(kind, "CODE", allowed_return_reasons=("DAMAGED",)))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "allowed_return_reasons")]
    assert kind.label in caught.value.message


@pytest.mark.parametrize("kind", sorted(REASON_SCOPED), ids=str)
def test_allowed_return_reasons_must_be_well_formed_codes(kind):
    with pytest.raises(DomainError) as caught:
        validate_entry(entry(kind, "CODE", allowed_return_reasons=("DAMAGED", "not a code")))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "allowed_return_reasons")]


def test_validate_settings_accepts_every_field_at_its_limits():
    full = settings(
        allowed_days_for_return=3650,
        default_dropoff_locations={"AE": "WH-DXB-1", "SA": "BR-RUH-1"},
        allow_undelivered_items=True,
        allow_pickup_location_selection=True,
        notification_users=(NotificationUser("ops@acme.example", "Ops"),),
        order_lookup_methods=("ORDER_NUMBER", "EMAIL"),
        auto_close_days=0,
        shopify_integration_enabled="yes",
        shopify_connector_id="conn-1",
    )

    assert validate_settings(full) is full
    assert validate_settings(settings(allowed_days_for_return=0, auto_close_days=3650))


@pytest.mark.parametrize("name", ["allowed_days_for_return", "auto_close_days"])
@pytest.mark.parametrize("days", [-1, 3651, 100_000])
def test_validate_settings_refuses_days_out_of_range(name, days):
    with pytest.raises(DomainError) as caught:
        validate_settings(settings(**{name: days}))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, name)]


@pytest.mark.parametrize("country", ["ae", "ARE", "A1", "", "U.S."])
def test_validate_settings_refuses_a_default_dropoff_country_that_is_not_iso(country):
    with pytest.raises(DomainError) as caught:
        validate_settings(settings(default_dropoff_locations={country: "WH-DXB-1"}))

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "default_dropoff_locations")]


def test_validate_settings_refuses_bad_locations_lookup_methods_and_emails():
    cases = [
        settings(default_dropoff_locations={"AE": "not a code"}),
        settings(order_lookup_methods=("by email",)),
        settings(notification_users=(NotificationUser("  "),)),
        ReturnSettings(merchant=""),
    ]
    fields = []
    for case in cases:
        with pytest.raises(DomainError) as caught:
            validate_settings(case)
        fields += refused(caught)

    assert fields == [
        (ErrorCode.INVALID_INPUT, "default_dropoff_locations"),
        (ErrorCode.INVALID_INPUT, "order_lookup_methods"),
        (ErrorCode.INVALID_INPUT, "notification_users.email"),
        (ErrorCode.INVALID_INPUT, "merchant"),
    ]


def test_validate_location_and_delivery_option():
    assert validate_location(WAREHOUSE) is WAREHOUSE
    option = DeliveryOption(MERCHANT, "aramex-express", "Aramex express", "aramex")
    assert validate_delivery_option(option) is option

    bad = [
        (lambda: validate_location(PickupLocation(MERCHANT, "WH 1", "x", AE_ADDRESS)), "code"),
        (lambda: validate_location(PickupLocation(MERCHANT, "WH-1", " ", AE_ADDRESS)), "name"),
        (
            lambda: validate_location(
                PickupLocation(MERCHANT, "WH-1", "x", Address(address1="no country"))
            ),
            "address",
        ),
        (
            lambda: validate_location(PickupLocation(MERCHANT, "WH-1", "x", Address(country="AE"))),
            "address",
        ),
        (lambda: validate_delivery_option(DeliveryOption(MERCHANT, "a b", "x")), "id"),
        (lambda: validate_delivery_option(DeliveryOption(MERCHANT, "ok", "")), "name"),
    ]
    for call, field in bad:
        with pytest.raises(DomainError) as caught:
            call()
        assert refused(caught) == [(ErrorCode.INVALID_INPUT, field)]


# --------------------------------------------------------------------------- return window


def test_an_item_is_returnable_up_to_the_last_instant_of_the_window(build_order):
    order = build_order()
    rules = configured(settings=settings(allowed_days_for_return=30))
    closes = delivered_at(order) + timedelta(days=30)

    on_time = {e.line.sku: e for e in explain_lines(order, {}, rules=rules, now=closes)}
    late = {
        e.line.sku: e
        for e in explain_lines(order, {}, rules=rules, now=closes + timedelta(seconds=1))
    }

    assert on_time["SKU-A"].blockers == ()
    assert on_time["SKU-A"].returnable_quantity == 3
    [blocker] = late["SKU-A"].blockers
    assert blocker.code == ErrorCode.RETURN_WINDOW_EXPIRED
    assert "30-day return window closed on 2025-03-22" in blocker.message
    assert late["SKU-A"].returnable_quantity == 0
    assert not late["SKU-A"].returnable


def test_create_on_the_last_instant_succeeds_and_one_second_later_is_expired(build_order, actor):
    order = build_order()
    rules = configured(settings=settings(allowed_days_for_return=30))
    closes = delivered_at(order) + timedelta(days=30)
    items = [ItemRequest("SKU-A", 1), ItemRequest("SKU-B", 2)]

    request = create(order, items, rules, closes, actor, dropoff=WAREHOUSE_DROPOFF)
    with pytest.raises(DomainErrors) as caught:
        create(order, items, rules, closes + timedelta(seconds=1), actor)

    assert request.status == ReturnStatus.PENDING
    assert refused(caught) == [
        (ErrorCode.RETURN_WINDOW_EXPIRED, "items[0].sku"),
        (ErrorCode.RETURN_WINDOW_EXPIRED, "items[1].sku"),
    ]


def test_a_zero_day_window_closes_at_the_moment_of_delivery(build_order):
    order = build_order()
    rules = configured(settings=settings(allowed_days_for_return=0))
    at_delivery = explain_lines(order, {}, rules=rules, now=delivered_at(order))
    just_after = explain_lines(
        order, {}, rules=rules, now=delivered_at(order) + timedelta(microseconds=1)
    )

    assert at_delivery[0].returnable
    assert [b.code for b in just_after[0].blockers] == [ErrorCode.RETURN_WINDOW_EXPIRED]


@pytest.mark.parametrize(
    "merchant_settings", [None, settings(), settings(allowed_days_for_return=None)]
)
def test_without_a_configured_window_delivered_items_stay_returnable(
    build_order, merchant_settings
):
    order = build_order()
    rules = configured(settings=merchant_settings)
    years_later = delivered_at(order) + timedelta(days=3 * 365)

    explained = {e.line.sku: e for e in explain_lines(order, {}, rules=rules, now=years_later)}

    assert explained["SKU-A"].returnable_quantity == 3
    assert explained["SKU-B"].returnable_quantity == 2


def test_the_window_is_judged_per_line_by_its_own_delivery_date(build_order, actor):
    order = build_order()
    order.lines[1] = replace(order.lines[1], delivered_at=delivered_at(order) + timedelta(days=5))
    rules = configured(settings=settings(allowed_days_for_return=10))
    now = delivered_at(order) + timedelta(days=12)

    explained = {e.line.sku: e for e in explain_lines(order, {}, rules=rules, now=now)}

    assert [b.code for b in explained["SKU-A"].blockers] == [ErrorCode.RETURN_WINDOW_EXPIRED]
    assert explained["SKU-B"].returnable_quantity == 2
    request = create(order, [ItemRequest("SKU-B", 2)], rules, now, actor)
    assert request.item_quantities() == (("SKU-B", 2),)


# --------------------------------------------------------------------------- undelivered lines


def test_undelivered_lines_are_not_returnable_unless_the_merchant_allows_them(build_order, now):
    order = build_order()
    strict = {
        e.line.sku: e
        for e in explain_lines(order, {}, rules=configured(settings=settings()), now=now)
    }
    lenient_rules = configured(settings=settings(allow_undelivered_items=True))
    lenient = {e.line.sku: e for e in explain_lines(order, {}, rules=lenient_rules, now=now)}

    assert [b.code for b in strict["SKU-C"].blockers] == [ErrorCode.NOT_RETURNABLE]
    assert strict["SKU-C"].returnable_quantity == 0
    assert lenient["SKU-C"].blockers == ()
    assert lenient["SKU-C"].returnable_quantity == 1


def test_allowing_undelivered_items_makes_the_ordered_quantity_returnable(build_order, now):
    order = build_order({"SKU-P": (5, 2, Decimal("10.00"))})
    strict = configured(settings=settings())
    lenient = configured(settings=settings(allow_undelivered_items=True))

    assert explain_lines(order, {}, rules=strict, now=now)[0].returnable_quantity == 2
    assert explain_lines(order, {}, rules=lenient, now=now)[0].returnable_quantity == 5
    assert explain_lines(order, {"SKU-P": 4}, rules=lenient, now=now)[0].returnable_quantity == 1
    with pytest.raises(DomainErrors) as caught:
        check_item_requests(order, [ItemRequest("SKU-P", 3)], {}, rules=strict, now=now)
    assert refused(caught) == [(ErrorCode.QUANTITY_EXCEEDED, "items[0].quantity")]
    check_item_requests(order, [ItemRequest("SKU-P", 5)], {}, rules=lenient, now=now)


def test_create_accepts_an_undelivered_line_only_when_allowed(build_order, now, actor):
    order = build_order()
    items = [ItemRequest("SKU-C", 1)]

    with pytest.raises(DomainErrors) as caught:
        create(order, items, configured(settings=settings()), now, actor)
    allowed = create(
        order, items, configured(settings=settings(allow_undelivered_items=True)), now, actor
    )

    assert refused(caught) == [(ErrorCode.NOT_RETURNABLE, "items[0].sku")]
    assert allowed.item_quantities() == (("SKU-C", 1),)


# --------------------------------------------------------------------------- reason requirements


@pytest.mark.parametrize(
    ("flag", "field"),
    [
        ("require_comments", "items[0].comment"),
        ("require_images", "items[0].image_urls"),
        ("require_item_condition", "items[0].item_condition"),
    ],
)
def test_a_reason_requirement_that_is_not_met_is_requirement_missing(build_order, now, flag, field):
    rules = configured(reason("DAMAGED", **{flag: True}))

    with pytest.raises(DomainErrors) as caught:
        check_item_requests(
            build_order(),
            [ItemRequest("SKU-A", 1, reason_code="DAMAGED")],
            {},
            rules=rules,
            now=now,
        )

    assert refused(caught) == [(ErrorCode.REQUIREMENT_MISSING, field)]
    assert "reason DAMAGED needs" in caught.value.errors[0].message


def test_every_missing_requirement_is_reported_together(build_order, now):
    rules = configured(
        reason("DAMAGED", require_comments=True, require_images=True, require_item_condition=True)
    )
    items = [ItemRequest("SKU-A", 1, reason_code="DAMAGED"), ItemRequest("SKU-B", 1, "DAMAGED")]

    with pytest.raises(DomainErrors) as caught:
        check_item_requests(build_order(), items, {}, rules=rules, now=now)

    assert refused(caught) == [
        (ErrorCode.REQUIREMENT_MISSING, f"items[{i}].{name}")
        for i in (0, 1)
        for name in ("comment", "image_urls", "item_condition")
    ]


@pytest.mark.parametrize(
    "item",
    [
        ItemRequest(
            "SKU-A",
            1,
            "DAMAGED",
            comment="cracked",
            image_urls=("https://i/1",),
            item_condition="USED",
        ),
        ItemRequest(
            "SKU-A",
            1,
            "DAMAGED",
            comment_codes=("CRACK",),
            image_urls=("https://i/1",),
            item_condition="USED",
        ),
    ],
    ids=["free-text comment", "comment code"],
)
def test_requirements_are_met_by_a_comment_or_comment_code_images_and_condition(
    build_order, now, actor, item
):
    rules = configured(
        reason("DAMAGED", require_comments=True, require_images=True, require_item_condition=True)
    )

    request = create(build_order(), [item], rules, now, actor)

    assert request.items[0].reason_code == "DAMAGED"


def test_a_blank_comment_does_not_meet_a_comment_requirement(build_order, now, actor):
    rules = configured(reason("DAMAGED", require_comments=True))

    with pytest.raises(DomainErrors) as caught:
        create(
            build_order(), [ItemRequest("SKU-A", 1, "DAMAGED", comment="   ")], rules, now, actor
        )

    assert refused(caught) == [(ErrorCode.REQUIREMENT_MISSING, "items[0].comment")]


def test_a_reason_without_requirements_asks_for_nothing(build_order, now, actor):
    rules = configured(reason("CHANGED_MIND"))

    request = create(build_order(), [ItemRequest("SKU-A", 1, "CHANGED_MIND")], rules, now, actor)

    assert request.items[0].comment is None


def test_once_reasons_are_configured_an_unknown_or_missing_reason_is_refused(build_order, now):
    rules = configured(reason("DAMAGED"))
    items = [ItemRequest("SKU-A", 1, reason_code="BORED"), ItemRequest("SKU-B", 1)]

    with pytest.raises(DomainErrors) as caught:
        check_item_requests(build_order(), items, {}, rules=rules, now=now)

    assert refused(caught) == [
        (ErrorCode.UNKNOWN_CODE, "items[0].reason_code"),
        (ErrorCode.REQUIREMENT_MISSING, "items[1].reason_code"),
    ]
    assert "unknown return reason 'BORED' for merchant acme" in caught.value.errors[0].message


def test_before_any_reason_is_configured_reasons_are_free_text(build_order, now, actor):
    rules = configured(entry(R.RESOLUTION, "REFUND"), settings=settings())
    items = [ItemRequest("SKU-A", 1, reason_code="anything goes"), ItemRequest("SKU-B", 1)]

    request = create(build_order(), items, rules, now, actor)

    assert [item.reason_code for item in request.items] == ["anything goes", None]


# --------------------------------------------------------------------------- codes per kind

ITEM_CODE_FIELDS = [
    (R.ITEM_CONDITION, "item_condition", "item_condition"),
    (R.RESOLUTION, "resolution", "resolution"),
    (R.REFUND_TYPE, "refund_type", "refund_type"),
    (R.RETURN_COMMENT, "comment_codes", "comment_codes"),
]


def _item_with(attribute: str, code: str) -> ItemRequest:
    value: object = (code,) if attribute == "comment_codes" else code
    return ItemRequest("SKU-A", 1, reason_code="DAMAGED", **{attribute: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "attribute", "field"), ITEM_CODE_FIELDS, ids=lambda v: str(v))
def test_an_unknown_item_code_of_a_configured_kind_is_unknown_code_naming_it(
    build_order, now, kind, attribute, field
):
    rules = configured(reason("DAMAGED"), entry(kind, "KNOWN"))

    check_item_requests(build_order(), [_item_with(attribute, "KNOWN")], {}, rules=rules, now=now)
    with pytest.raises(DomainErrors) as caught:
        check_item_requests(
            build_order(), [_item_with(attribute, "MYSTERY")], {}, rules=rules, now=now
        )

    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, f"items[0].{field}")]
    assert f"unknown {kind.label} 'MYSTERY' for merchant acme" == caught.value.errors[0].message


@pytest.mark.parametrize(("kind", "attribute", "field"), ITEM_CODE_FIELDS, ids=lambda v: str(v))
def test_an_item_code_of_a_kind_not_yet_configured_is_free_text(
    build_order, now, actor, kind, attribute, field
):
    others = [entry(k, "KNOWN") for k, _, _ in ITEM_CODE_FIELDS if k != kind]
    rules = configured(reason("DAMAGED"), *others, settings=settings())

    request = create(build_order(), [_item_with(attribute, "free text")], rules, now, actor)

    stored = getattr(request.items[0], attribute)
    assert stored == (("free text",) if attribute == "comment_codes" else "free text")


def test_each_comment_code_is_checked(build_order, now):
    rules = configured(reason("DAMAGED"), entry(R.RETURN_COMMENT, "CRACK"))
    item = ItemRequest("SKU-A", 1, "DAMAGED", comment_codes=("CRACK", "DENT", "SCRATCH"))

    with pytest.raises(DomainErrors) as caught:
        check_item_requests(build_order(), [item], {}, rules=rules, now=now)

    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "items[0].comment_codes")] * 2
    assert ["'DENT'" in e.message for e in caught.value.errors] == [True, False]


def test_an_unknown_request_resolution_is_unknown_code(build_order, now, actor):
    rules = configured(entry(R.RESOLUTION, "REFUND"))

    with pytest.raises(DomainErrors) as caught:
        create(build_order(), [ItemRequest("SKU-A", 1)], rules, now, actor, resolution="SWAP")
    request = create(
        build_order(), [ItemRequest("SKU-A", 1)], rules, now, actor, resolution="REFUND"
    )

    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "resolution")]
    assert "'SWAP'" in caught.value.message
    assert request.details.resolution == "REFUND"


@pytest.mark.parametrize(
    ("kind", "attribute", "field"),
    [
        (R.REFUND_TYPE, "refund_type", "refund_type"),
        (R.RETURN_COMMENT, "comment_codes", "comment_codes"),
    ],
    ids=["refund type", "comment"],
)
def test_refund_types_and_comments_are_accepted_only_for_the_reasons_they_allow(
    build_order, now, kind, attribute, field
):
    rules = configured(
        reason("DAMAGED"),
        reason("WRONG_SIZE"),
        entry(kind, "SCOPED", allowed_return_reasons=("WRONG_SIZE",)),
        entry(kind, "ANY"),
    )

    def check(reason_code: str, code: str) -> None:
        value: object = (code,) if attribute == "comment_codes" else code
        item = ItemRequest("SKU-A", 1, reason_code=reason_code, **{attribute: value})  # type: ignore[arg-type]
        check_item_requests(build_order(), [item], {}, rules=rules, now=now)

    check("WRONG_SIZE", "SCOPED")
    check("DAMAGED", "ANY")
    check("WRONG_SIZE", "ANY")
    with pytest.raises(DomainErrors) as caught:
        check("DAMAGED", "SCOPED")

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, f"items[0].{field}")]
    assert "not allowed for return reason DAMAGED" in caught.value.message


def test_a_scoped_code_on_an_item_without_reason_is_refused(build_order, now):
    rules = configured(entry(R.REFUND_TYPE, "STORE_CREDIT", allowed_return_reasons=("DAMAGED",)))
    item = ItemRequest("SKU-A", 1, refund_type="STORE_CREDIT")

    with pytest.raises(DomainErrors) as caught:
        check_item_requests(build_order(), [item], {}, rules=rules, now=now)

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "items[0].refund_type")]
    assert "(none)" in caught.value.message


def test_every_violation_of_a_request_is_reported_at_once(build_order, actor):
    order = build_order()
    now = delivered_at(order) + timedelta(days=31)
    rules = configured(
        reason("DAMAGED", require_images=True),
        entry(R.ITEM_CONDITION, "NEW"),
        entry(R.RESOLUTION, "REFUND"),
        entry(R.REFUND_TYPE, "CASH", allowed_return_reasons=("DAMAGED",)),
        settings=settings(allowed_days_for_return=30, allow_undelivered_items=True),
        locations=(WAREHOUSE,),
    )
    items = [
        ItemRequest("SKU-A", 1, reason_code="DAMAGED", item_condition="BROKEN"),
        ItemRequest("SKU-C", 1, reason_code="UNKNOWN", refund_type="CASH"),
    ]

    with pytest.raises(DomainErrors) as caught:
        create(
            order,
            items,
            rules,
            now,
            actor,
            pickup=Address(partner_location_id="WH-DXB-1"),
            dropoff=Address(partner_location_id="NOWHERE"),
            resolution="SWAP",
        )

    assert refused(caught) == [
        (ErrorCode.INVALID_INPUT, "pickup.partner_location_id"),
        (ErrorCode.UNKNOWN_CODE, "dropoff.partner_location_id"),
        (ErrorCode.UNKNOWN_CODE, "resolution"),
        (ErrorCode.RETURN_WINDOW_EXPIRED, "items[0].sku"),
        (ErrorCode.REQUIREMENT_MISSING, "items[0].image_urls"),
        (ErrorCode.UNKNOWN_CODE, "items[0].item_condition"),
        (ErrorCode.UNKNOWN_CODE, "items[1].reason_code"),
        (ErrorCode.INVALID_INPUT, "items[1].refund_type"),
    ]


# --------------------------------------------------------------------------- places


def test_choosing_a_pickup_location_needs_settings_that_allow_it(build_order, now, actor):
    pickup = Address(partner_location_id="BR-RUH-1")
    forbidding = configured(settings=settings(), locations=(WAREHOUSE, BRANCH))
    allowing = configured(
        settings=settings(allow_pickup_location_selection=True), locations=(WAREHOUSE, BRANCH)
    )

    with pytest.raises(DomainErrors) as caught:
        create(build_order(), [ItemRequest("SKU-A", 1)], forbidding, now, actor, pickup=pickup)
    request = create(build_order(), [ItemRequest("SKU-A", 1)], allowing, now, actor, pickup=pickup)

    assert refused(caught) == [(ErrorCode.INVALID_INPUT, "pickup.partner_location_id")]
    assert "does not allow choosing a pickup location" in caught.value.message
    assert request.details.pickup == pickup
    # A pickup given as an address is always fine.
    create(build_order(), [ItemRequest("SKU-A", 1)], forbidding, now, actor, pickup=AE_ADDRESS)


def test_pickup_and_dropoff_location_codes_are_enforced_once_locations_exist(
    build_order, now, actor
):
    merchant_settings = settings(allow_pickup_location_selection=True)
    with_locations = configured(settings=merchant_settings, locations=(WAREHOUSE,))
    without_locations = configured(settings=merchant_settings)
    somewhere = Address(partner_location_id="ANY-CODE")

    with pytest.raises(DomainErrors) as caught:
        create(
            build_order(),
            [ItemRequest("SKU-A", 1)],
            with_locations,
            now,
            actor,
            pickup=somewhere,
            dropoff=somewhere,
        )
    free = create(
        build_order(),
        [ItemRequest("SKU-A", 1)],
        without_locations,
        now,
        actor,
        pickup=somewhere,
        dropoff=somewhere,
    )

    assert refused(caught) == [
        (ErrorCode.UNKNOWN_CODE, "pickup.partner_location_id"),
        (ErrorCode.UNKNOWN_CODE, "dropoff.partner_location_id"),
    ]
    assert "unknown pickup location 'ANY-CODE' for merchant acme" in caught.value.message
    assert (free.details.pickup, free.details.dropoff) == (somewhere, somewhere)


def test_a_dropoff_location_does_not_need_pickup_selection_to_be_allowed(build_order, now, actor):
    rules = configured(settings=settings(), locations=(WAREHOUSE,))

    request = create(
        build_order(), [ItemRequest("SKU-A", 1)], rules, now, actor, dropoff=WAREHOUSE_DROPOFF
    )

    assert request.details.dropoff == WAREHOUSE_DROPOFF


def test_update_checks_pickup_and_items_against_the_rules_and_changes_nothing_when_refused(
    build_request, build_order, now, later, actor
):
    rules = configured(
        reason("DAMAGED"),
        settings=settings(allow_pickup_location_selection=False),
        locations=(WAREHOUSE,),
    )
    request = build_request(rules=rules)

    with pytest.raises(DomainErrors) as caught:
        request.update(
            at=later,
            actor=actor,
            rules=rules,
            changes={"pickup": Address(partner_location_id="WH-DXB-1")},
            items=[ItemRequest("SKU-A", 1, reason_code="BORED")],
            order=build_order(),
            already_requested={},
        )

    assert refused(caught) == [
        (ErrorCode.INVALID_INPUT, "pickup.partner_location_id"),
        (ErrorCode.UNKNOWN_CODE, "items[0].reason_code"),
    ]
    assert request.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))
    assert request.details.pickup.partner_location_id is None
    assert request.pull_events() == []


# --------------------------------------------------------------------------- default dropoff

DEFAULTS = settings(default_dropoff_locations={"AE": "WH-DXB-1", "SA": "BR-RUH-1"})


@pytest.mark.parametrize(
    ("pickup", "expected"),
    [
        (AE_ADDRESS, "WH-DXB-1"),
        (SA_ADDRESS, "BR-RUH-1"),
        (Address(address1="x", country="KW"), None),
    ],
    ids=["AE", "SA", "no default for KW"],
)
def test_create_defaults_the_dropoff_from_the_pickup_country(
    build_order, now, actor, pickup, expected
):
    rules = configured(settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))

    request = create(build_order(), [ItemRequest("SKU-A", 1)], rules, now, actor, pickup=pickup)

    assert request.details.dropoff == (Address(partner_location_id=expected) if expected else None)


def test_an_explicit_dropoff_wins_over_the_default(build_order, now, actor):
    rules = configured(settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))
    chosen = Address(partner_location_id="BR-RUH-1")

    request = create(
        build_order(),
        [ItemRequest("SKU-A", 1)],
        rules,
        now,
        actor,
        pickup=AE_ADDRESS,
        dropoff=chosen,
    )

    assert request.details.dropoff == chosen


def test_approve_defaults_a_missing_dropoff_from_the_pickup_known_by_then(
    build_order, now, later, actor
):
    rules = configured(settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))
    request = create(build_order(), [ItemRequest("SKU-A", 1)], rules, now, actor, pickup=None)
    assert request.details.dropoff is None
    request.update(at=now, actor=actor, rules=rules, changes={"pickup": SA_ADDRESS})

    request.approve(at=later, actor=actor, rules=rules)

    assert request.status == ReturnStatus.APPROVED
    assert request.details.dropoff == Address(partner_location_id="BR-RUH-1")
    assert request.open_shipment is not None
    assert request.open_shipment.dropoff == Address(partner_location_id="BR-RUH-1")


def test_approve_without_any_dropoff_or_default_is_missing_dropoff(build_request, later, actor):
    rules = configured(settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))
    request = build_request(rules=rules, pickup=Address(address1="x", country="KW"), dropoff=None)

    with pytest.raises(DomainError) as caught:
        request.approve(at=later, actor=actor, rules=rules)

    assert caught.value.code == ErrorCode.MISSING_DROPOFF
    assert request.status == ReturnStatus.PENDING


def test_a_pickup_location_defaults_the_dropoff_by_the_location_country(build_order, now, actor):
    rules = configured(
        settings=settings(
            allow_pickup_location_selection=True,
            default_dropoff_locations={"AE": "WH-DXB-1", "SA": "BR-RUH-1"},
        ),
        locations=(WAREHOUSE, BRANCH),
    )

    request = create(
        build_order(),
        [ItemRequest("SKU-A", 1)],
        rules,
        now,
        actor,
        pickup=Address(partner_location_id="BR-RUH-1"),
    )

    assert request.details.dropoff == Address(partner_location_id="BR-RUH-1")


# --------------------------------------------------------------------------- auto-approve

AUTO = reason("DAMAGED", auto_approve=True)
AUTO_NO_SHIPMENT = reason("SMALL", auto_approve=True, reverse_shipment_create_enabled=False)
MANUAL = reason("CHANGED_MIND")


def test_a_request_whose_every_reason_auto_approves_is_approved_on_creation(
    build_order, now, actor
):
    rules = configured(AUTO, settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))
    items = [ItemRequest("SKU-A", 2, "DAMAGED"), ItemRequest("SKU-B", 1, "DAMAGED")]

    request = create(build_order(), items, rules, now, actor, pickup=AE_ADDRESS)

    assert request.status == ReturnStatus.APPROVED
    assert request.approved_at == now
    assert [(i.approved_quantity, i.rejected_quantity) for i in request.items] == [(2, 0), (1, 0)]
    assert request.details.dropoff == WAREHOUSE_DROPOFF
    events = request.pull_events()
    assert [type(e) for e in events] == [
        ev.ReturnRequested,
        ev.ReturnStatusChanged,
        ev.ReverseShipmentCreated,
    ]
    requested, approved, shipped = events
    assert requested.actor == actor
    assert approved.status_change == ("PENDING", "APPROVED")
    assert approved.action == "APPROVE"
    assert approved.actor.source == "SYSTEM"
    assert shipped.actor.source == "SYSTEM"
    assert request.creation_source == actor
    assert request.update_source.source == "SYSTEM"
    assert request.open_shipment is not None
    assert request.open_shipment.items == [("SKU-A", 2), ("SKU-B", 1)]


def test_auto_approval_opens_no_shipment_when_the_reason_disables_it(build_order, now, actor):
    rules = configured(AUTO_NO_SHIPMENT, locations=(WAREHOUSE,))

    request = create(
        build_order(),
        [ItemRequest("SKU-A", 1, "SMALL")],
        rules,
        now,
        actor,
        pickup=AE_ADDRESS,
        dropoff=WAREHOUSE_DROPOFF,
    )

    assert request.status == ReturnStatus.APPROVED
    assert request.shipments == []
    assert [type(e) for e in request.pull_events()] == [ev.ReturnRequested, ev.ReturnStatusChanged]


@pytest.mark.parametrize(
    ("items", "pickup", "dropoff"),
    [
        (
            [ItemRequest("SKU-A", 1, "DAMAGED"), ItemRequest("SKU-B", 1, "CHANGED_MIND")],
            AE_ADDRESS,
            WAREHOUSE_DROPOFF,
        ),
        ([ItemRequest("SKU-A", 1, "DAMAGED")], None, WAREHOUSE_DROPOFF),
        ([ItemRequest("SKU-A", 1, "DAMAGED")], Address(address1="x", country="KW"), None),
        (
            [ItemRequest("SKU-A", 1, "DAMAGED")],
            Address(contact_name="no address"),
            WAREHOUSE_DROPOFF,
        ),
    ],
    ids=["one reason is manual", "no pickup", "no dropoff or default", "unusable pickup"],
)
def test_auto_approval_needs_every_reason_and_a_known_pickup_and_dropoff(
    build_order, now, actor, items, pickup, dropoff
):
    rules = configured(AUTO, MANUAL, settings=DEFAULTS, locations=(WAREHOUSE, BRANCH))

    request = create(build_order(), items, rules, now, actor, pickup=pickup, dropoff=dropoff)

    assert request.status == ReturnStatus.PENDING
    assert [type(e) for e in request.pull_events()] == [ev.ReturnRequested]


def test_free_text_reasons_never_auto_approve(build_order, now, actor):
    rules = configured(entry(R.RESOLUTION, "REFUND"))

    request = create(
        build_order(),
        [ItemRequest("SKU-A", 1, "DAMAGED"), ItemRequest("SKU-B", 1)],
        rules,
        now,
        actor,
        pickup=AE_ADDRESS,
        dropoff=WAREHOUSE_DROPOFF,
    )

    assert request.status == ReturnStatus.PENDING


# --------------------------------------------------------------------------- approve: shipments


@pytest.mark.parametrize(
    ("reasons", "quantities", "opens"),
    [
        (("SHIP", "SHIP"), None, True),
        (("SHIP", "KEEP"), None, True),
        (("KEEP", "KEEP"), None, False),
        (("SHIP", "KEEP"), {"SKU-A": 0, "SKU-B": 1}, False),
        (("SHIP", "KEEP"), {"SKU-A": 2, "SKU-B": 0}, True),
    ],
    ids=["all ship", "one ships", "none ships", "shipping item rejected", "keeping item rejected"],
)
def test_approve_opens_a_shipment_only_when_an_approved_item_reason_asks_for_one(
    build_request, later, actor, reasons, quantities, opens
):
    rules = configured(
        reason("SHIP"),
        reason("KEEP", reverse_shipment_create_enabled=False),
        entry(R.REJECTION_REASON, "POLICY"),
    )
    request = build_request(
        [ItemRequest("SKU-A", 2, reasons[0]), ItemRequest("SKU-B", 1, reasons[1])], rules=rules
    )

    request.approve(
        at=later,
        actor=actor,
        rules=rules,
        quantities=quantities,
        rejection_reason="POLICY" if quantities else None,
    )

    assert request.status == ReturnStatus.APPROVED
    assert (request.open_shipment is not None) is opens
    created = [e for e in request.pull_events() if isinstance(e, ev.ReverseShipmentCreated)]
    assert len(created) == (1 if opens else 0)


@pytest.mark.parametrize("reason_code", ["free text", None])
def test_approve_ships_items_with_free_text_or_no_reason(build_request, later, actor, reason_code):
    rules = configured(entry(R.RESOLUTION, "REFUND"))
    request = build_request([ItemRequest("SKU-A", 1, reason_code)], rules=rules)

    request.approve(at=later, actor=actor, rules=rules)

    assert request.open_shipment is not None
    assert request.open_shipment.status == ShipmentStatus.CREATED


# --------------------------------------------------------------------------- reject, approve part


def test_configured_rejection_reasons_must_be_used_when_rejecting(build_request, later, actor):
    rules = configured(entry(R.REJECTION_REASON, "OUT_OF_POLICY"))
    request = build_request(rules=rules)

    with pytest.raises(DomainError) as caught:
        request.reject(at=later, actor=actor, reason="too late", rules=rules)
    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "rejection_reason")]
    assert "'too late'" in caught.value.message
    assert request.status == ReturnStatus.PENDING
    assert request.pull_events() == []

    request.reject(at=later, actor=actor, reason="OUT_OF_POLICY", rules=rules)
    assert request.status == ReturnStatus.REJECTED
    assert request.rejection_reason == "OUT_OF_POLICY"


def test_without_rejection_reasons_configured_a_rejection_is_free_text(build_request, later, actor):
    rules = configured(reason("DAMAGED"), entry(R.RESOLUTION, "REFUND"))
    request = build_request(rules=rules)

    request.reject(at=later, actor=actor, reason="customer abused the policy", rules=rules)

    assert request.rejection_reason == "customer abused the policy"


def test_a_partial_approval_checks_its_rejection_reason_code(build_request, later, actor):
    rules = configured(entry(R.REJECTION_REASON, "WORN"))
    request = build_request(rules=rules)

    with pytest.raises(DomainError) as caught:
        request.approve(
            at=later,
            actor=actor,
            rules=rules,
            quantities={"SKU-A": 1, "SKU-B": 1},
            rejection_reason="used",
        )
    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "rejection_reason")]
    assert request.status == ReturnStatus.PENDING

    request.approve(
        at=later,
        actor=actor,
        rules=rules,
        quantities={"SKU-A": 1, "SKU-B": 1},
        rejection_reason="WORN",
    )
    assert [(i.sku, i.approved_quantity, i.rejection_reason) for i in request.items] == [
        ("SKU-A", 1, "WORN"),
        ("SKU-B", 1, None),
    ]


def test_a_refused_approve_leaves_the_request_as_it_was(build_order, now, later, actor):
    rules = configured(
        entry(R.REJECTION_REASON, "WORN"), settings=DEFAULTS, locations=(WAREHOUSE, BRANCH)
    )
    items = [ItemRequest("SKU-A", 2), ItemRequest("SKU-B", 1)]
    request = create(build_order(), items, rules, now, actor, pickup=None)
    request.update(at=now, actor=actor, rules=rules, changes={"pickup": AE_ADDRESS})
    assert (request.details.pickup, request.details.dropoff) == (AE_ADDRESS, None)

    with pytest.raises(DomainError):
        request.approve(
            at=later, actor=actor, rules=rules, quantities={"SKU-A": 1}, rejection_reason="bad"
        )

    assert request.status == ReturnStatus.PENDING
    assert request.details.dropoff is None


# --------------------------------------------------------------------------- receive, split


def test_receive_checks_item_condition_codes_once_configured(build_request_in, later, actor):
    rules = configured(entry(R.ITEM_CONDITION, "AS_NEW"), entry(R.ITEM_CONDITION, "DAMAGED"))
    request = build_request_in(ReturnStatus.APPROVED)

    with pytest.raises(DomainError) as caught:
        request.receive(
            at=later,
            actor=actor,
            quantities={"SKU-A": 2, "SKU-B": 1},
            conditions={"SKU-A": "AS_NEW", "SKU-B": "SHREDDED"},
            rules=rules,
        )
    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "items.item_condition")]
    assert "'SHREDDED'" in caught.value.message
    assert [i.received_quantity for i in request.items] == [0, 0]
    assert [i.item_condition for i in request.items] == [None, None]

    request.receive(
        at=later,
        actor=actor,
        quantities={"SKU-A": 2, "SKU-B": 1},
        conditions={"SKU-A": "AS_NEW", "SKU-B": "DAMAGED"},
        rules=rules,
    )
    assert request.status == ReturnStatus.RECEIVED
    assert [i.item_condition for i in request.items] == ["AS_NEW", "DAMAGED"]


def test_receive_accepts_any_condition_before_conditions_are_configured(
    build_request_in, later, actor
):
    rules = configured(reason("DAMAGED"))
    request = build_request_in(ReturnStatus.APPROVED)

    request.receive(
        at=later,
        actor=actor,
        quantities={"SKU-A": 1},
        conditions={"SKU-A": "a bit worn"},
        rules=rules,
    )

    assert request.status == ReturnStatus.PARTIALLY_RECEIVED
    assert request.items[0].item_condition == "a bit worn"


def test_split_to_a_pickup_location_checks_the_code_once_locations_exist(
    build_request, later, actor
):
    rules = configured(settings=settings(), locations=(WAREHOUSE, BRANCH))
    request = build_request()

    with pytest.raises(DomainError) as caught:
        request.split(
            at=later, actor=actor, quantities={"SKU-A": 1}, pickup_location_id="NOPE", rules=rules
        )
    assert refused(caught) == [(ErrorCode.UNKNOWN_CODE, "partner_location_id")]
    assert request.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))

    new = request.split(
        at=later, actor=actor, quantities={"SKU-A": 1}, pickup_location_id="BR-RUH-1", rules=rules
    )
    assert new.details.pickup == Address(partner_location_id="BR-RUH-1")
    free = request.split(
        at=later,
        actor=actor,
        quantities={"SKU-B": 1},
        pickup_location_id="ANYWHERE",
        rules=configured(),
    )
    assert free.details.pickup == Address(partner_location_id="ANYWHERE")


# --------------------------------------------------------------------------- refunds


def _approved_with_reasons(build_request, rules, actor, later):
    request = build_request(
        [ItemRequest("SKU-A", 2, "DAMAGED"), ItemRequest("SKU-B", 1, "WRONG_SIZE")], rules=rules
    )
    request.approve(at=later, actor=actor, rules=rules)
    request.pull_events()
    return request


def test_add_refund_checks_the_refund_type_code_and_its_reasons(build_request, later, actor):
    rules = configured(
        reason("DAMAGED"),
        reason("WRONG_SIZE"),
        reason("LATE"),
        entry(R.REFUND_TYPE, "CASH", allowed_return_reasons=("DAMAGED",)),
        entry(R.REFUND_TYPE, "VOUCHER", allowed_return_reasons=("LATE",)),
        entry(R.REFUND_TYPE, "CARD"),
    )
    request = _approved_with_reasons(build_request, rules, actor, later)

    def refund(refund_type: str | None):
        return request.add_refund(
            amount=Decimal("10"),
            currency="AED",
            at=later,
            actor=actor,
            refund_type=refund_type,
            rules=rules,
        )

    with pytest.raises(DomainError) as unknown:
        refund("BITCOIN")
    with pytest.raises(DomainError) as not_allowed:
        refund("VOUCHER")
    assert refused(unknown) == [(ErrorCode.UNKNOWN_CODE, "refund_type")]
    assert "'BITCOIN'" in unknown.value.message
    assert refused(not_allowed) == [(ErrorCode.INVALID_INPUT, "refund_type")]
    assert request.refunds == []

    refund("CASH")  # allowed for DAMAGED, the reason of one item
    refund("CARD")  # allowed for every reason
    refund(None)
    assert [r.refund_type for r in request.refunds] == ["CASH", "CARD", None]


def test_add_refund_accepts_any_refund_type_before_refund_types_are_configured(
    build_request, later, actor
):
    rules = configured(reason("DAMAGED"), reason("WRONG_SIZE"))
    request = _approved_with_reasons(build_request, rules, actor, later)

    refund = request.add_refund(
        amount=Decimal("5"),
        currency="AED",
        at=later,
        actor=actor,
        refund_type="gift card",
        rules=rules,
    )

    assert refund.refund_type == "gift card"


# --------------------------------------------------------------------------- auto-close


@pytest.mark.parametrize(
    "status",
    [ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED],
    ids=str,
)
def test_auto_close_completes_an_auto_approved_request_idle_for_exactly_the_days(
    build_order, now, actor, status
):
    merchant_settings = settings(auto_close_days=14, default_dropoff_locations={"AE": "WH-DXB-1"})
    rules = configured(AUTO, settings=merchant_settings, locations=(WAREHOUSE,))
    request = create(
        build_order(), [ItemRequest("SKU-A", 2, "DAMAGED")], rules, now, actor, pickup=AE_ADDRESS
    )
    if status != ReturnStatus.APPROVED:
        received = 1 if status == ReturnStatus.PARTIALLY_RECEIVED else 2
        request.receive(at=now, actor=actor, quantities={"SKU-A": received}, rules=rules)
    assert request.status == status
    request.pull_events()
    idle_days = rules.settings.auto_close_days

    with pytest.raises(DomainError) as early:
        request.auto_close(
            at=now + timedelta(days=idle_days, seconds=-1), actor=actor, idle_days=idle_days
        )
    assert early.value.code == ErrorCode.INVALID_INPUT
    assert request.status == status

    request.auto_close(at=now + timedelta(days=idle_days), actor=actor, idle_days=idle_days)
    assert request.status == ReturnStatus.COMPLETED
    assert request.auto_closed
    [changed] = [e for e in request.pull_events() if isinstance(e, ev.ReturnStatusChanged)]
    assert changed.status_change == (status.value, "COMPLETED")
    assert changed.reason == "auto-closed: no progress for 14 days"


@pytest.mark.parametrize(
    "status", [ReturnStatus.PENDING, ReturnStatus.ON_HOLD, ReturnStatus.REJECTED], ids=str
)
def test_auto_close_never_closes_an_undecided_or_rejected_request(
    build_request_in, now, actor, status
):
    request = build_request_in(status)

    with pytest.raises(InvalidTransition):
        request.auto_close(at=now + timedelta(days=400), actor=actor, idle_days=1)

    assert request.status == status
