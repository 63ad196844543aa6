"""Returns of the demo merchant for the status-page and slip tests (HTTP and browser): an
approved pickup, an approved drop-off with a collection window or a tracking number, a
pending one; their status links; and the QR code of a slip, decoded by zxing-cpp."""

from __future__ import annotations

import io
from typing import Any

from domain import commands as c
from domain import services
from domain.parts import ItemRequest
from domain.portal import PortalSettings
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Actor, Address, TimeWindow
from ops.demo import seed_demo
from persistence.portal_settings import save_portal_settings
from persistence.unit_of_work import UnitsOfWork

TENANT = "dev"
MERCHANT = "demo-store"
MERCHANT_ACTOR = Actor(source="API", user="agent@demo-store.example")
BRAND = PortalSettings(
    merchant=MERCHANT,
    display_name="Demo Store",
    accent_colour="#7b1fa2",
    support_email="help@demo-store.example",
    support_phone="+971 4 000 0000",
)
HOME = Address(
    contact_name="Layla Haddad",
    contact_phone="+971501111111",
    address1="12 Palm Street",
    city="Dubai",
    country="AE",
)
DROP_OFF = Address(partner_location_id="WH-DXB")


async def seed(units: UnitsOfWork) -> None:
    await seed_demo(units, tenant_id=TENANT)
    await save_portal_settings(units.db, TENANT, BRAND, now=units.clock.now())


async def new_return(
    units: UnitsOfWork,
    *,
    reason: str = "WRONG_SIZE",  # approves itself
    pickup: Address = HOME,
    window: TimeWindow | None = None,
    sku: str = "TSHIRT-M-BLUE",
) -> ReturnRequest:
    command = c.CreateReturn(
        actor=Actor(source="PORTAL", user="customer"),
        merchant=MERCHANT,
        order_reference="DEMO-1001",
        items=[ItemRequest(sku=sku, quantity=1, reason_code=reason)],
        details=RequestDetails(pickup=pickup, channel="PORTAL", collection=window),
    )
    return await services.create_return(command, uow=units(TENANT), clock=units.clock)


async def record_shipment(units: UnitsOfWork, request_id: str) -> None:
    command = c.UpdateReverseShipment(
        actor=MERCHANT_ACTOR,
        return_request_id=request_id,
        tracking_number="SMSA-12345678",
        label_url="https://labels.example/RS-1.pdf",
    )
    await services.update_reverse_shipment(command, uow=units(TENANT), clock=units.clock)


def status_path(app_wiring: Any, request_id: str, *, tenant: str = TENANT) -> str:
    token = app_wiring.status.token(tenant, MERCHANT, request_id, now=app_wiring.clock.now())
    return f"/portal/status/{token}"


def decoded_qr_codes(png: bytes) -> list[str]:
    """What every QR code in the image says, read by a real decoder (zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image)]
