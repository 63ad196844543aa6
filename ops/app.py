"""The aiohttp application: its routes, middlewares and background jobs, over the
implementations ops/bootstrap.py builds."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from core.periodic import Job
from core.settings import Settings
from core.wiring import Wiring
from delivery.mail.sender import mail_job
from delivery.notifications import notification_job
from delivery.webhooks import webhook_job
from domain.ports import Clock
from edge.auth import token_endpoint
from edge.checks import shared_checks
from edge.cors import OriginPolicy
from edge.going_away import OpenWebsockets
from edge.logs import request_id_middleware
from edge.token_revocation import REVOKE_PATH, revoke_endpoint
from graphql_api.view import ReturnsGraphQLView, add_graphql_routes
from jobs.auto_close import auto_close_job
from jobs.event_sequencer import event_sequencer_job
from jobs.idempotency_purge import idempotency_purge_job
from jobs.runner import PeriodicJobs
from jobs.store_credit_expiry import store_credit_expiry_job
from ops.bootstrap import WIRING_KEY, bootstrap
from ops.dev_credentials import describe, ensure_dev_credentials
from ops.metrics.endpoint import install_metrics
from ops.metrics.registry import Metrics
from ops.metrics.state import JobsState
from pages import site
from pages.assets import add_static_routes, static_headers
from pages.desk.routes import add_desk_routes
from pages.mailbox import add_mailbox_routes
from pages.photos import add_photo_routes
from pages.portal.routes import add_portal_routes
from pages.templates import setup_templates
from persistence import migrate
from persistence.database import Database
from persistence.wakeups import PostgresWakeups
from rest import add_rest_routes
from rest.carriyo import serializers as carriyo_answers

log = logging.getLogger(__name__)
# False in the workers of `serve --workers N`: their supervisor printed the banner once.
PRINT_DEV_CREDENTIALS = web.AppKey("print_dev_credentials", bool)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def readyz(wiring: Wiring):  # type: ignore[no-untyped-def]
    """GET /readyz: ready when the database answers and its schema is at the latest
    migration."""

    async def handle(_request: web.Request) -> web.Response:
        return await _readiness(wiring.db)

    return handle


async def _readiness(db: Database) -> web.Response:
    try:
        current = await migrate.is_current(db)
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
    """The composition root's app: everything is built once (ops/bootstrap.py) and each face
    is handed what it serves with."""
    wiring = bootstrap(settings or Settings(), db=db, clock=clock)
    settings = wiring.settings
    origins = OriginPolicy(settings.allowed_origins, local_development=settings.dev_credentials)
    app = web.Application(
        middlewares=[
            request_id_middleware,
            origins.middleware(),
            static_headers,
            *shared_checks(wiring),
        ],
        client_max_size=settings.max_body_bytes,
    )
    app[WIRING_KEY] = wiring  # for operators' tools and tests; no face reads it
    metrics = install_metrics(app, wiring)
    dev = site.DevCredentials()  # filled in at start-up under make run
    graphql = _add_routes(app, wiring, origins, dev)
    metrics.graphql_usage = graphql.schema.usage
    app.on_startup.append(_startup(wiring, dev))
    app.cleanup_ctx.append(_event_delivery(wiring))
    runner = PeriodicJobs([*_jobs(wiring, metrics), graphql.session_expiry_job()])
    metrics.registry.register(JobsState(runner.records))
    app.cleanup_ctx.append(runner.cleanup_context)
    if wiring.owns_db:
        app.on_cleanup.append(_dispose(wiring))
    return app


def _jobs(wiring: Wiring, metrics: Metrics) -> list[Job]:
    """Every background job of a serving process, run by the one periodic runner."""
    settings = wiring.settings
    return [
        auto_close_job(wiring.units, settings.auto_close_interval_seconds),
        store_credit_expiry_job(wiring.units, settings.store_credit_expiry_interval_seconds),
        idempotency_purge_job(
            wiring.idempotency, wiring.clock, settings.idempotency_purge_interval_seconds
        ),
        event_sequencer_job(wiring.db, settings.event_sequencer_interval_seconds),
        webhook_job(
            wiring,
            carriyo_answers.return_request,  # webhook bodies speak Carriyo's return request
            metrics.webhook_attempt,
            settings.webhook_interval_seconds,
            settings.webhook_timeout_seconds,
            settings.webhook_allow_private_targets,
        ),
        notification_job(wiring.notifier),
        mail_job(wiring, settings.mail_interval_seconds),
    ]


def _add_routes(
    app: web.Application, wiring: Wiring, origins: OriginPolicy, dev: site.DevCredentials
) -> ReturnsGraphQLView:
    sockets = OpenWebsockets()
    app.on_shutdown.append(sockets.close_all)
    site_pages = site.add_page_routes(app, dev)
    graphql = add_graphql_routes(
        app, wiring, origins, ide_page=site_pages.graphiql, sockets=sockets
    )
    app.router.add_post("/oauth/token", token_endpoint(wiring))
    app.router.add_post(REVOKE_PATH, revoke_endpoint(wiring))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz(wiring))
    add_rest_routes(app, wiring)
    setup_templates(app)
    add_static_routes(app)
    add_portal_routes(app, wiring)
    add_desk_routes(app, wiring, dev)
    add_photo_routes(app, wiring)
    if wiring.settings.dev_mailbox_enabled():
        add_mailbox_routes(app, wiring)
    return graphql


def _event_delivery(wiring: Wiring):  # type: ignore[no-untyped-def]
    """On PostgreSQL, listen for commits of other processes; stop the feeds on shutdown."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        hub = wiring.hub
        wakeups = None
        if not wiring.db.is_sqlite:
            wakeups = PostgresWakeups(wiring.db, on_reconnect=hub.wake_all)
            wakeups.start()
        yield
        if wakeups is not None:
            await wakeups.stop()
        await hub.close()

    return context


def _startup(wiring: Wiring, dev: site.DevCredentials):  # type: ignore[no-untyped-def]
    settings = wiring.settings

    async def run(app: web.Application) -> None:
        database = wiring.db
        migrate_now = settings.migrate_on_start
        if migrate_now is None:
            migrate_now = database.is_sqlite
        if migrate_now:
            await migrate.upgrade(database)
            log.info("database migrated to %s", migrate.head_revision())
        if settings.dev_credentials:
            path = Path(settings.dev_credentials_file)
            headers = await ensure_dev_credentials(database, wiring.clock, path, settings)
            dev.headers.update(headers)
            dev.file = str(path)
            if app.get(PRINT_DEV_CREDENTIALS, True):
                print(describe(headers, path, settings.base_url()), flush=True)

    return run


def _dispose(wiring: Wiring):  # type: ignore[no-untyped-def]
    async def dispose(_app: web.Application) -> None:
        await wiring.db.dispose()

    return dispose
