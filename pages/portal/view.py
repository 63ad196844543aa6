"""What the portal templates show, already in the customer's language: lines with their
reasons not to return them, reasons with their requirements, the brand, and each return with
its status history. Templates only lay it out (and autoescape every value)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

from markupsafe import Markup

from core.photos import Photos
from core.portal_links import PORTAL_PATH
from core.return_progress import Next, NextStep, next_step
from domain.eligibility import Blocker, LineEligibility
from domain.errors import ErrorCode
from domain.exchange_lines import ExchangeLineStatus
from domain.portal import PortalSettings
from domain.reference import PickupLocation, ReferenceEntry
from domain.returns import ReturnRequest
from domain.values import Address
from domain.variants import Variant
from pages.bidi import isolate
from pages.portal.i18n import Translator
from pages.portal.page_data import PortalData


def page_context(
    data: PortalData, t: Translator, token: str, *, photos: Photos, nonce: str
) -> dict[str, object]:
    mb = f"{photos.limits.max_bytes / 1024 / 1024:g}"
    return {
        "t": t,
        "nonce": nonce,
        "brand": brand(data.brand),
        "order": data.order,
        "lines": [
            line_view(entry, t, data.order.currency, data.exchange.get(entry.line.sku, []))
            for entry in data.lines
        ],
        "reasons": [reason_view(r, t) for r in data.reasons],
        "conditions": [{"code": c.code, "name": c.display_name(t.lang)} for c in data.conditions],
        "locations": data.locations if data.dropoff_allowed else [],
        "returns": [return_view(r, data, t) for r in data.requests],
        "action": f"{PORTAL_PATH}?{urlencode({'token': token, 'lang': t.lang})}",
        "photo_hint": t("photos", mb=mb, count=photos.limits.max_per_item),
    }


def brand(settings: PortalSettings) -> dict[str, object]:
    return {
        "name": settings.display_name or settings.merchant,
        "logo_url": settings.shown_logo_url,
        "accent": settings.accent_colour,
        "on_accent": text_colour_on(settings.accent_colour),
        "support_email": settings.support_email,
        "support_phone": settings.support_phone,
        "support_tel": re.sub(r"[^0-9+]", "", settings.support_phone or ""),
        "policy": settings.return_policy,
    }


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the merchant's accent (WCAG contrast)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#111111" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def line_view(
    entry: LineEligibility, t: Translator, currency: str, exchange: Sequence[Variant] = ()
) -> dict[str, object]:
    line = entry.line
    return {
        "sku": line.sku,
        "name": line.description or line.sku,
        "ordered": line.quantity,
        "price": t.money(line.unit_price, currency),
        "returnable": entry.returnable_quantity,
        "blockers": [blocker_text(b, t) for b in entry.blockers],
        "exchange": exchange_choices(exchange, line.sku, t),
    }


def exchange_choices(
    variants: Sequence[Variant], sku: str, t: Translator
) -> list[dict[str, object]]:
    """What a line may be exchanged into, each by its options ("Size: L"), its stock and
    price; one that cannot be had now is listed all the same, and cannot be chosen. Among
    several products (the merchant allows any), each is named by its title too."""
    several = len({variant.group_key for variant in variants}) > 1
    return [
        {
            "sku": variant.sku,
            "name": variant_name(variant, with_title=several),
            "price": t.money(variant.price, variant.currency),
            "stock": stock(variant),
            "exchangeable": variant.exchangeable,
            "yours": variant.sku == sku,
        }
        for variant in variants
    ]


def variant_name(variant: Variant, *, with_title: bool) -> str:
    options = " · ".join(
        f"{name[:1].upper()}{name[1:]}: {value}" for name, value in variant.options
    )
    if not options:
        return variant.title
    return f"{variant.title} · {options}" if with_title else options


def stock(variant: Variant) -> str:
    if variant.available:
        return "in_stock"
    return "backorder" if variant.backorderable else "out_of_stock"


def exchange_lines_view(request: ReturnRequest, t: Translator) -> list[dict[str, object]]:
    """The variants coming instead of returned items, and where each stands; a line the
    customer no longer takes (cancelled by an edit or a rejection) is not shown."""
    names = {item.sku: item.description or item.sku for item in request.items}
    return [
        {
            "line_id": line.line_id,
            "quantity": line.quantity,
            "name": line.title or line.sku,
            "instead": t(
                "exchange_instead",
                replaced=isolate(names.get(line.replaces_sku, line.replaces_sku), "text"),
            ),
            "status": line.status.value,
            "status_text": t(f"exchange_status_{line.status.value.lower()}"),
            "tracking": line.fulfilment.tracking_number if line.fulfilment else None,
        }
        for line in request.exchange_lines
        if line.status != ExchangeLineStatus.CANCELLED
    ]


def blocker_text(blocker: Blocker, t: Translator) -> str:
    if blocker.code == ErrorCode.RETURN_WINDOW_EXPIRED and blocker.closed_on:
        return t("blocked_window", date=t.date(blocker.closed_on))
    if blocker.code == ErrorCode.QUANTITY_EXCEEDED and blocker.held_by:
        return t("blocked_held", ids=Markup(", ").join(isolate(i) for i in blocker.held_by))
    if blocker.code == ErrorCode.NOT_RETURNABLE:
        return t("blocked_undelivered")
    return blocker.message


def reason_view(reason: ReferenceEntry, t: Translator) -> dict[str, object]:
    needs = [
        key
        for key, flag in (
            ("photo", reason.require_images),
            ("comment", reason.require_comments),
            ("condition", reason.require_item_condition),
        )
        if flag
    ]
    label = reason.display_name(t.lang)
    if needs:
        label += f" ({t('needs', what=', '.join(t(f'needs_{n}') for n in needs))})"
    return {"code": reason.code, "label": label, "needs": " ".join(needs)}


def return_view(request: ReturnRequest, data: PortalData, t: Translator) -> dict[str, object]:
    return {
        "id": request.id,
        "status": t.status(request.status.value),
        "requested": t.date(request.created_at),
        "items": [(item.quantity, item.description or item.sku) for item in request.items],
        "history": [
            {"status": t.status(step.status), "at": t.datetime(step.at)}  # type: ignore[arg-type]
            for step in data.history.get(request.id, [])
        ],
        "next": next_words(next_step(request), t),
        "place": place_view(request.details.pickup, data.locations, t),
        "exchanges": exchange_lines_view(request, t),
    }


def place_view(
    pickup: Address | None, locations: list[PickupLocation], t: Translator
) -> dict[str, object] | None:
    """Where the courier collects the parcel, or where the customer drops it off: each line
    with the kind of value it is (phone numbers read left to right in Arabic too)."""
    if pickup is None:
        return None
    code = pickup.partner_location_id
    location = next((place for place in locations if place.code == code), None)
    shown = location.address if location else pickup
    lines = [
        (location.name if location else None, "text"),
        (shown.contact_name, "text"),
        (shown.contact_phone, "code"),
        (shown.address1, "text"),
        (shown.address2, "text"),
        (", ".join(part for part in (shown.city, shown.country) if part), "text"),
    ]
    return {
        "heading": t("place_dropoff" if code else "place_pickup"),
        "lines": [(value, kind) for value, kind in lines if value],
    }


def next_words(step: NextStep, t: Translator) -> str:
    """What the customer does next, in words: pickup and drop-off are told apart, and a
    courier's window is said when one was agreed."""
    if step.what == Next.WAIT_FOR_PICKUP and step.window:
        window = step.window
        return t("next_pickup_window", start=t.datetime(window.start), end=t.datetime(window.end))
    return t(NEXT_WORDS[step.what])


NEXT_WORDS = {
    Next.WAIT_FOR_REVIEW: "next_pending",
    Next.DROP_OFF: "next_dropoff",
    Next.WAIT_FOR_PICKUP: "next_pickup",
    Next.IN_TRANSIT: "next_transit",
    Next.WAIT_FOR_REFUND: "next_refund",
    Next.WAIT_FOR_EXCHANGE: "next_exchange",
    Next.NOTHING: "next_closed",
}
