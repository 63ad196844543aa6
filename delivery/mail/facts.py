"""What a customer message says, read when it is sent: the request as it stands then (so an
approval e-mail carries the label and tracking number recorded after the approval), the
event's own facts (a refund's amount), the order's customer, the merchant's brand, sender
identity and template, and the language the customer reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_datetime
from babel.numbers import format_currency

from core.loaders import Loaders
from core.portal_links import PortalLinks
from core.staff import StaffAccounts, mailed_purpose
from core.status_links import StatusLinks
from delivery.mail.render import Brand, ItemLine, MailFacts
from domain.customer_messages import (
    MailSettings,
    MessageEvent,
    MessageTemplate,
    customer_language,
)
from domain.orders import Order
from domain.portal import PortalSettings, default_portal_settings
from domain.reference import PickupLocation, ReferenceKind
from domain.returns import ReturnRequest
from domain.values import Address
from persistence.access import AccessStore
from persistence.configuration import SqlConfigurationRepository
from persistence.customer_messages import MessageRecord
from persistence.database import Database
from persistence.mail_configuration import customer_language as stored_language
from persistence.mail_configuration import mail_settings, message_template
from persistence.portal_settings import portal_settings
from persistence.statements import SqlAlchemyStatements


class CannotSend(Exception):
    """A message that no retry can send (the request or the customer's address is gone)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    recipient: str
    facts: MailFacts
    settings: MailSettings
    template: MessageTemplate | None
    support_email: str | None


async def prepare(
    db: Database,
    message: MessageRecord,
    status: StatusLinks,
    portal: PortalLinks,
    *,
    now: datetime,
    staff: StaffAccounts | None = None,
) -> Prepared:
    """Everything one message needs; CannotSend when it can never be sent."""
    if message.event.to_staff:
        if staff is None:
            raise CannotSend("this sender cannot make staff links")
        return await _staff_link(db, message, staff)
    loaders = Loaders(db, message.tenant_id)
    if message.event == MessageEvent.PORTAL_LINK:
        return await _link(db, loaders, message, portal, now=now)
    request = await loaders.return_request_by_id.load(message.return_request_id or "")
    if request is None:
        raise CannotSend(f"return request {message.return_request_id} no longer exists")
    order = await loaders.order_by_reference.load((request.merchant, request.order_reference))
    recipient = (order.customer.email or "").strip() if order else ""
    if order is None or not recipient:
        raise CannotSend(f"order {request.order_reference} has no customer e-mail address")
    events = await loaders.events_by_request.load(request.id)
    payload = next((e.payload for e in events if e.position == message.event_position), {})
    merchant = _Merchant(db, message.tenant_id, request.merchant)
    language, brand, settings, template, locations = await merchant.read(order, message.event)
    reason = None
    if message.event == MessageEvent.REJECTED:
        reason = await _reason(loaders, request, str(payload.get("reason") or ""), language)
    facts = MailFacts(
        event=message.event,
        language=language,
        brand=_brand(brand, status.base_url),
        request_id=request.id,
        order_reference=order.reference,
        status_url=status.url(message.tenant_id, request.merchant, request.id, now=now),
        customer_name=order.customer.name,
        items=_items(request, order),
        amount=_amount(payload, language) if message.event == MessageEvent.REFUNDED else None,
        reason=reason,
        **_shipping(request, locations, language, message.event),
    )
    return Prepared(recipient, facts, settings, template, brand.support_email)


async def _link(
    db: Database, loaders: Loaders, message: MessageRecord, portal: PortalLinks, *, now: datetime
) -> Prepared:
    """A fresh portal link, made now, to the address on the order."""
    reference = message.order_reference or ""
    order = await loaders.order_by_reference.load((message.merchant, reference))
    recipient = (order.customer.email or "").strip() if order else ""
    if order is None or not recipient:
        raise CannotSend(f"order {reference} has no customer e-mail address")
    merchant = _Merchant(db, message.tenant_id, message.merchant)
    language, brand, settings, template, _ = await merchant.read(order, message.event)
    url, _grant = portal.link(message.tenant_id, order.merchant, order.reference, now=now)
    facts = MailFacts(
        event=message.event,
        language=language,
        brand=_brand(brand, portal.base_url),
        request_id="",
        order_reference=order.reference,
        status_url=f"{url}&lang={language}",
        customer_name=order.customer.name,
    )
    return Prepared(recipient, facts, settings, template, brand.support_email)


STAFF_BRAND_COLOUR = "#0b57d0"  # the desk's own blue: the tenant has no portal brand


async def _staff_link(db: Database, message: MessageRecord, staff: StaffAccounts) -> Prepared:
    """A fresh invitation or reset link, made now, to the staff member's address; in the
    language the admin's desk spoke, under the tenant's name."""
    address = message.recipient or ""
    user = await staff.enabled_user(message.tenant_id, address)
    if user is None:
        raise CannotSend("the staff user is gone or disabled")
    tenant = await AccessStore(db).tenant(message.tenant_id)
    link = await staff.link(user, mailed_purpose(message.event))
    facts = MailFacts(
        event=message.event,
        language=customer_language(message.language),
        brand=Brand(name=tenant.name if tenant else message.tenant_id, colour=STAFF_BRAND_COLOUR),
        request_id="",
        order_reference="",
        status_url=link,
        customer_name=user.name,
    )
    return Prepared(user.email, facts, MailSettings(merchant=""), None, None)


@dataclass(frozen=True)
class _Merchant:
    db: Database
    tenant_id: str
    merchant: str

    async def read(
        self, order: Order, event: MessageEvent
    ) -> tuple[str, PortalSettings, MailSettings, MessageTemplate | None, list[PickupLocation]]:
        """The customer's language, the brand, the sender, the template and the places."""
        tenant, merchant = self.tenant_id, self.merchant
        async with self.db.read_session() as session:
            language = customer_language(
                await stored_language(session, tenant, merchant, order.reference)
            )
            brand = await portal_settings(session, tenant, merchant)
            settings = await mail_settings(session, tenant, merchant)
            template = await message_template(session, tenant, merchant, event, language)
            config = SqlConfigurationRepository(SqlAlchemyStatements.of(session), tenant)
            locations = await config.locations(merchant)
        return language, brand or default_portal_settings(merchant), settings, template, locations


def _brand(brand: PortalSettings, base_url: str) -> Brand:
    return Brand(
        name=brand.display_name or brand.merchant,
        colour=brand.accent_colour,
        logo_url=_absolute_logo(brand.shown_logo_url, base_url),
    )


def _items(request: ReturnRequest, order: Order) -> tuple[ItemLine, ...]:
    return tuple(
        ItemLine(sku=item.sku, description=item.description or item.sku, quantity=item.quantity)
        for item in request.items
    )


async def _reason(loaders: Loaders, request: ReturnRequest, code: str, language: str) -> str | None:
    """The rejection reason as the merchant named it in the customer's language."""
    code = code or (request.rejection_reason or "")
    if not code:
        return None
    key = (ReferenceKind.REJECTION_REASON.value, request.merchant, code)
    entry = await loaders.reference_by_code.load(key)
    return entry.display_name(language) if entry else code


def _amount(payload: dict[str, object], language: str) -> str | None:
    try:
        amount = Decimal(str(payload.get("amount")))
    except (InvalidOperation, ValueError):
        return None
    currency = str(payload.get("currency") or "")
    if not currency:
        return str(amount)
    # The ISO code, not a local symbol: "10.00 AED" reads the same to every customer (and
    # "$" names a dozen currencies); the digits follow the currency's minor units.
    return format_currency(amount, currency, format="#,##0.00\xa0¤¤", locale=language)


def _shipping(
    request: ReturnRequest, locations: list[PickupLocation], language: str, event: MessageEvent
) -> dict[str, str | None]:
    """Label, tracking and where the parcel goes from: told on approval and on news about
    the parcel."""
    if event not in (MessageEvent.APPROVED, MessageEvent.SHIPMENT_UPDATED):
        return {}
    shipment = request.open_shipment or (request.shipments[-1] if request.shipments else None)
    pickup = request.details.pickup
    found: dict[str, str | None] = {
        "label_url": shipment.label_url if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
    }
    if pickup is not None and pickup.partner_location_id:
        place = next((p for p in locations if p.code == pickup.partner_location_id), None)
        found["dropoff_address"] = (
            ", ".join(filter(None, [place.name, _address(place.address)]))
            if place
            else pickup.partner_location_id
        )
    elif pickup is not None:
        found["pickup_address"] = _address(pickup)
        window = request.details.collection
        if window is not None:
            found["pickup_window"] = _window(window.start, window.end, language)
    return found


def _address(address: Address) -> str:
    parts = [address.address1, address.address2, address.city, address.postcode, address.country]
    return ", ".join(part for part in parts if part)


def _window(start: datetime, end: datetime, language: str) -> str:
    return (
        f"{format_datetime(start, format='medium', locale=language)} - "
        f"{format_datetime(end, format='short', locale=language)}"
    )


def _absolute_logo(url: str | None, base_url: str) -> str | None:
    """E-mail clients need the whole address of a logo served by us."""
    if url and url.startswith("/"):
        return f"{base_url}{url}"
    return url
