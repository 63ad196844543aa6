"""The composition root (cosmicpython's `bootstrap`): every implementation the service runs on
is built here, once, from the settings. The app holds the result under `WIRING_KEY`;
handlers, background jobs and the CLI read what they need from it and build nothing of
their own, so swapping an implementation (another photo store, SMS gateway or clock) is
one change here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.photos import PhotoLimits
from domain.ports import Clock, NotificationSender, SystemClock
from graphql_api.auth import Identities
from graphql_api.notifications.dispatch import NotificationDispatcher
from graphql_api.notifications.senders import HttpSmsSender, LogSender
from graphql_api.portal.links import PortalLinks
from graphql_api.portal.photos import Photos
from graphql_api.pubsub import EventHub
from graphql_api.settings import Settings
from graphql_api.throttle import AuthThrottle
from persistence.database import Database
from persistence.idempotency import IdempotencyStore
from persistence.photo_store import LocalPhotoStore
from persistence.unit_of_work import UnitsOfWork


@dataclass(frozen=True)
class Wiring:
    settings: Settings
    db: Database
    clock: Clock
    units: UnitsOfWork  # every write's unit of work comes from here
    identities: Identities  # who bearer tokens belong to, cached for their lifetime
    throttle: AuthThrottle  # failed authentication, counted and slowed down per process
    idempotency: IdempotencyStore
    hub: EventHub  # subscriptions' live events
    notifier: NotificationDispatcher  # customer notifications, sent after the answer
    portal: PortalLinks  # signed links to the customer return portal
    photos: Photos
    owns_db: bool  # built here, so disposed of with the app (a test may lend its own)


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
