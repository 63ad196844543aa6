"""From a filled-in portal form to the CreateReturn command every face uses, and from the
use case's refusals back to the form's fields, in the customer's words."""

from __future__ import annotations

import re

from domain import commands as c
from domain.errors import DomainError, DomainErrors, ErrorCode
from domain.exchange_lines import ExchangeItem
from domain.parts import ItemRequest
from domain.request_details import RequestDetails
from domain.values import Actor, Address
from pages.portal.form import FormState
from pages.portal.i18n import Translator
from pages.portal.page_data import PortalData

PORTAL_CHANNEL = "PORTAL"
ADDRESS_FIELDS = ("contact_name", "contact_phone", "address1", "city", "country")
REQUIRED_ADDRESS = ("address1", "city", "country")
ITEM_ERROR = re.compile(r"items\[(\d+)\]\.?(\w*)")
EXCHANGE_ERROR = re.compile(r"exchange_?[iI]tems(?:\[(\d+)\])?")


def command(
    form: FormState,
    data: PortalData,
    t: Translator,
    *,
    actor: Actor,
    photo_urls: dict[int, list[str]],
) -> tuple[c.CreateReturn | None, list[int]]:
    """The command, and which order line each of its items came from (for errors); None
    when the form itself already has errors. `photo_urls` are where each line's photos
    will be, once the return is made."""
    items, origin = _items(form, data, t, photo_urls)
    exchanges = _exchanges(form, data, t, items, origin)
    pickup = _pickup(form, data, t)
    if not items and not form.errors:
        form.fail("items", t("err_choose_items"))
    if form.errors:
        return None, origin
    return c.CreateReturn(
        actor=actor,
        merchant=data.order.merchant,
        order_reference=data.order.reference,
        items=items,
        exchange_items=exchanges,
        details=RequestDetails(
            pickup=pickup,
            channel=PORTAL_CHANNEL,
            customer_comment=form.value("customer_comment").strip() or None,
        ),
    ), origin


def quote_command(
    form: FormState, data: PortalData, t: Translator, *, actor: Actor, photos: dict[int, int]
) -> c.CreateReturn | None:
    """The command this form would make as it stands, for the quote (quote.py): built as
    `command` builds it, but the address is not required yet (the form's country, else the
    order's, is what fee rules look at), and a line with photos chosen counts as having them.
    None when no item is chosen or an item is wrong: the quote then shows nothing."""
    scratch = FormState(values=dict(form.values))
    counted = {index: ["quote:photo"] for index, n in photos.items() if n > 0}
    items, origin = _items(scratch, data, t, counted)
    exchanges = _exchanges(scratch, data, t, items, origin)
    if scratch.errors or not items:
        return None
    pickup = _pickup(scratch, data, t) if not scratch.errors else None
    if scratch.errors or pickup is None:
        pickup = data.order.customer_address()
    return c.CreateReturn(
        actor=actor,
        merchant=data.order.merchant,
        order_reference=data.order.reference,
        items=items,
        exchange_items=exchanges,
        details=RequestDetails(pickup=pickup, channel=PORTAL_CHANNEL),
    )


def _items(
    form: FormState, data: PortalData, t: Translator, photo_urls: dict[int, list[str]]
) -> tuple[list, list[int]]:
    items, origin = [], []
    for index, entry in enumerate(data.lines):
        quantity = _quantity(form.value(f"qty-{index}", "0"))
        if quantity == 0:
            continue
        if form.value(f"sku-{index}") != entry.line.sku:
            form.fail(f"qty-{index}", t("err_order_changed"))
            continue
        if quantity is None or quantity > entry.returnable_quantity:
            form.fail(f"qty-{index}", t("err_quantity", n=entry.returnable_quantity))
            continue
        items.append(_item(form, index, entry.line.sku, quantity, photo_urls.get(index, [])))
        origin.append(index)
    return items, origin


