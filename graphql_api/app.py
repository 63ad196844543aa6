"""The aiohttp application: its routes, middlewares and background jobs, over the
implementations graphql_api/bootstrap.py builds."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web
from cross_web import HTTPException
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from domain.access import Principal
from domain.errors import ErrorCode
from domain.ports import Clock
from domain.values import Actor
from graphql_api.app_keys import WIRING_KEY
from graphql_api.auth import (
    PRINCIPAL_KEY,
    principal_from_params,
    token_endpoint,
)
from graphql_api.auto_close import periodic_auto_close
from graphql_api.bootstrap import bootstrap
from graphql_api.context import GRAPHQL_SOURCE, Context, request_context
from graphql_api.cors import OriginPolicy
from graphql_api.desk.routes import add_desk_routes
from graphql_api.dev_credentials import describe, ensure_dev_credentials
from graphql_api.going_away import opened, track_websockets
from graphql_api.http_checks import MIDDLEWARES, Face, attach
from graphql_api.idempotency_header import graphql_refusal, key_in_mutation_input
from graphql_api.json_input import encodes_as_utf8
from graphql_api.logs import request_id_middleware
from graphql_api.metrics.endpoint import install_metrics
from graphql_api.notifications.dispatch import (
    notification_delivery,
)
from graphql_api.portal.photos import add_photo_routes
from graphql_api.portal.routes import add_portal_routes
from graphql_api.prepared import PreparedQueries
from graphql_api.rest import add_rest_routes
from graphql_api.schema import build_schema
from graphql_api.settings import Settings
from graphql_api.web import pages
from graphql_api.web.assets import add_static_routes, static_headers
from graphql_api.web.templates import setup_templates
from graphql_api.webhooks.dispatcher import webhook_delivery
from graphql_api.websocket import LegacyWSHandler, TransportWSHandler
from persistence import migrate
from persistence.database import Database
from persistence.wakeups import PostgresWakeups

log = logging.getLogger(__name__)
# False in the workers of `serve --workers N`: their supervisor printed the banner once.
PRINT_DEV_CREDENTIALS = web.AppKey("print_dev_credentials", bool)


class ReturnsGraphQLView(GraphQLView[Context, None]):
    heartbeat_seconds: float = 30
    origins: OriginPolicy = OriginPolicy(())
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    prepared: PreparedQueries

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
        """A body of `"x"`, `42` or `null` is a client mistake (400), not a server error;
        so is a NUL character, which no field accepts and PostgreSQL cannot store, and
        so are bytes that are not UTF-8."""
        try:
            text = data.decode() if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not UTF-8") from None
        if "\x00" in text or "\\u0000" in text.lower():
            raise HTTPException(400, "NUL characters are not accepted")
        try:
            parsed = super().parse_json(text)
            if not isinstance(parsed, dict | list):
                raise HTTPException(400, "The request body must be a JSON object")
            if not encodes_as_utf8(parsed):
                raise HTTPException(400, "Strings must be valid Unicode (no lone surrogates)")
        except RecursionError:
            raise HTTPException(400, "The request body is nested too deeply") from None
        return parsed

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """strawberry's view, after the shared checks (graphql_api/http_checks.py), with
        its refusals of malformed requests (400, 405, 415) in the GraphQL error shape
        rather than as plain text."""
        try:
            if (answer := await self.prepared.answer(self, request)) is not None:
                return answer
            return await self.run(request=request)
        except HTTPException as error:
            return _refused(error.status_code, error.reason)

    def needs_credentials(self, request: web.Request) -> bool:
        """Every request but the GraphiQL page (it executes nothing) and a websocket
        upgrade (it authenticates in connection_init)."""
        return not (self._is_ide_page(request) or self.is_websocket_request(request))

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        """Our GraphiQL page: its files come from this app, not a CDN (works offline)."""
        return pages.graphiql(request)

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
        opened(request, ws)  # closed with 1001 on shutdown (graphql_api/going_away.py)
        return ws

    async def on_ws_connect(self, context: Context) -> None:
        """connection_init must carry the same credentials as HTTP calls, as its payload:
        `{"Authorization": "Bearer …", "x-api-key": "…", "tenant-id": "…"}`."""
        assert context.identities is not None, "request_context sets them"
        principal = await principal_from_params(
            context.connection_params, context.identities, context.clock
        )
        if principal is None:
            raise ConnectionRejectionError({"code": ErrorCode.UNAUTHENTICATED.value})
        context.principal = principal
        context.tenant_id = principal.tenant_id
        context.actor = Actor(source=GRAPHQL_SOURCE, user=principal.client_id)
        context.fresh_loaders()

    async def get_context(self, request: web.Request, response: Any) -> Context:
        principal: Principal | None = request.get(PRINCIPAL_KEY)
        context = request_context(request, principal, source=GRAPHQL_SOURCE)
        if isinstance(response, web.WebSocketResponse):
            context.websocket = response
        return context


def _refused(status: int, message: str) -> web.Response:
    """A malformed request strawberry refused, in the shape of GraphQL's own errors."""
    return graphql_refusal(status, ErrorCode.INVALID_INPUT, message)


