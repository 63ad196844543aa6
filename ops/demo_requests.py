"""The return requests `returns-api seed-demo` loads beside the demo merchant, so a newcomer's
desk, GraphiQL and the REST faces have something to show in every state: one waiting with a
photo, one approved in part, one received, one refunded and completed, one rejected.

Each is made the way the API makes it, through the domain's use cases, on an order of its
own, at times a few days apart. An order that already has a request is left alone, so
running the seed again adds nothing (and stores no second photo). The photo is a small PNG
drawn here, kept in the portal's photo store and linked as the portal links its uploads."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from core.photos import Photos
from domain import commands as c
from domain import services
from domain.orders import Customer
from domain.parts import ItemRequest
from domain.photos import ImageKind, PhotoStore
from domain.ports import Clock
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Address
from ops.demo import MERCHANT, SEEDER
from ops.dev_credentials import DEV_TENANT
from persistence.unit_of_work import UnitsOfWork

Step = Callable[[ReturnRequest, Clock], Awaitable[ReturnRequest]]


@dataclass(frozen=True)
class _Ago:
    """A clock set back: the story's steps happened days ago, not all at this second."""

    clock: Clock
    days: float

    def now(self) -> datetime:
        return self.clock.now() - timedelta(days=self.days)


@dataclass(frozen=True)
class Story:
    """One demo request: its order, what the customer asked, and what the merchant did."""

    reference: str
    customer: Customer
    delivered_days_ago: int
    lines: tuple[tuple[str, str, int, str], ...]
    asked_days_ago: float
    items: tuple[ItemRequest, ...]
    steps: tuple[tuple[float, str, dict[str, object]], ...] = ()
    resolution: str = "REFUND"
    photo: bool = False


STORIES = (
    Story(
        "DEMO-2001",
        Customer("Noor Saleh", "noor@example.com", "+971505555555"),
        5,
        (("SNEAKER-41", "Trail sneakers, 41", 1, "389.00"),),
        1,
        (
            ItemRequest(
                "SNEAKER-41",
                1,
                reason_code="DAMAGED",
                item_condition="DAMAGED",
                comment="The sole came apart on the first walk.",
            ),
        ),
        photo=True,
    ),
    Story(
        "DEMO-2002",
        Customer("Karim Aziz", "karim@example.com", "+971506666666"),
        8,
        (("TSHIRT-L-WHITE", "T-shirt, white, L", 2, "79.00"), ("CAP-RED", "Cap, red", 1, "59.00")),
        3,
        (
            ItemRequest("TSHIRT-L-WHITE", 2, reason_code="CHANGED_MIND"),
            ItemRequest("CAP-RED", 1, reason_code="CHANGED_MIND"),
        ),
        steps=(
            (2, "approve", {"quantities": {"TSHIRT-L-WHITE": 1}, "rejection_reason": "USED_ITEM"}),
        ),
    ),
    Story(
        "DEMO-2003",
        Customer("Hana Yousef", "hana@example.com", "+971507777777"),
        10,
        (("JEANS-30", "Slim jeans, 30", 1, "210.00"),),
        6,
        (ItemRequest("JEANS-30", 1, reason_code="WRONG_SIZE", comment_codes=("TOO_SMALL",)),),
        steps=(
            (2, "receive", {"quantities": {"JEANS-30": 1}, "conditions": {"JEANS-30": "USED"}}),
        ),
        resolution="EXCHANGE",
    ),
    Story(
        "DEMO-2004",
        Customer("Ahmed Nasser", "ahmed@example.com", "+971508888888"),
        20,
        (("JACKET-L", "Rain jacket, L", 1, "450.00"),),
        14,
        (
            ItemRequest(
                "JACKET-L",
                1,
                reason_code="NOT_AS_DESCRIBED",
                comment="The colour is much darker than in the photos.",
            ),
        ),
        steps=(
            (13, "approve", {}),
            (9, "receive", {"quantities": {"JACKET-L": 1}}),
            (
                8,
                "refund",
                {"amount": Decimal("450.00"), "currency": "AED", "reference": "RF-DEMO-2004"}
                | {"refund_type": "ORIGINAL_PAYMENT"},
            ),
            (8, "complete", {}),
        ),
    ),
    Story(
        "DEMO-2005",
        Customer("Mariam Saeed", "mariam@example.com", "+971509999999"),
        25,
        (("DRESS-M-GREEN", "Summer dress, green, M", 1, "280.00"),),
        4,
        (ItemRequest("DRESS-M-GREEN", 1, reason_code="CHANGED_MIND"),),
        steps=((3, "reject", {"reason": "USED_ITEM"}),),
    ),
)

