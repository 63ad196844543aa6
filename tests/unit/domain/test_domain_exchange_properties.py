"""Exchange invariants under any sequence of approve (part), reject, cancel, split, receive,
release, payment and conversion (issue 27): each returned unit has at most one live
exchange line, the difference due is exchange total - (returned value - fees), and nothing
is released twice."""

from __future__ import annotations

import contextlib
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain import events as ev
from domain.currencies import round_money
from domain.eligibility import ANY_CODE, BaseRules
from domain.errors import DomainError
from domain.exchange_lines import ExchangeItem
from domain.lifecycle import APPROVED_FAMILY
from domain.parts import RefundOutcome
from domain.returns import ReturnRequest
from domain.variants import ExchangeRelease, OutOfStockFallback
from tests.unit.domain.conftest import (
    ACTOR,
    DROPOFF,
    NOW,
    PICKUP,
    create_request,
    item_requests,
    make_catalogue,
    make_order,
)

LINES = {"SKU-A": (4, 4, Decimal("100.00")), "SKU-B": (3, 3, Decimal("49.50"))}
TARGETS = {"SKU-A": ["SHIRT-S", "SHIRT-L", "SKU-A"], "SKU-B": ["MUG-BLUE", "SKU-B"]}


def counted(request: ReturnRequest) -> Counter:
    return Counter(request.counted_units())


class ExchangeMachine(RuleBasedStateMachine):
    @initialize(
        a=st.integers(1, 4),
        b=st.integers(0, 3),
        asks=st.lists(
            st.tuples(st.sampled_from(["SKU-A", "SKU-B"]), st.integers(0, 2), st.integers(1, 2)),
            max_size=3,
        ),
        release_on=st.sampled_from(list(ExchangeRelease)),
        fallback=st.sampled_from(list(OutOfStockFallback)),
    )
    def start(self, a, b, asks, release_on, fallback):
        self.catalogue = make_catalogue(release_on=release_on, out_of_stock_fallback=fallback)
        items = {"SKU-A": a} | ({"SKU-B": b} if b else {})
        exchange = [
            ExchangeItem(TARGETS[sku][index % len(TARGETS[sku])], quantity, sku)
            for sku, index, quantity in asks
            if sku in items
        ]
        try:
            first = create_request(
                make_order(LINES),
                item_requests(items),
                BaseRules(),
                NOW,
                ACTOR,
                pickup=PICKUP,
                dropoff=DROPOFF,
                exchange_items=exchange,
                catalogue=self.catalogue,
            )
        except DomainError:
            first = create_request(
                make_order(LINES),
                item_requests(items),
                BaseRules(),
                NOW,
                ACTOR,
                pickup=PICKUP,
                dropoff=DROPOFF,
            )
        self.requests = [first]
        self.released: list[ev.DomainEvent] = []

    def _attempt(self, index: int, change) -> None:
        request = self.requests[index % len(self.requests)]
        with contextlib.suppress(DomainError):
            result = change(request)
            if isinstance(result, ReturnRequest):
                self.requests.append(result)
        for each in self.requests:
            self.released += [e for e in each.pull_events() if isinstance(e, ev.ExchangeReleased)]

    @rule(i=st.integers(0, 5), a=st.integers(0, 4), b=st.integers(0, 3))
    def approve(self, i, a, b):
        def change(r: ReturnRequest) -> None:
            r.approve(
                at=NOW,
                actor=ACTOR,
                rules=BaseRules(),
                quantities={"SKU-A": a, "SKU-B": b},
                rejection_reason="worn",
            )
            r.release_exchange(
                self.catalogue, at=NOW, actor=ACTOR, ship_to=None, trigger=ExchangeRelease.APPROVAL
            )

        self._attempt(i, change)

    @rule(i=st.integers(0, 5))
    def reject(self, i):
        self._attempt(i, lambda r: r.reject(at=NOW, actor=ACTOR, reason="no", rules=ANY_CODE))

    @rule(i=st.integers(0, 5))
    def cancel(self, i):
        self._attempt(i, lambda r: r.cancel(at=NOW, actor=ACTOR))

    @rule(i=st.integers(0, 5), sku=st.sampled_from(["SKU-A", "SKU-B"]), q=st.integers(1, 3))
    def split(self, i, sku, q):
        self._attempt(
            i, lambda r: r.split(at=NOW, actor=ACTOR, quantities={sku: q}, rules=ANY_CODE)
        )

    @rule(i=st.integers(0, 5), sku=st.sampled_from(["SKU-A", "SKU-B"]), q=st.integers(1, 3))
    def receive(self, i, sku, q):
        def change(r: ReturnRequest) -> None:
            r.receive(at=NOW, actor=ACTOR, quantities={sku: q}, rules=ANY_CODE)
            r.release_exchange(
                self.catalogue, at=NOW, actor=ACTOR, ship_to=None, trigger=ExchangeRelease.RECEIPT
            )

        self._attempt(i, change)

    @rule(i=st.integers(0, 5), trigger=st.sampled_from([None, *ExchangeRelease]))
    def release(self, i, trigger):
        self._attempt(
            i,
            lambda r: r.release_exchange(
                self.catalogue, at=NOW, actor=ACTOR, ship_to=None, trigger=trigger
            ),
        )

    @rule(i=st.integers(0, 5))
    def pay_what_is_owed(self, i):
        def change(r: ReturnRequest) -> None:
            for balance in r.balance():
                if balance.unpaid > 0:
                    r.record_exchange_payment(
                        amount=balance.unpaid,
                        currency=balance.currency,
                        catalogue=self.catalogue,
                        at=NOW,
                        actor=ACTOR,
                        ship_to=None,
                    )

        self._attempt(i, change)

    @rule(i=st.integers(0, 5), n=st.integers(1, 6))
    def convert(self, i, n):
        self._attempt(
            i, lambda r: r.convert_exchange(f"XL-{n}", RefundOutcome.MONEY, at=NOW, actor=ACTOR)
        )

    @invariant()
    def each_returned_unit_has_at_most_one_live_exchange_line(self):
        for request in self.requests:
            live: Counter = Counter()
            for line in request.exchange_lines:
                if line.is_live:
                    live[line.replaces_sku] += line.quantity
            for sku, quantity in live.items():
                assert quantity <= counted(request)[sku], (sku, request.exchange_lines)

    @invariant()
    def difference_due_is_exchange_total_less_returned_value_less_fees(self):
        for request in self.requests:
            for balance in request.balance():
                exchange = sum((x.total for x in request.exchange_lines if x.is_live), Decimal(0))
                units = counted(request)
                returned = sum((i.unit_price * units[i.sku] for i in request.items), Decimal(0))
                fees = balance.fees if request.status in APPROVED_FAMILY else 0
                expected = (
                    round_money(exchange - (returned - fees), balance.currency) if exchange else 0
                )
                assert balance.difference_due == expected
                assert balance.difference_due is not None

    @invariant()
    def nothing_is_released_twice(self):
        lines = Counter(
            (event.return_request_id, line[0]) for event in self.released for line in event.lines
        )
        assert all(count == 1 for count in lines.values()), lines
        for request in self.requests:
            ids = [x.line_id for x in request.exchange_lines]
            assert len(ids) == len(set(ids))


ExchangeMachine.TestCase.settings = settings(
    max_examples=120,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_exchange_invariants = ExchangeMachine.TestCase
