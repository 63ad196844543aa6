"""Properties of the aggregate that must hold for any input, checked with hypothesis: split
conservation, approval arithmetic, receipt bounds, refund bounds, and a state machine that
drives random commands and checks the invariants after every step."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from domain import events as ev
from domain.eligibility import ANY_CODE
from domain.errors import DomainError
from domain.lifecycle import APPROVED_FAMILY, ReturnStatus
from domain.returns import ReturnRequest

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# A bigger order than the default one, so that quantities have room to vary.
LINES = {
    "SKU-A": (5, 5, Decimal("100.00")),
    "SKU-B": (4, 4, Decimal("49.50")),
    "SKU-C": (3, 3, Decimal("0.333")),
}
SKUS = list(LINES)

requested_items = st.dictionaries(
    st.sampled_from(SKUS), st.integers(min_value=1, max_value=3), min_size=1, max_size=3
)
any_quantity = st.integers(min_value=-1, max_value=6)
money = st.one_of(
    st.decimals(min_value=Decimal("-5"), max_value=Decimal("400"), places=2),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("2"), places=4),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("0.001"), Decimal("249.5")]),
)
currencies = st.sampled_from(["AED", "USD"])
# Terminal moves end the interesting part of a run, so they come up less often.
sometimes = st.integers(min_value=0, max_value=3).map(lambda n: n == 0)


def _totals(requests, attr: str) -> Counter:
    totals: Counter = Counter()
    for request in requests:
        for item in request.items:
            totals[item.sku] += getattr(item, attr)
    return totals


def _snapshot(request: ReturnRequest) -> tuple:
    return (
        request.status,
        tuple(
            (i.sku, i.quantity, i.approved_quantity, i.rejected_quantity, i.received_quantity)
            for i in request.items
        ),
        tuple(r.id for r in request.refunds),
        len(request.events),
    )


def _check_quantities(request: ReturnRequest) -> None:
    decided = request.status in APPROVED_FAMILY or request.status == ReturnStatus.REJECTED
    for item in request.items:
        assert item.quantity >= 1, item
        assert item.approved_quantity >= 0
        assert item.rejected_quantity >= 0
        assert item.approved_quantity + item.rejected_quantity <= item.quantity
        if decided:
            assert item.approved_quantity + item.rejected_quantity == item.quantity, item
        if request.status.is_undecided:
            assert item.approved_quantity == item.rejected_quantity == 0, item
        assert 0 <= item.received_quantity <= item.approved_quantity, item
        assert item.returned_quantity >= item.received_quantity


def _check_refunds(request: ReturnRequest) -> None:
    for total in request.refund_totals():
        assert total.refunded <= total.approved_value, (request.id, total)
    if request.status not in APPROVED_FAMILY:
        assert request.refunds == []


# ------------------------------------------------------------------ (a) split conservation


@SETTINGS
@given(
    items=requested_items,
    approve=st.booleans(),
    approvals=st.dictionaries(st.sampled_from(SKUS), st.integers(min_value=0, max_value=3)),
    moves=st.dictionaries(st.sampled_from([*SKUS, "SKU-Z"]), any_quantity, max_size=3),
)
def test_split_conserves_requested_approved_and_rejected_units_per_sku(
    build_order, build_request, rules, now, actor, items, approve, approvals, moves
):
    original = build_request(items, order=build_order(LINES))
    if approve:
        valid = {s: min(q, items[s]) for s, q in approvals.items() if s in items}
        # Approving zero units is refused: then the pending request is split instead.
        with contextlib.suppress(DomainError):
            original.approve(
                at=now, actor=actor, rules=rules, quantities=valid, rejection_reason="partial"
            )
    before = {a: _totals([original], a) for a in ("quantity", "approved_quantity")}
    before["rejected_quantity"] = _totals([original], "rejected_quantity")
    snapshot = _snapshot(original)

    try:
        new = original.split(rules=ANY_CODE, at=now, actor=actor, quantities=moves)
    except DomainError:
        assert _snapshot(original) == snapshot, "a refused split changes nothing"
        return

    for attr, totals in before.items():
        assert _totals([original, new], attr) == totals, attr
    assert new.status == original.status
    assert new.split_from == original.id
    assert _totals([new], "quantity") == Counter(moves)
    decided = original.status in APPROVED_FAMILY
    remaining = _totals([original], "approved_quantity" if decided else "quantity")
    assert sum(remaining.values()) >= 1
    for part in (original, new):
        _check_quantities(part)


# ------------------------------------------------------------------ (b) approval arithmetic


@SETTINGS
@given(items=requested_items, data=st.data())
def test_approve_with_any_valid_quantities_approves_plus_rejects_every_requested_unit(
    build_order, build_request, rules, now, actor, items, data
):
    request = build_request(items, order=build_order(LINES))
    quantities = {
        sku: data.draw(st.integers(min_value=0, max_value=qty), label=sku)
        for sku, qty in items.items()
    }
    if not any(quantities.values()):
        quantities[next(iter(items))] = 1

    request.approve(
        at=now, actor=actor, rules=rules, quantities=quantities, rejection_reason="partial"
    )

    assert request.status == ReturnStatus.APPROVED
    for item in request.items:
        assert item.approved_quantity == quantities[item.sku]
        assert item.approved_quantity + item.rejected_quantity == item.quantity
        assert (item.rejection_reason is not None) == (item.rejected_quantity > 0)
    assert request.shipments[0].items == [(s, q) for s, q in quantities.items() if q]


# ------------------------------------------------------------------ (c) receipt bounds


@SETTINGS
@given(
    items=requested_items,
    receipts=st.lists(
        st.dictionaries(st.sampled_from([*SKUS, "SKU-Z"]), any_quantity, max_size=3),
        max_size=8,
    ),
)
def test_received_never_exceeds_approved_for_any_receive_sequence(
    build_order, build_request, rules, now, actor, items, receipts
):
    request = build_request(items, order=build_order(LINES))
    request.approve(at=now, actor=actor, rules=rules)

    for quantities in receipts:
        snapshot = _snapshot(request)
        try:
            request.receive(rules=ANY_CODE, at=now, actor=actor, quantities=quantities)
        except DomainError:
            assert _snapshot(request) == snapshot, "a refused receipt changes nothing"
        _check_quantities(request)
        outstanding = sum(item.outstanding_quantity for item in request.items)
        received = sum(item.received_quantity for item in request.items)
        if request.status == ReturnStatus.RECEIVED:
            assert outstanding == 0
            assert request.open_shipment is None
        elif request.status == ReturnStatus.PARTIALLY_RECEIVED:
            assert outstanding > 0 and received > 0
        else:
            assert request.status == ReturnStatus.APPROVED
            assert received == 0
        if request.status == ReturnStatus.RECEIVED:
            break


# ------------------------------------------------------------------ (d) refund bounds


@SETTINGS
@given(
    items=requested_items,
    partial=st.booleans(),
    attempts=st.lists(
        st.one_of(
            st.tuples(st.just("add"), money, currencies),
            st.tuples(st.just("delete"), st.integers(min_value=0, max_value=5), st.none()),
        ),
        max_size=12,
    ),
)
def test_refunds_per_currency_never_exceed_the_approved_value(
    build_order, build_request, rules, now, actor, items, partial, attempts
):
    request = build_request(items, order=build_order(LINES))
    first = next(iter(items))
    quantities = {**items, first: items[first] - 1} if partial and len(items) > 1 else None
    request.approve(
        at=now, actor=actor, rules=rules, quantities=quantities, rejection_reason="partial"
    )
    approved_value = sum((item.approved_value for item in request.items), Decimal(0))

    for kind, value, currency in attempts:
        snapshot = _snapshot(request)
        try:
            if kind == "add":
                request.add_refund(
                    rules=ANY_CODE, amount=value, currency=currency, at=now, actor=actor
                )
            else:
                refund_id = request.refunds[value].id if value < len(request.refunds) else "RF-X"
                request.delete_refund(refund_id, at=now, actor=actor)
        except DomainError:
            assert _snapshot(request) == snapshot, "a refused refund changes nothing"
        refunded = Counter()
        for refund in request.refunds:
            refunded[refund.currency] += refund.amount
        assert refunded["AED"] <= approved_value
        assert refunded["USD"] == 0
        assert request.remaining_refundable("AED") == approved_value - refunded["AED"]
        _check_refunds(request)


# ------------------------------------------------------------------ (e) state machine


def _machine(build_order, build_request, rules, now, actor):
    order = build_order(LINES)
    pick = st.integers(min_value=0, max_value=50)

    class ReturnMachine(RuleBasedStateMachine):
        """Random commands on a request and the parts split from it. Domain errors are
        expected answers; after every step the invariants must hold."""

        @initialize(items=requested_items)
        def create(self, items):
            self.requests: list[ReturnRequest] = []
            self.chain: dict[str, str] = {}
            self.terminal: dict[str, ReturnStatus] = {}
            self.received: Counter = Counter()
            self._adopt(build_request(items, order=order, keep_events=True))
            self.requested = _totals(self.requests, "quantity")

        def _adopt(self, request: ReturnRequest) -> None:
            self.requests.append(request)
            self.chain[request.id] = ""

        def _one(self, index: int) -> ReturnRequest:
            return self.requests[index % len(self.requests)]

        def _try(self, action: Callable[[], object]) -> tuple[bool, object]:
            """Run one command; a domain error is an expected answer, not a failure."""
            try:
                result = action()
            except DomainError:
                return False, None
            return True, result

        def _quantities(
            self, data, request: ReturnRequest, most: Callable, least: int = 1
        ) -> dict[str, int]:
            """Per sku, mostly a plausible quantity (`least` to `most(item)`), sometimes a
            wild one or a sku that is not in the request."""
            chosen = {}
            for item in request.items:
                if data.draw(st.booleans()):
                    top = max(most(item), least)
                    plausible = st.integers(min_value=least, max_value=top)
                    chosen[item.sku] = data.draw(st.one_of(plausible, plausible, any_quantity))
            if data.draw(sometimes):
                chosen[data.draw(st.sampled_from([*SKUS, "SKU-Z"]))] = data.draw(any_quantity)
            return chosen

        # ---------------------------------------------------------------- commands

        @rule(i=pick, data=st.data())
        def approve(self, i, data):
            request = self._one(i)
            quantities = self._quantities(data, request, lambda item: item.quantity, least=0)
            self._try(
                lambda: request.approve(
                    at=now, actor=actor, rules=rules, quantities=quantities, rejection_reason="x"
                ),
            )

        @rule(i=pick, go=sometimes, reason=st.sampled_from(["", "outside policy"]))
        def reject(self, i, go, reason):
            if go:
                self._try(
                    lambda: self._one(i).reject(rules=ANY_CODE, at=now, actor=actor, reason=reason)
                )

        @rule(i=pick, go=sometimes)
        def cancel(self, i, go):
            if go:
                self._try(lambda: self._one(i).cancel(at=now, actor=actor))

        @rule(i=pick, go=sometimes)
        def hold(self, i, go):
            if go:
                self._try(lambda: self._one(i).hold(at=now, actor=actor))

        @rule(i=pick)
        def resume(self, i):
            self._try(lambda: self._one(i).resume(at=now, actor=actor))

        @rule(i=pick, data=st.data())
        def receive(self, i, data):
            request = self._one(i)
            quantities = self._quantities(data, request, lambda item: item.outstanding_quantity)
            before = _totals([request], "received_quantity")
            done, _ = self._try(
                lambda: request.receive(rules=ANY_CODE, at=now, actor=actor, quantities=quantities)
            )
            after = _totals([request], "received_quantity")
            if not done:
                assert after == before, "a refused receipt recorded units"
            self.received += after - before

        @rule(i=pick, go=sometimes, auto=st.booleans())
        def complete(self, i, go, auto):
            if go:
                request = self._one(i)
                if auto:
                    self._try(lambda: request.auto_close(at=now, actor=actor, idle_days=0))
                else:
                    self._try(lambda: request.complete(at=now, actor=actor))

        @rule(i=pick, data=st.data())
        def split(self, i, data):
            request = self._one(i)
            decided = request.status in APPROVED_FAMILY
            moves = self._quantities(
                data, request, lambda item: item.approved_quantity if decided else item.quantity
            )
            done, new = self._try(
                lambda: request.split(rules=ANY_CODE, at=now, actor=actor, quantities=moves)
            )
            if done:
                self._adopt(new)

        @rule(i=pick, status=st.sampled_from(list(ReturnStatus)), go=sometimes)
        def set_status(self, i, status, go):
            if status.is_terminal and not go:
                return
            self._try(lambda: self._one(i).set_status(status, at=now, actor=actor))

        @rule(i=pick, data=st.data(), currency=currencies)
        def add_refund(self, i, data, currency):
            remaining = self._one(i).remaining_refundable("AED")
            plausible = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600"), places=2)
            if remaining >= Decimal("0.01"):
                plausible = st.decimals(min_value=Decimal("0.01"), max_value=remaining, places=2)
            amount = data.draw(st.one_of(plausible, plausible, money))
            self._try(
                lambda: self._one(i).add_refund(
                    rules=ANY_CODE, amount=amount, currency=currency, at=now, actor=actor
                ),
            )

        @rule(i=pick, which=st.integers(min_value=0, max_value=3))
        def delete_refund(self, i, which):
            request = self._one(i)
            refund_id = request.refunds[which].id if which < len(request.refunds) else "RF-X"
            self._try(lambda: request.delete_refund(refund_id, at=now, actor=actor))

        @rule(i=pick, text=st.sampled_from(["", "called the customer"]))
        def add_note(self, i, text):
            self._try(lambda: self._one(i).add_note(text=text, at=now, actor=actor))

        # ---------------------------------------------------------------- invariants

        @invariant()
        def status_changes_chain(self):
            for request in self.requests:
                for event in request.pull_events():
                    previous, new = event.status_change
                    if isinstance(event, ev.ReturnRequested):
                        assert self.chain[request.id] == "", "created twice"
                        self.chain[request.id] = new
                    elif isinstance(event, ev.ReturnStatusChanged):
                        assert previous == self.chain[request.id], (request.id, event)
                        assert previous != new
                        self.chain[request.id] = new
                assert self.chain[request.id] == request.status.value

        @invariant()
        def terminal_status_never_changes(self):
            for request in self.requests:
                if request.id in self.terminal:
                    assert request.status == self.terminal[request.id]
                elif request.status.is_terminal:
                    self.terminal[request.id] = request.status

        @invariant()
        def quantities_hold(self):
            for request in self.requests:
                _check_quantities(request)
            assert _totals(self.requests, "quantity") == self.requested
            assert _totals(self.requests, "received_quantity") == self.received

        @invariant()
        def refunds_hold(self):
            for request in self.requests:
                _check_refunds(request)

    return ReturnMachine


def test_random_command_sequences_keep_every_invariant(
    build_order, build_request, rules, now, actor
):
    machine = _machine(build_order, build_request, rules, now, actor)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=200,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
