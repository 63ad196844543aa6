"""A portal form makes at most one return: each rendered form carries a one-time submission
key (`submission`, made when the page is rendered), claimed in the API's idempotency store
(persistence/idempotency.py) before the return is created. A double click, a replay or a
concurrent copy of the form finds the key taken and lands on the return the first one made.

A copy sent while the first still runs waits for it (the store's lease says it runs), then
answers as the first did. A refused form gives its key back, so the corrected form may use
it; an accepted one stores the return's id as the key's answer (never the link's token).
The key is scoped to the tenant and fingerprinted with the order: the same key on another
order's form is refused."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass

from domain.orders import Order
from domain.ports import Clock
from edge.idempotency_header import fingerprint
from persistence.idempotency import ClaimOutcome, IdempotencyStore, KeyClaim

FIELD = "submission"
KEY = re.compile(r"[A-Za-z0-9_-]{32}")
KEY_PREFIX = "portal-form:"  # apart from the keys API clients choose
WAIT_STEP_SECONDS = 0.1
MAX_WAIT_SECONDS = 15.0
SEE_OTHER = 303


def new_key() -> str:
    return secrets.token_urlsafe(24)


def form_key(value: str) -> str | None:
    """The form's key, if it is one we could have made; anything else counts as none."""
    return value if KEY.fullmatch(value) else None


@dataclass(frozen=True)
class Earlier:
    """What an earlier copy of this form made: its return, or None when it is not known
    (its answer was lost in a crash, or it still runs after the wait): the order page then
    lists the order's returns."""

    return_id: str | None
    conflict: bool = False  # the key belongs to another order's form


@dataclass(frozen=True)
class Submissions:
    store: IdempotencyStore
    clock: Clock
    tenant_id: str
    order: Order

    async def claim(self, key: str | None) -> KeyClaim | Earlier | None:
        """The key to do the work under (None: the form has no key), or what an earlier
        copy did."""
        if key is None:
            return None
        print_ = fingerprint(b"", f"portal {self.order.merchant}", self.order.reference)
        waited = 0.0
        while True:
            claim = await self.store.claim(
                self.tenant_id, KEY_PREFIX + key, print_, self.clock.now()
            )
            if claim.held is not None:
                return claim.held
            if claim.outcome != ClaimOutcome.IN_PROGRESS or waited >= MAX_WAIT_SECONDS:
                return _earlier(claim.outcome, claim.response)
            await asyncio.sleep(WAIT_STEP_SECONDS)
            waited += WAIT_STEP_SECONDS

    async def done(self, held: KeyClaim | None, return_id: str) -> None:
        if held is not None:
            await self.store.complete(held, SEE_OTHER, json.dumps({"created": return_id}))

    async def give_back(self, held: KeyClaim | None) -> None:
        """The form was refused (or failed): nothing was made under its key."""
        if held is not None:
            await self.store.release(held, self.clock.now())


def _earlier(outcome: ClaimOutcome, response: str | None) -> Earlier:
    if outcome == ClaimOutcome.MISMATCH:
        return Earlier(None, conflict=True)
    if outcome == ClaimOutcome.REPLAY and response:
        return Earlier(json.loads(response).get("created"))
    return Earlier(None)
