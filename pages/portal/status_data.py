"""Everything a status page and its slip show, read once per request: the request its link
names, its committed events, the merchant's drop-off places, brand and, for a rejected
request, its rejection reason in the merchant's words."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Context
from core.status_links import StatusGrant
from domain.errors import NotFound
from domain.portal import PortalSettings, default_portal_settings
from domain.reference import PickupLocation, ReferenceEntry, ReferenceKind
from domain.returns import ReturnRequest
from persistence.configuration import SqlConfigurationRepository
from persistence.outbox import StoredEvent
from persistence.portal_settings import portal_settings
from persistence.statements import SqlAlchemyStatements


@dataclass(frozen=True)
class StatusData:
    request: ReturnRequest
    events: list[StoredEvent]
    locations: list[PickupLocation]
    brand: PortalSettings
    rejection: ReferenceEntry | None  # the merchant's reason, with its translations


async def load_status_data(context: Context, grant: StatusGrant) -> StatusData:
    """The link's request; one of another merchant (a link signed before a merchant code was
    reused, or a bug) is as missing as a deleted one."""
    request = await context.loaders.return_request_by_id.load(grant.request_id)
    if request is None or request.merchant != grant.merchant:
        raise NotFound(f"return request {grant.request_id} not found", field="token")
    events = await context.loaders.events_by_request.load(request.id)
    async with context.db.read_session() as session:
        config = SqlConfigurationRepository(SqlAlchemyStatements.of(session), context.tenant_id)
        locations = await config.locations(request.merchant)
        brand = await portal_settings(session, context.tenant_id, request.merchant)
        rejection = await _reason(config, request)
    return StatusData(
        request=request,
        events=events,
        locations=locations,
        brand=brand or default_portal_settings(request.merchant),
        rejection=rejection,
    )


async def _reason(
    config: SqlConfigurationRepository, request: ReturnRequest
) -> ReferenceEntry | None:
    code = request.rejection_reason
    if code is None:
        return None
    reasons = await config.entries(request.merchant, ReferenceKind.REJECTION_REASON)
    return next((reason for reason in reasons if reason.code == code), None)