def _exchanges(
    form: FormState, data: PortalData, t: Translator, items: list[ItemRequest], origin: list[int]
) -> list[ExchangeItem]:
    """Each returned line's chosen variant (`exchange-0`), one unit for each unit returned;
    a choice this page did not offer is refused beside its line, one out of stock too."""
    exchanges = []
    for item, index in zip(items, origin, strict=True):
        chosen = form.value(f"exchange-{index}")
        if not chosen:
            continue
        offered = {v.sku: v for v in data.exchange.get(item.sku, [])}
        variant = offered.get(chosen)
        if variant is None:
            form.fail(f"exchange-{index}", t("err_order_changed"))
        elif not variant.exchangeable:
            form.fail(f"exchange-{index}", t("err_exchange_out_of_stock"))
        else:
            exchanges.append(ExchangeItem(chosen, item.quantity, replaces_sku=item.sku))
    return exchanges


def _item(form: FormState, index: int, sku: str, quantity: int, urls: list[str]) -> ItemRequest:
    return ItemRequest(
        sku=sku,
        quantity=quantity,
        reason_code=form.value(f"reason-{index}") or None,
        comment=form.value(f"comment-{index}").strip() or None,
        item_condition=form.value(f"condition-{index}") or None,
        image_urls=tuple(urls),
    )


def _quantity(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 6 else None


def _pickup(form: FormState, data: PortalData, t: Translator) -> Address | None:
    if form.value("method") == "dropoff" and data.dropoff_allowed:
        code = form.value("location")
        if code not in {location.code for location in data.locations}:
            form.fail("location", t("err_location"))
            return None
        return Address(partner_location_id=code)
    for name in REQUIRED_ADDRESS:
        if not form.value(name).strip():
            form.fail(name, t("err_required"))
    try:
        return Address(**{name: form.value(name).strip() or None for name in ADDRESS_FIELDS})
    except DomainError as problem:
        form.fail((problem.field or "address1").removeprefix("address."), problem.message)
        return None


def attach_errors(error: DomainError, form: FormState, origin: list[int], t: Translator) -> None:
    """Each refusal beside its field: `items[1].image_urls` is the photos of the line the
    second item came from."""
    exchanged = [line for line in origin if form.value(f"exchange-{line}")]
    for problem in error.errors if isinstance(error, DomainErrors) else [error]:
        found = ITEM_ERROR.match(problem.field or "")
        exchange = EXCHANGE_ERROR.match(problem.field or "")
        if exchange and (line := _exchanged_line(exchange.group(1), exchanged)) is not None:
            form.fail(f"exchange-{line}", _exchange_message(problem, t))
        elif found and int(found.group(1)) < len(origin):
            line = origin[int(found.group(1))]
            name, message = _item_field(problem, found.group(2), t)
            form.fail(f"{name}-{line}", message)
        elif (problem.field or "").startswith("pickup"):
            form.fail("address1", problem.message)
        else:
            form.fail("items", problem.message)


def _exchanged_line(index: str | None, exchanged: list[int]) -> int | None:
    """The order line an exchange refusal is about: the one its index names, or the only
    line with an exchange when the refusal names no index."""
    if index is None:
        return exchanged[0] if len(exchanged) == 1 else None
    return exchanged[int(index)] if int(index) < len(exchanged) else None


def _exchange_message(problem: DomainError, t: Translator) -> str:
    if problem.code == ErrorCode.OUT_OF_STOCK:
        return t("err_exchange_out_of_stock")
    if problem.code == ErrorCode.EXCHANGE_NOT_ALLOWED:
        return t("err_exchange_not_allowed")
    return problem.message


def _item_field(problem: DomainError, name: str, t: Translator) -> tuple[str, str]:
    missing = problem.code == ErrorCode.REQUIREMENT_MISSING
    table = {
        "reason_code": ("reason", t("err_reason")),
        "image_urls": ("photos", t("err_photo_needed") if missing else problem.message),
        "comment": ("comment", t("err_comment_needed") if missing else problem.message),
        "comment_codes": ("comment", problem.message),
        "item_condition": ("condition", t("err_condition_needed")),
    }
    return table.get(name, ("qty", problem.message))
