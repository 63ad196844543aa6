"""`returns-api seed-demo`: one merchant with realistic reasons, settings, locations and
delivered orders, so a newcomer can try the API at once. Safe to run again: it updates what
exists. Times are relative to now, so the return window always has something in and out.

It goes into the `dev` tenant by default, the one whose key `make run` prints, since data no
key can read is no demo at all; orders carry a delivery address and phone, so pickups, OTO's
createReturnShipment and the return SMS work on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from domain import commands as c
from domain import configuration_services as config
from domain import services
from domain.access import new_tenant
from domain.errors import DomainError, ErrorCode
from domain.orders import Customer
from domain.ports import Clock
from domain.reference import (
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from domain.values import Actor, Address
from ops.dev_credentials import DEV_TENANT
from persistence.access import AccessStore
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork, UnitsOfWork

MERCHANT = "demo-store"
K = ReferenceKind
SEEDER = Actor(source="SYSTEM", user="seed-demo")


def _code(
    kind: ReferenceKind, code: str, name: str, ar: str, fr: str, **extra: object
) -> ReferenceEntry:
    return ReferenceEntry(
        kind=kind,
        merchant=MERCHANT,
        code=code,
        name=name,
        translations={"ar": ar, "fr": fr},
        **extra,
    )  # type: ignore[arg-type]


CODES = [
    _code(
        K.RETURN_REASON,
        "DAMAGED",
        "Arrived damaged",
        "وصل تالفًا",
        "Arrivé endommagé",
        require_images=True,
        require_item_condition=True,
    ),
    _code(
        K.RETURN_REASON,
        "WRONG_SIZE",
        "Wrong size",
        "مقاس خاطئ",
        "Mauvaise taille",
        auto_approve=True,
    ),
    _code(
        K.RETURN_REASON,
        "NOT_AS_DESCRIBED",
        "Not as described online",
        "ليس كما هو موصوف",
        "Non conforme à la description",
        require_comments=True,
    ),
    _code(K.RETURN_REASON, "CHANGED_MIND", "Changed my mind", "غيرت رأيي", "J'ai changé d'avis"),
    _code(
        K.RETURN_REASON,
        "DIGITAL_CODE",
        "Gift card code not working",
        "رمز البطاقة لا يعمل",
        "Code de carte cadeau invalide",
        reverse_shipment_create_enabled=False,
    ),
    _code(
        K.REJECTION_REASON,
        "OUTSIDE_WINDOW",
        "Outside the return window",
        "خارج فترة الإرجاع",
        "Hors délai de retour",
    ),
    _code(
        K.REJECTION_REASON,
        "USED_ITEM",
        "Item shows signs of use",
        "المنتج مستخدم",
        "Article utilisé",
    ),
    _code(K.RESOLUTION, "REFUND", "Refund", "استرداد", "Remboursement"),
    _code(K.RESOLUTION, "EXCHANGE", "Exchange", "استبدال", "Échange"),
    _code(K.RESOLUTION, "STORE_CREDIT", "Store credit", "رصيد المتجر", "Avoir"),
    _code(
        K.ITEM_CONDITION,
        "NEW_WITH_TAGS",
        "New with tags",
        "جديد مع الملصقات",
        "Neuf avec étiquettes",
    ),
    _code(K.ITEM_CONDITION, "USED", "Used", "مستعمل", "Utilisé"),
    _code(K.ITEM_CONDITION, "DAMAGED", "Damaged", "تالف", "Endommagé"),
    _code(
        K.REFUND_TYPE,
        "ORIGINAL_PAYMENT",
        "Original payment method",
        "طريقة الدفع الأصلية",
        "Moyen de paiement d'origine",
    ),
    _code(
        K.REFUND_TYPE,
        "STORE_CREDIT",
        "Store credit",
        "رصيد المتجر",
        "Avoir",
        allowed_return_reasons=("CHANGED_MIND", "WRONG_SIZE"),
    ),
    _code(
        K.RETURN_COMMENT,
        "TOO_SMALL",
        "Too small",
        "صغير جدًا",
        "Trop petit",
        allowed_return_reasons=("WRONG_SIZE",),
    ),
    _code(
        K.RETURN_COMMENT,
        "TOO_LARGE",
        "Too large",
        "كبير جدًا",
        "Trop grand",
        allowed_return_reasons=("WRONG_SIZE",),
    ),
    _code(K.RETURN_COMMENT, "LATE", "Arrived too late", "وصل متأخرًا", "Arrivé trop tard"),
]

LOCATIONS = [
    PickupLocation(
        MERCHANT,
        "WH-DXB",
        "Dubai warehouse",
        Address(
            contact_name="Returns desk",
            contact_phone="+97140000000",
            address1="Al Quoz 3",
            city="Dubai",
            country="AE",
        ),
    ),
    PickupLocation(
        MERCHANT,
        "WH-RUH",
        "Riyadh warehouse",
        Address(
            contact_name="Returns desk",
            contact_phone="+966110000000",
            address1="Al Sulay",
            city="Riyadh",
            country="SA",
        ),
    ),
]

OPTIONS = [
    DeliveryOption(MERCHANT, "156", "Aramex reverse pickup", "aramex"),
    DeliveryOption(MERCHANT, "201", "SMSA branch drop-off", "smsa"),
]

SETTINGS = ReturnSettings(
    merchant=MERCHANT,
    allowed_days_for_return=30,
    default_dropoff_locations={"AE": "WH-DXB", "SA": "WH-RUH"},
    allow_pickup_location_selection=True,
    auto_close_days=60,
    notification_users=(NotificationUser("returns@demo-store.example", "Returns team"),),
    order_lookup_methods=("EMAIL", "PHONE"),
)


@dataclass(frozen=True)
class DemoSummary:
    codes: int
    locations: int
    options: int
    orders: list[str]


async def seed_demo(units: UnitsOfWork, *, tenant_id: str = DEV_TENANT) -> DemoSummary:
    clock = units.clock
    await _ensure_tenant(units.db, clock, tenant_id)

    def uow() -> SqlUnitOfWork:
        return units(tenant_id)

    for entry in CODES:
        await _create_or_update(
            lambda e=entry: config.create_reference(e, uow=uow()),
            lambda e=entry: config.update_reference(e, uow=uow()),
        )
    for location in LOCATIONS:
        await _create_or_update(
            lambda loc=location: config.save_location(loc, uow=uow(), new=True),
            lambda loc=location: config.save_location(loc, uow=uow(), new=False),
        )
    for option in OPTIONS:
        await _create_or_update(
            lambda o=option: config.save_delivery_option(o, uow=uow(), new=True),
            lambda o=option: config.save_delivery_option(o, uow=uow(), new=False),
        )
    await config.upsert_settings(SETTINGS, uow=uow())
    orders = [
        await services.upsert_order(order, uow=uow(), clock=clock) for order in _orders(clock)
    ]
    return DemoSummary(
        len(CODES), len(LOCATIONS), len(OPTIONS), [order.reference for order in orders]
    )


async def _ensure_tenant(db: Database, clock: Clock, tenant_id: str) -> None:
    store = AccessStore(db)
    if await store.tenant(tenant_id) is None:
        name = "Local development" if tenant_id == DEV_TENANT else tenant_id
        await store.create_tenant(new_tenant(tenant_id, name, clock.now()))


async def _create_or_update(create, update) -> None:  # type: ignore[no-untyped-def]
    try:
        await create()
    except DomainError as error:
        if error.code != ErrorCode.ALREADY_EXISTS:
            raise
        await update()


def _orders(clock: Clock) -> list[c.UpsertOrder]:
    now = clock.now()

    def order(
        reference: str,
        customer: Customer,
        days_ago: int | None,
        lines: list[tuple[str, str, int, str]],
    ) -> c.UpsertOrder:
        delivered = now - timedelta(days=days_ago) if days_ago is not None else None
        return c.UpsertOrder(
            actor=SEEDER,
            merchant=MERCHANT,
            reference=reference,
            currency="AED",
            customer=customer,
            delivery_address=Address(
                contact_name=customer.name,
                contact_phone=customer.phone,
                address1="12 Palm Street",
                city="Dubai",
                country="AE",
            ),
            lines=[
                c.OrderLineSpec(sku, description, qty, Decimal(price), None, delivered)
                for sku, description, qty, price in lines
            ],
        )

    return [
        order(
            "DEMO-1001",
            Customer("Layla Haddad", "layla@example.com", "+971501111111"),
            3,
            [
                ("TSHIRT-M-BLUE", "T-shirt, blue, M", 2, "79.00"),
                ("SNEAKER-42", "Running sneakers, 42", 1, "349.00"),
            ],
        ),
        order(
            "DEMO-1002",
            Customer("Omar Farouk", "omar@example.com", "+971502222222"),
            12,
            [
                ("DRESS-S-RED", "Evening dress, red, S", 1, "520.00"),
                ("BELT-L", "Leather belt, L", 1, "120.00"),
                ("GIFT-100", "Gift card 100 AED", 1, "100.00"),
            ],
        ),
        order(
            "DEMO-1003",
            Customer("Sara Ali", "sara@example.com", "+971503333333"),
            45,
            [("JEANS-32", "Slim jeans, 32", 1, "210.00")],
        ),
        order(
            "DEMO-1004",
            Customer("Yusuf Khan", "yusuf@example.com", "+971504444444"),
            None,
            [("JACKET-M", "Rain jacket, M", 1, "450.00")],
        ),
    ]
