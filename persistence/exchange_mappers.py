"""Row ⇄ domain mappers of exchanges: a request's exchange lines and payments (children of
the aggregate, written by the repository like its items), the merchant's variants and
exchange settings. Round-trip tested like mappers.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.exchange_lines import (
    ExchangeFulfilment,
    ExchangeLine,
    ExchangeLineStatus,
    ExchangePayment,
)
from domain.parts import RefundOutcome
from domain.variants import ExchangeRelease, ExchangeSettings, OutOfStockFallback, Variant
from persistence.statements import Row


def exchange_line_values(line: ExchangeLine) -> dict[str, Any]:
    fulfilment = line.fulfilment
    return {
        "line_id": line.line_id,
        "sku": line.sku,
        "title": line.title,
        "quantity": line.quantity,
        "replaces_sku": line.replaces_sku,
        "unit_price": line.unit_price,
        "currency": line.currency,
        "status": line.status.value,
        "released_at": line.released_at,
        "fulfilment": None
        if fulfilment is None
        else {
            "tracking_number": fulfilment.tracking_number,
            "fulfilled_at": fulfilment.fulfilled_at.isoformat(),
            "carrier": fulfilment.carrier,
            "tracking_url": fulfilment.tracking_url,
        },
        "converted_to": line.converted_to.value if line.converted_to else None,
    }


def exchange_line_from_row(row: Row) -> ExchangeLine:
    data = row["fulfilment"]
    return ExchangeLine(
        line_id=row["line_id"],
        sku=row["sku"],
        title=row["title"],
        quantity=row["quantity"],
        replaces_sku=row["replaces_sku"],
        unit_price=row["unit_price"],
        currency=row["currency"],
        status=ExchangeLineStatus(row["status"]),
        released_at=row["released_at"],
        fulfilment=None
        if data is None
        else ExchangeFulfilment(
            data["tracking_number"],
            datetime.fromisoformat(data["fulfilled_at"]),
            data.get("carrier"),
            data.get("tracking_url"),
        ),
        converted_to=RefundOutcome(row["converted_to"]) if row["converted_to"] else None,
    )


def exchange_payment_values(payment: ExchangePayment) -> dict[str, Any]:
    return {
        "amount": payment.amount,
        "currency": payment.currency,
        "reference": payment.reference,
        "recorded_at": payment.recorded_at,
    }


def exchange_payment_from_row(row: Row) -> ExchangePayment:
    return ExchangePayment(row["amount"], row["currency"], row["recorded_at"], row["reference"])


def variant_values(variant: Variant, tenant_id: str) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "merchant": variant.merchant,
        "sku": variant.sku,
        "group_key": variant.group_key,
        "title": variant.title,
        "options": [list(pair) for pair in variant.options],
        "price": variant.price,
        "currency": variant.currency,
        "available": variant.available,
        "backorderable": variant.backorderable,
        "image_url": variant.image_url,
        "updated_at": variant.updated_at,
    }


def variant_from_row(row: Row) -> Variant:
    return Variant(
        merchant=row["merchant"],
        sku=row["sku"],
        group_key=row["group_key"],
        title=row["title"],
        price=row["price"],
        currency=row["currency"],
        options=tuple((str(name), str(value)) for name, value in row["options"]),
        available=row["available"],
        backorderable=row["backorderable"],
        image_url=row["image_url"],
        updated_at=row["updated_at"],
    )


def settings_values(settings: ExchangeSettings, tenant_id: str, at: datetime) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "merchant": settings.merchant,
        "release_on": settings.release_on.value,
        "allow_any_product": settings.allow_any_product,
        "out_of_stock_fallback": settings.out_of_stock_fallback.value,
        "updated_at": at,
    }


def settings_from_row(row: Row) -> ExchangeSettings:
    return ExchangeSettings(
        merchant=row["merchant"],
        release_on=ExchangeRelease(row["release_on"]),
        allow_any_product=row["allow_any_product"],
        out_of_stock_fallback=OutOfStockFallback(row["out_of_stock_fallback"]),
    )
