"""The composition root (cosmicpython's `bootstrap`): every implementation the service runs on
is built here, once, from the settings, into a `Wiring` (core/wiring.py). ops/app.py hands
it to each face as it assembles the app, and the CLI uses it directly; nothing below builds
its own, so swapping an implementation (another photo store, SMS gateway or clock) is one
change here."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from core.event_hub import EventHub
from core.identities import Identities
from core.notifier import NotificationDispatcher
from core.photos import Photos
from core.portal_links import PortalLinks
from core.settings import Settings
from core.status_links import StatusLinks
from core.throttle import AuthThrottle
from core.wiring import Wiring
from delivery.senders import HttpSmsSender, LogSender
from domain.photos import PhotoLimits
from domain.ports import Clock, NotificationSender, SystemClock
from persistence.database import Database
from persistence.idempotency import IdempotencyStore
from persistence.photo_store import LocalPhotoStore
from persistence.unit_of_work import UnitsOfWork

# The app keeps what it was built from, for operators' tools and tests; faces are handed it.
WIRING_KEY: web.AppKey[Wiring] = web.AppKey("wiring", Wiring)


def bootstrap(
    settings: Settings, *, db: Database | None = None, clock: Clock | None = None
) -> Wiring:
    database = db or Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    clock = clock or SystemClock()
    units = UnitsOfWork(database, clock)
    return Wiring(
        settings=settings,
        db=database,
        clock=clock,
        units=units,
        identities=Identities(database, ttl=settings.auth_cache_seconds),
        throttle=AuthThrottle(
            clock,
            per_subject=settings.auth_failures_per_minute,
            per_address=settings.auth_failures_per_address_per_minute,
            proxy_hops=settings.trusted_proxy_hops,
        ),
        idempotency=IdempotencyStore(
            database, lease=timedelta(seconds=settings.idempotency_lease_seconds)
        ),
        hub=EventHub(
            database,
            clock,
            queue_size=settings.subscriber_queue_size,
            poll_interval=settings.event_poll_seconds,
        ),
        notifier=NotificationDispatcher(
            units,
            _sender(settings),
            # Well past the longest attempt, so a delivery in flight is never taken twice.
            stalled_after=timedelta(seconds=max(120, 3 * settings.sms_gateway_timeout_seconds)),
        ),
        portal=PortalLinks(
            key=settings.portal_key(),
            base_url=settings.base_url(),
            ttl=timedelta(seconds=settings.portal_link_ttl_seconds),
        ),
        status=StatusLinks(
            key=settings.portal_key(),
            base_url=settings.base_url(),
            ttl=timedelta(seconds=settings.status_link_ttl_seconds),
        ),
        photos=Photos(
            LocalPhotoStore(settings.photo_dir),
            PhotoLimits(settings.photo_max_bytes, settings.photo_max_per_item),
        ),
        owns_db=db is None,
    )


def _sender(settings: Settings) -> NotificationSender:
    if settings.sms_gateway_url is None:
        return LogSender()
    token = settings.sms_gateway_token
    return HttpSmsSender(
        settings.sms_gateway_url,
        token=token.get_secret_value() if token else None,
        timeout_seconds=settings.sms_gateway_timeout_seconds,
    )