COMMANDS: dict[str, tuple[type[c.ReturnCommand], Callable[..., Awaitable[ReturnRequest]]]] = {
    "approve": (c.ApproveReturn, services.approve_return),
    "reject": (c.RejectReturn, services.reject_return),
    "receive": (c.ReceiveReturn, services.receive_return),
    "refund": (c.AddRefund, services.add_refund),
    "complete": (c.CompleteReturn, services.complete_return),
}


async def seed_demo_requests(
    units: UnitsOfWork, photos: PhotoStore, *, base_url: str, tenant_id: str = DEV_TENANT
) -> list[str]:
    """The demo requests' ids, oldest story first; made only where none exists yet. Needs
    the demo merchant (`seed_demo`) in the tenant first: its reasons and settings."""
    ids = []
    for story in STORIES:
        await services.upsert_order(
            _order(story, units.clock), uow=units(tenant_id), clock=units.clock
        )
        async with units(tenant_id) as uow:
            existing = await uow.returns.for_order(MERCHANT, story.reference)
        if existing:
            ids.append(existing[0].id)
            continue
        ids.append(await _tell(story, units, photos, base_url, tenant_id))
    return ids


async def _tell(
    story: Story, units: UnitsOfWork, photos: PhotoStore, base_url: str, tenant_id: str
) -> str:
    items = list(story.items)
    if story.photo:
        photo_id = await photos.save(tenant_id, demo_photo(), ImageKind.PNG)
        items[0] = replace(items[0], image_urls=(Photos.url(base_url, photo_id),))
    request = await services.create_return(
        c.CreateReturn(
            actor=SEEDER,
            merchant=MERCHANT,
            order_reference=story.reference,
            items=items,
            details=RequestDetails(pickup=_address(story.customer), resolution=story.resolution),
        ),
        uow=units(tenant_id),
        clock=_Ago(units.clock, story.asked_days_ago),
    )
    for days_ago, action, fields in story.steps:
        command, use_case = COMMANDS[action]
        request = await use_case(
            command(actor=SEEDER, return_request_id=request.id, **fields),
            uow=units(tenant_id),
            clock=_Ago(units.clock, days_ago),
        )
    return request.id


def _address(customer: Customer) -> Address:
    return Address(
        contact_name=customer.name,
        contact_phone=customer.phone,
        address1="4 Marina Walk",
        city="Dubai",
        country="AE",
    )


def _order(story: Story, clock: Clock) -> c.UpsertOrder:
    delivered = clock.now() - timedelta(days=story.delivered_days_ago)
    return c.UpsertOrder(
        actor=SEEDER,
        merchant=MERCHANT,
        reference=story.reference,
        currency="AED",
        customer=story.customer,
        delivery_address=_address(story.customer),
        lines=[
            c.OrderLineSpec(sku, description, qty, Decimal(price), None, delivered)
            for sku, description, qty, price in story.lines
        ],
    )


def demo_photo(width: int = 96, height: int = 64) -> bytes:
    """A small PNG of a sneaker with a torn sole: a real image the desk can show."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    top = 18 if x < 40 else 18 + (x - 40) * 5 // 9  # a high heel collar, sloping to the toe
    upper = 16 <= x <= 86 and top <= y < 44 and not (24 <= x <= 36 and y < 24)
    stripe = upper and 6 <= (x - y) - 10 <= 9 and y > 26
    sole = 44 <= y <= 50 and 12 <= x <= 88
    tear = 46 <= y <= 48 and 50 <= x <= 66 and (x + y) % 3 != 0
    if tear:
        return (200, 40, 40)
    if sole:
        return (245, 245, 245) if y > 45 else (90, 90, 90)
    if stripe:
        return (250, 250, 250)
    if upper:
        return (30, 90, 160)
    return (236, 232, 224)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
