"""/graphql: POST through our pipeline (graphql_api/pipeline.py); GET, GraphiQL's page and
websockets through strawberry's view, with our checks and answers. Both apply the schema's
one list of policies (graphql_api/policies.py)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
from aiohttp import web
from cross_web import HTTPException
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from core.context import GRAPHQL_SOURCE, Context
from core.periodic import Job
from core.settings import Settings
from core.throttle import Kind
from core.wiring import Wiring
from domain.access import Principal, secret_hash
from domain.errors import ErrorCode, TooManyRequests
from domain.values import Actor
from edge.auth import principal_from_params
from edge.checks import Face, attach
from edge.cors import OriginPolicy
from edge.going_away import OpenWebsockets
from edge.idempotency_header import graphql_refusal, key_in_mutation_input
from edge.staff_sessions import CSRF_HEADER, session_cookie
from graphql_api.limits import GraphQLLimits
from graphql_api.pipeline import PostPipeline, decode_body, http_context
from graphql_api.policies import Policy
from graphql_api.schema import ReturnsSchema, build_schema
from graphql_api.websocket import LegacyWSHandler, TransportWSHandler

SESSION_ENDED = 4403  # as for a token that expires: the client re-authenticates


class ReturnsGraphQLView(GraphQLView[Context, None]):
    schema: ReturnsSchema
    heartbeat_seconds: float = 30
    origins: OriginPolicy = OriginPolicy(())
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    pipeline: PostPipeline
    wiring: Wiring
    ide_page: Callable[[web.Request], web.Response]
    sockets: OpenWebsockets
    # Sockets a desk session opened: (user id, the session cookie's SHA-256), held weakly.
    staff_sockets: weakref.WeakKeyDictionary[web.WebSocketResponse, tuple[str, str]]
    _closing: set[asyncio.Future[None]]

    def is_websocket_origin_allowed(self, request: web.Request, origin: str) -> bool:
        """Cross-origin websocket upgrades follow the same list as CORS."""
        return self.origins.allows(origin)

    def create_response(self, response_data: Any, sub_response: web.Response) -> web.Response:
        """The answer as compact UTF-8 JSON, encoded by orjson (a page of 100 returns took
        milliseconds with the standard library)."""
        sub_response.body = orjson.dumps(response_data)
        sub_response.content_type = "application/json"
        return sub_response

    def parse_json(self, data: str | bytes) -> Any:
        """GET's variables and extensions: checked as a POST body is."""
        return decode_body(data)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """POST through the pipeline, the rest through strawberry's view, after the shared
        checks (edge/checks.py); refusals of malformed requests (400, 405, 415) in the
        GraphQL error shape rather than as plain text."""
        try:
            if request.method == "POST":
                return await self.pipeline.answer(request)
            return await self.run(request=request)
        except HTTPException as error:
            return _refused(error.status_code, error.reason)

    def needs_credentials(self, request: web.Request) -> bool:
        """Every request but the GraphiQL page (it executes nothing) and a websocket
        upgrade (it authenticates in connection_init); both are GETs, and a POST, the
        common case, is answered without building a websocket response to ask."""
        if request.method == "POST":
            return True
        return not (self._is_ide_page(request) or self.is_websocket_request(request))

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        """Our GraphiQL page (pages/), handed in by the app: its files come from this app,
        not a CDN (works offline)."""
        return self.ide_page(request)

    def _is_ide_page(self, request: web.Request) -> bool:
        return (
            request.method == "GET"
            and self.graphql_ide is not None
            and "query" not in request.query
            and "text/html" in request.headers.get("Accept", "")
        )

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        """Like strawberry's, plus a heartbeat: a peer that stops answering pings is dropped
        and its subscriptions end. No permessage-deflate: event frames are small, and
        compressing each one per connection would undo rendering it once for all."""
        ws = web.WebSocketResponse(
            protocols=[subprotocol] if subprotocol else [],
            heartbeat=self.heartbeat_seconds,
            compress=False,
        )
        await ws.prepare(request)
        self.sockets.opened(ws)  # closed with 1001 on shutdown (edge/going_away.py)
        return ws

    async def on_ws_connect(self, context: Context) -> None:
        """connection_init must carry the same credentials as HTTP calls, as its payload:
        `{"Authorization": "Bearer …", "x-api-key": "…", "tenant-id": "…"}`. Wrong ones
        count against the address as on HTTP; a throttled address is refused unheard."""
        assert context.identities is not None, "request_context sets them"
        throttle = self.wiring.throttle
        attempt = context.credentials_attempt
        try:
            if attempt is not None:
                throttle.check(attempt)
        except TooManyRequests as refused:
            raise ConnectionRejectionError({"code": refused.code.value}) from None
        principal = await self._staff_principal(context)
        if principal is None:
            principal = await principal_from_params(
                context.connection_params, context.identities, context.clock
            )
        if principal is None:
            if attempt is not None and context.connection_params:
                throttle.failed(attempt)
            raise ConnectionRejectionError({"code": ErrorCode.UNAUTHENTICATED.value})
        context.principal = principal
        context.tenant_id = principal.tenant_id
        context.actor = Actor(source=GRAPHQL_SOURCE, user=principal.actor_name)
        context.fresh_loaders()

    async def _staff_principal(self, context: Context) -> Principal | None:
        """A desk's socket: its upgrade carried the session cookie (the browser sends it;
        the upgrade's Origin is checked), and connection_init carries the session's CSRF
        token, which only the desk's own page can know."""
        params = context.connection_params
        if not isinstance(params, dict) or context.session_cookie is None:
            return None
        given = {str(name).lower(): value for name, value in params.items()}
        if "authorization" in given:
            return None
        current = await self.wiring.staff.current(context.session_cookie)
        if current is None or not current.csrf_matches(given.get(CSRF_HEADER.lower())):
            return None
        if context.websocket is not None:
            self.staff_sockets[context.websocket] = (
                current.session.user.id,
                secret_hash(current.cookie),
            )
        return Principal.of_staff(current.session)

    def sessions_ended(self, user_id: str, token_hash: str | None) -> None:
        """Close (4403) this process's sockets of sessions that just ended: signed out
        (that session's), a new password or the user disabled (all of the user's). The
        desk then reads its session again and, finding none, shows the sign-in form."""
        for ws, (user, session) in list(self.staff_sockets.items()):
            if user == user_id and token_hash in (None, session) and not ws.closed:
                self._close_ended(ws)

    async def close_expired_sessions(self) -> int:
        """Close (4403) the sockets whose sessions are no longer valid: past their end (idle
        or absolute, as HTTP use extended them), or ended while this process was not
        listening. Returns how many it closed."""
        open_ = [(ws, found) for ws, found in list(self.staff_sockets.items()) if not ws.closed]
        if not open_:
            return 0
        live = await self.wiring.staff.live_sessions({session for _, (_, session) in open_})
        closing = [ws for ws, (_, session) in open_ if session not in live]
        for ws in closing:
            self._close_ended(ws)
        return len(closing)

    def session_expiry_job(self) -> Job:
        interval = self.wiring.settings.staff_session_sweep_seconds
        return Job("desk-session-expiry", interval, self.close_expired_sessions)

    def _close_ended(self, ws: web.WebSocketResponse) -> None:
        task = asyncio.ensure_future(_end(ws))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def get_context(self, request: web.Request, response: Any) -> Context:
        context = http_context(request, self.wiring)
        if isinstance(response, web.WebSocketResponse):
            context.websocket = response
            context.credentials_attempt = self.wiring.throttle.attempt(
                Kind.API_CREDENTIALS, request
            )
            context.session_cookie = session_cookie(request)
        return context


