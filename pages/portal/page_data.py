"""Everything one portal page shows, read once per request: the order's lines with their
eligibility and what each may be exchanged into, the merchant's reasons, conditions,
drop-off places, settings and brand, and the order's returns with their status history
(from the event log)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.context import Context
from core.exchange_options import exchange_options
from core.order_lookup import requests_for_order, returnable_lines
from domain.eligibility import LineEligibility
from domain.orders import Order
from domain.portal import PortalSettings, default_portal_settings
from domain.reference import PickupLocation, ReferenceEntry, ReferenceKind, ReturnSettings
from domain.returns import ReturnRequest
from domain.variants import Variant
from persistence.configuration import SqlConfigurationRepository
from persistence.event_log import events_of_requests
from persistence.outbox import StoredEvent
from persistence.portal_settings import portal_settings
from persistence.statements import SqlAlchemyStatements


@dataclass(frozen=True)
class StatusStep:
    status: str
    at: object  # datetime


@dataclass(frozen=True)
class PortalData:
    order: Order
    lines: list[LineEligibility]
    requests: list[ReturnRequest]
    history: dict[str, list[StatusStep]]
    reasons: list[ReferenceEntry]
    conditions: list[ReferenceEntry]
    locations: list[PickupLocation]
    settings: ReturnSettings | None
    brand: PortalSettings
    exchange: dict[str, list[Variant]] = field(default_factory=dict)  # by the line's sku

    @property
    def dropoff_allowed(self) -> bool:
        return bool(
            self.settings and self.settings.allow_pickup_location_selection and self.locations
        )

    def reason(self, code: str | None) -> ReferenceEntry | None:
        return next((r for r in self.reasons if r.code == code), None)


async def load_portal_data(context: Context, order: Order) -> PortalData:
    lines = await returnable_lines(context, order)
    requests = await requests_for_order(context, order)
    async with context.db.read_session() as session:
        config = SqlConfigurationRepository(SqlAlchemyStatements.of(session), context.tenant_id)
        entries = await config.entries(order.merchant)
        locations = await config.locations(order.merchant)
        settings = await config.settings(order.merchant)
        brand = await portal_settings(session, context.tenant_id, order.merchant)
        events = await events_of_requests(session, context.tenant_id, [r.id for r in requests])
    returnable = [entry.line.sku for entry in lines if entry.returnable]
    exchange = await exchange_options(context, order, returnable)
    return PortalData(
        order=order,
        lines=lines,
        requests=requests,
        history={rid: _steps(stored) for rid, stored in events.items()},
        reasons=[e for e in entries if e.kind == ReferenceKind.RETURN_REASON],
        conditions=[e for e in entries if e.kind == ReferenceKind.ITEM_CONDITION],
        locations=locations,
        settings=settings,
        brand=brand or default_portal_settings(order.merchant),
        exchange=exchange,
    )


def _steps(events: list[StoredEvent]) -> list[StatusStep]:
    """The status changes of one request, oldest first (creation included)."""
    return [StatusStep(e.new_status, e.occurred_at) for e in events if e.new_status]
