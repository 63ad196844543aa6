"""What the composition root (ops/bootstrap.py) builds once, from the settings: every
implementation the service runs on. Each face is handed this when the app is assembled
(`add_*_routes(app, wiring)`) and keeps what it needs; none looks it up anywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.event_hub import EventHub
from core.identities import Identities
from core.notifier import NotificationDispatcher
from core.photos import Photos
from core.portal_links import PortalLinks
from core.settings import Settings
from core.slip_references import SlipReferences
from core.staff import StaffAccounts
from core.status_links import StatusLinks
from core.throttle import AuthThrottle
from domain.customer_messages import MessageTemplate
from domain.ports import Clock
from persistence.database import Database
from persistence.idempotency import IdempotencyStore
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
    status: StatusLinks  # signed links to one request's status page
    slips: SlipReferences  # the signed references drop-off slips carry, for carriers to scan
    photos: Photos
    staff: StaffAccounts  # the desk's users, their sessions and password links
    # Why a merchant's e-mail template would not render (None: it does), tried before it is
    # saved; the renderer belongs to the mail sender (delivery/mail/render.py).
    template_problem: Callable[[MessageTemplate], str | None]
    owns_db: bool  # built here, so disposed of with the app (a test may lend its own)
