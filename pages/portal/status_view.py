"""What the status page and the drop-off slip show, already in the customer's language: the
timeline and the next step (core/return_progress.py's rules, worded here), the place and
window, the label and tracking number the merchant recorded, and the slip's QR code."""

from __future__ import annotations

import segno
from markupsafe import Markup

from core.return_progress import Entry, Milestone, next_step, slip_available, timeline
from domain.parts import ReverseShipment
from domain.returns import ReturnRequest
from domain.urls import https_origin
from pages.portal.i18n import Translator
from pages.portal.status_data import StatusData
from pages.portal.view import brand, exchange_lines_view, next_words, place_view


def status_view(data: StatusData, t: Translator) -> dict[str, object]:
    request = data.request
    step = next_step(request, data.events)
    return {
        "brand": brand(data.brand),
        "id": request.id,
        "order": request.order_reference,
        "status": t.status(request.status.value),
        "next": next_words(step, t),
        "where": place_view(step.place, data.locations, t) if step.place else None,
        "slip": step.slip and slip_available(request),
        "timeline": [entry_view(entry, t) for entry in timeline(request, data.events)],
        "items": items_view(request),
        "shipment": shipment_view(_shipment(request)),
        "rejection": _rejection(data, t),
        "exchange_lines": exchange_lines_view(request, t),
    }


def entry_view(entry: Entry, t: Translator) -> dict[str, object]:
    return {
        "done": entry.done,
        "text": entry_words(entry, t),
        "at": t.datetime(entry.at) if entry.at else t("not_yet"),
        "datetime": entry.at.isoformat() if entry.at else None,
    }


def entry_words(entry: Entry, t: Translator) -> str:
    key = f"step_{entry.milestone.value.lower()}"
    if entry.milestone == Milestone.RECEIVED and entry.partial:
        return t("step_received_partial")
    if entry.milestone in (Milestone.REFUNDED, Milestone.CREDITED):
        if entry.amount is None or entry.currency is None:
            return t(f"{key}_ahead")
        return t(key, amount=t.money(entry.amount, entry.currency))
    return t(key)


def items_view(request: ReturnRequest) -> list[dict[str, object]]:
    """Approved units once the shop decided, the units asked for before."""
    decided = request.approved_at is not None and not request.status.is_undecided
    return [
        {
            "sku": item.sku,
            "name": item.description or item.sku,
            "quantity": item.approved_quantity if decided else item.quantity,
        }
        for item in request.items
        if not decided or item.approved_quantity
    ]


def shipment_view(shipment: ReverseShipment | None) -> dict[str, object] | None:
    """The label and tracking number the merchant recorded; a label that is not an https
    address (a note typed by hand, a plain http link) is not made a link."""
    if shipment is None or not (shipment.tracking_number or shipment.label_url):
        return None
    label = shipment.label_url
    return {
        "carrier": shipment.carrier if shipment.carrier != "manual" else None,
        "tracking": shipment.tracking_number,
        "label_url": label if https_origin(label) else None,
    }


def qr_svg(reference: str, *, title: str) -> Markup:
    """The slip's QR code as inline SVG (the page's policy loads no image from elsewhere,
    and a vector prints sharp at any size); error correction M survives a crease."""
    code = segno.make_qr(reference, error="m")
    svg = code.svg_inline(
        scale=4, border=4, title=title, svgclass="qr", lineclass=None, omitsize=True, light="#fff"
    )
    return Markup(svg)


def _rejection(data: StatusData, t: Translator) -> str | None:
    """The merchant's reason by its name in the customer's language; a code the merchant
    has since deleted reads as itself."""
    if data.rejection is not None:
        return data.rejection.display_name(t.lang)
    return data.request.rejection_reason


def _shipment(request: ReturnRequest) -> ReverseShipment | None:
    if request.open_shipment is not None:
        return request.open_shipment
    return request.shipments[-1] if request.shipments else None