async def _end(ws: web.WebSocketResponse) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):  # the peer went first
        await ws.close(code=SESSION_ENDED, message=b"the desk session has ended")


def _refused(status: int, message: str) -> web.Response:
    """A malformed request strawberry refused, in the shape of GraphQL's own errors."""
    return graphql_refusal(status, ErrorCode.INVALID_INPUT, message)


async def _mutation_input_key(request: web.Request) -> str | None:
    return key_in_mutation_input(await request.read())


def add_graphql_routes(
    app: web.Application,
    wiring: Wiring,
    origins: OriginPolicy,
    *,
    ide_page: Callable[[web.Request], web.Response],
    sockets: OpenWebsockets,
    policies: list[Policy] | None = None,
) -> ReturnsGraphQLView:
    """Serve /graphql (and GraphiQL's page, `ide_page`, on a browser's GET). `policies`:
    the schema's standard ones (graphql_api/schema.py) when None."""
    settings = wiring.settings
    schema = build_schema(
        GraphQLLimits.from_settings(settings),
        compare_executors=settings.graphql_compare_executors,
        policies=policies,
    )
    view = ReturnsGraphQLView(
        schema=schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=_protocols(settings),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
    )
    view.origins = origins
    compare = settings.graphql_compare_executors
    view.pipeline = PostPipeline(schema, wiring, reference=view.run if compare else None)
    view.heartbeat_seconds = settings.ws_heartbeat_seconds
    attach(
        view,
        Face(
            refuse=graphql_refusal,
            needs_credentials=view.needs_credentials,
            input_key=_mutation_input_key,
            sessions=True,
        ),
    )
    app.router.add_route("*", "/graphql", view)
    view.wiring = wiring
    view.ide_page = ide_page
    view.sockets = sockets
    view.staff_sockets = weakref.WeakKeyDictionary()
    view._closing = set()
    wiring.staff.on_sessions_ended(view.sessions_ended)
    return view


def _protocols(settings: Settings) -> tuple[str, ...]:
    if settings.ws_legacy_protocol:
        return (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL)
    return (GRAPHQL_TRANSPORT_WS_PROTOCOL,)
