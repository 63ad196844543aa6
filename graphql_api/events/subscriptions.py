"""Live subscriptions (graphql-transport-ws): status changes as they commit, and the whole
event log resumed from a position. Both only ever see the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import NoReturn

import strawberry

from core.context import Context
from core.event_hub import READ_BATCH, EventHub, SubscriberLagging, TokenExpired
from core.global_ids import return_request_key
from domain.lifecycle import ReturnStatus
from graphql_api.context import Info
from graphql_api.events.queries import ReturnEventFilter
from graphql_api.events.rendering import SelectionRenderer, rendering_key
from graphql_api.events.types import ReturnEventType
from graphql_api.scalars import EventPosition
from graphql_api.websocket import PushTarget, push_target
from persistence.event_log import EventFilter
from persistence.outbox import StoredEvent

LAGGING_CLOSE_CODE = 4429
EXPIRED_CLOSE_CODE = 4403
CLOSE_TIMEOUT_SECONDS = 5


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        description="Status changes of return requests as they commit (creation included)."
    )
    async def return_status_changed(
        self,
        info: Info,
        merchant: str | None = None,
        return_request_id: str | None = None,
        statuses: list[ReturnStatus] | None = None,
    ) -> AsyncGenerator[ReturnEventType, None]:
        flt = EventFilter(
            merchant=merchant,
            return_request_id=return_request_key(return_request_id) if return_request_id else None,
            statuses=tuple(status.value for status in statuses or ()),
            status_changes_only=True,
        )
        async for event in _events(info, flt, after=None):
            yield event

    @strawberry.subscription(
        description="Every committed event, in log order. With `after`, first replays what "
        "came after that position, then goes live: no gap, no duplicate. A subscriber that "
        f"falls too far behind is closed with code {LAGGING_CLOSE_CODE}; resume after the "
        "last position received. `filter: {statusChangesOnly: true}` gives what "
        "returnStatusChanged gives, resumable."
    )
    async def return_events(
        self,
        info: Info,
        after: EventPosition | None = None,
        filter: ReturnEventFilter | None = None,
    ) -> AsyncGenerator[ReturnEventType, None]:
        flt = (filter or ReturnEventFilter()).to_query()
        async for event in _events(info, flt, after=after):
            yield event


async def _events(
    info: Info, flt: EventFilter, *, after: int | None
) -> AsyncGenerator[ReturnEventType, None]:
    """Replay what came after `after` through strawberry, one event at a time; then hand the
    subscription to the EventHub, which renders each live event once for every identical
    subscription and writes it straight onto the websocket."""
    context = info.context
    hub, target = _hub(context), push_target()
    if target is None:
        raise RuntimeError("live subscriptions run over the app's websocket handlers")
    key = rendering_key(info, target.query, target.variables, target.operation_name)
    renderer = hub.shared_renderer(
        key,
        lambda: SelectionRenderer(
            info.schema,
            target.query,
            target.variables,
            target.operation_name,
            units=context.units,
            tenant_id=context.tenant_id,
        ),
    )
    principal = context.principal
    try:
        async with hub.subscribe(
            context.tenant_id,
            flt,
            renderer,
            target.sink,
            expires_at=principal.expires_at if principal else None,
            live=after is None,
        ) as subscriber:
            if after is not None:
                last = after
                async for event in _replay(context, flt, after):
                    last = event.position
                    yield _pushed(context, event)
                subscriber.hold()
                # Whatever the feed handed out while we were replaying is in the log too.
                async for event in _replay(context, flt, last):
                    last = event.position
                    yield _pushed(context, event)
                subscriber.release(replayed_to=last)
            await subscriber.serve()
    except SubscriberLagging as lagging:
        reason = f"fell behind; resume after {lagging.last_position}"
        await _close(context, target, LAGGING_CLOSE_CODE, reason)
    except TokenExpired:
        await _close(context, target, EXPIRED_CLOSE_CODE, "token expired; reconnect with a new one")


async def _replay(
    context: Context, flt: EventFilter, after: int
) -> AsyncGenerator[StoredEvent, None]:
    while True:
        events = await _hub(context).read_log(context.tenant_id, after=after, flt=flt)
        for event in events:
            after = event.position
            yield event
        if len(events) < READ_BATCH:
            return


def _pushed(context: Context, event: StoredEvent) -> ReturnEventType:
    """A replayed event to send, if the connection's token is still valid: nothing reaches
    a subscriber whose credentials have expired."""
    principal = context.principal
    if principal is None or principal.expired(context.clock.now()):
        raise TokenExpired
    context.fresh_loaders()
    return ReturnEventType.from_stored(event)


async def _close(context: Context, target: PushTarget, code: int, reason: str) -> NoReturn:
    """Close the socket; a peer that takes not even the close frame within
    `CLOSE_TIMEOUT_SECONDS` is cut off."""
    if context.websocket is None:
        return
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await context.websocket.close(code=code, message=reason.encode())
    except TimeoutError:
        target.sink.abort()
    # The socket is gone and its handler cancels this operation; ending the stream here
    # would make strawberry send `complete` on the closed socket.
    await asyncio.Event().wait()


def _hub(context: Context) -> EventHub:
    if context.hub is None:
        raise RuntimeError("subscriptions need the app's EventHub in the context")
    return context.hub