async def _mutation_input_key(request: web.Request) -> str | None:
    return key_in_mutation_input(await request.read())


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and its schema is at the latest migration."""
    try:
        current = await migrate.is_current(request.app[WIRING_KEY].db)
    except Exception:
        log.exception("readiness check could not reach the database")
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    if not current:
        return web.json_response(
            {"status": "unavailable", "database": "migrations pending"}, status=503
        )
    return web.json_response({"status": "ready"})


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, clock: Clock | None = None
) -> web.Application:
    settings = settings or Settings()
    origins = OriginPolicy(settings.allowed_origins, local_development=settings.dev_credentials)
    app = web.Application(
        middlewares=[request_id_middleware, origins.middleware(), static_headers, *MIDDLEWARES],
        client_max_size=settings.max_body_bytes,
    )
    app[WIRING_KEY] = bootstrap(settings, db=db, clock=clock)
    view = ReturnsGraphQLView(
        schema=build_schema(
            settings.graphql_limits(), compare_executors=settings.graphql_compare_executors
        ),
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=_protocols(settings),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
    )
    view.origins = origins
    view.prepared = PreparedQueries(
        view.schema,
        settings.graphql_limits(),
        enabled=settings.graphql_prepared_queries,
        compare=settings.graphql_compare_executors,
    )
    view.heartbeat_seconds = settings.ws_heartbeat_seconds
    attach(
        view,
        Face(
            refuse=graphql_refusal,
            needs_credentials=view.needs_credentials,
            input_key=_mutation_input_key,
        ),
    )
    app.router.add_route("*", "/graphql", view)
    app.router.add_post("/oauth/token", token_endpoint)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    add_rest_routes(app)
    setup_templates(app)
    add_static_routes(app)
    pages.add_page_routes(app)
    add_portal_routes(app)
    add_desk_routes(app)
    add_photo_routes(app)
    app.on_startup.append(_startup(settings))
    app.cleanup_ctx.append(periodic_auto_close(settings.auto_close_interval_seconds))
    app.cleanup_ctx.append(_event_delivery)
    app.cleanup_ctx.append(
        webhook_delivery(
            settings.webhook_interval_seconds,
            settings.webhook_timeout_seconds,
            settings.webhook_allow_private_targets,
        )
    )
    app.cleanup_ctx.append(notification_delivery)
    install_metrics(app, settings.metrics_token)
    track_websockets(app)
    if app[WIRING_KEY].owns_db:
        app.on_cleanup.append(_dispose)
    return app


def _protocols(settings: Settings) -> tuple[str, ...]:
    if settings.ws_legacy_protocol:
        return (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL)
    return (GRAPHQL_TRANSPORT_WS_PROTOCOL,)


async def _event_delivery(app: web.Application) -> AsyncIterator[None]:
    """On PostgreSQL, listen for commits of other processes; stop the feeds on shutdown."""
    hub = app[WIRING_KEY].hub
    wakeups = None
    if not app[WIRING_KEY].db.is_sqlite:
        wakeups = PostgresWakeups(app[WIRING_KEY].db, on_reconnect=hub.wake_all)
        wakeups.start()
    yield
    if wakeups is not None:
        await wakeups.stop()
    await hub.close()


def _startup(settings: Settings):  # type: ignore[no-untyped-def]
    async def run(app: web.Application) -> None:
        database = app[WIRING_KEY].db
        migrate_now = settings.migrate_on_start
        if migrate_now is None:
            migrate_now = database.is_sqlite
        if migrate_now:
            await migrate.upgrade(database)
            log.info("database migrated to %s", migrate.head_revision())
        if settings.dev_credentials:
            path = Path(settings.dev_credentials_file)
            headers = await ensure_dev_credentials(database, app[WIRING_KEY].clock, path)
            app[pages.DEV_CREDENTIALS_KEY].headers.update(headers)
            app[pages.DEV_CREDENTIALS_KEY].file = str(path)
            if app.get(PRINT_DEV_CREDENTIALS, True):
                print(describe(headers, path, settings.base_url()), flush=True)

    return run


async def _dispose(app: web.Application) -> None:
    await app[WIRING_KEY].db.dispose()
