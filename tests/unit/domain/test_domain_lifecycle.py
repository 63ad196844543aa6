"""The lifecycle table (DESIGN.md §3): every status and action, allowed actions and their
preconditions, terminal statuses and status parsing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain.eligibility import ANY_CODE
from domain.errors import DomainError, ErrorCode, InvalidTransition
from domain.exchange_lines import ExchangeLineStatus
from domain.fees import FeeKind
from domain.lifecycle import (
    ALLOWED,
    APPROVED_FAMILY,
    TERMINAL,
    Action,
    ReturnStatus,
    parse_status,
    status_allows,
)
from domain.parts import RefundOutcome
from domain.returns import SIMPLE_TRANSITIONS, ReturnRequest
from domain.values import Actor
from tests.unit.domain.conftest import give_exchange_line, make_catalogue

# The status each allowed action leaves the request in (None: the status does not change).
# From APPROVED and PARTIALLY_RECEIVED, RECEIVE below takes in every outstanding unit.
RESULT: dict[Action, ReturnStatus | None] = {
    Action.UPDATE: None,
    Action.HOLD: ReturnStatus.ON_HOLD,
    Action.RESUME: ReturnStatus.PENDING,
    Action.APPROVE: ReturnStatus.APPROVED,
    Action.REJECT: ReturnStatus.REJECTED,
    Action.CANCEL: ReturnStatus.CANCELLED,
    Action.RECEIVE: ReturnStatus.RECEIVED,
    Action.COMPLETE: ReturnStatus.COMPLETED,
    Action.SPLIT: None,
    Action.SET_STATUS: ReturnStatus.CANCELLED,
    Action.ASSIGN: None,
    Action.ADD_NOTE: None,
    Action.DELETE_NOTE: None,
    Action.ADD_REFUND: None,
    Action.DELETE_REFUND: None,
    Action.UPDATE_SHIPMENT: None,
    Action.RELEASE_EXCHANGE: None,
    Action.RECORD_EXCHANGE_PAYMENT: None,
    Action.CONVERT_EXCHANGE: None,
    Action.FULFIL_EXCHANGE: None,
    Action.WAIVE_FEE: None,
}

ALL_PAIRS = [(status, action) for status in ReturnStatus for action in Action]
ALLOWED_PAIRS = [(s, a) for s, a in ALL_PAIRS if a in ALLOWED[s]]
DISALLOWED_PAIRS = [(s, a) for s, a in ALL_PAIRS if a not in ALLOWED[s]]


def _pair_id(pair: tuple[ReturnStatus, Action]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def perform(request: ReturnRequest, action: Action, *, at: datetime, actor: Actor) -> None:
    """Call the aggregate method behind `action` with arguments that are valid in itself (a
    simple transition by its action, as `services.transition_return` does)."""
    from domain.eligibility import BaseRules

    if action == Action.UPDATE:
        request.update(rules=ANY_CODE, at=at, actor=actor, changes={"resolution": "REFUND"})
    elif action in SIMPLE_TRANSITIONS:
        request.transition(action, at=at, actor=actor, reason="said so")
    elif action == Action.APPROVE:
        request.approve(at=at, actor=actor, rules=BaseRules())
    elif action == Action.REJECT:
        request.reject(rules=ANY_CODE, at=at, actor=actor, reason="worn")
    elif action == Action.RECEIVE:
        outstanding = {i.sku: i.outstanding_quantity for i in request.items}
        request.receive(
            rules=ANY_CODE,
            at=at,
            actor=actor,
            quantities={s: q for s, q in outstanding.items() if q} or {"X": 1},
        )
    elif action == Action.SPLIT:
        request.split(rules=ANY_CODE, at=at, actor=actor, quantities={request.items[0].sku: 1})
    elif action == Action.SET_STATUS:
        request.set_status(ReturnStatus.CANCELLED, at=at, actor=actor)
    elif action == Action.ASSIGN:
        request.assign("ops@merchant.example", at=at, actor=actor)
    elif action == Action.ADD_NOTE:
        request.add_note(text="called the customer", at=at, actor=actor)
    elif action == Action.DELETE_NOTE:
        note_id = request.notes[0].id if request.notes else "NT-MISSING"
        request.delete_note(note_id, at=at, actor=actor)
    elif action == Action.ADD_REFUND:
        request.add_refund(
            rules=ANY_CODE, amount=Decimal("1.00"), currency="AED", at=at, actor=actor
        )
    elif action == Action.DELETE_REFUND:
        refund_id = request.refunds[0].id if request.refunds else "RF-MISSING"
        request.delete_refund(refund_id, at=at, actor=actor)
    elif action == Action.UPDATE_SHIPMENT:
        request.update_shipment(at=at, actor=actor, tracking_number="TRK-1")
    elif action == Action.RELEASE_EXCHANGE:
        request.release_exchange(make_catalogue(), at=at, actor=actor, ship_to=None)
    elif action == Action.RECORD_EXCHANGE_PAYMENT:
        request.record_exchange_payment(
            amount=Decimal("1.00"),
            currency="AED",
            catalogue=make_catalogue(),
            at=at,
            actor=actor,
            ship_to=None,
        )
    elif action == Action.CONVERT_EXCHANGE:
        request.convert_exchange("XL-1", RefundOutcome.MONEY, at=at, actor=actor)
    elif action == Action.FULFIL_EXCHANGE:
        request.mark_exchange_fulfilled(tracking_number="TRK-9", at=at, actor=actor)
    elif action == Action.WAIVE_FEE:
        fee_id = request.fees[0].id if request.fees else "FE-MISSING"
        request.waive_fee(fee_id, reason="courier damage", at=at, actor=actor)
    else:  # pragma: no cover - a new action needs a line here
        raise AssertionError(f"no way to perform {action}")


def _prepare(request: ReturnRequest, action: Action, *, at: datetime, actor: Actor) -> None:
    """Give the action what it needs besides the status: a note or a refund to delete."""
    if action == Action.DELETE_NOTE:
        request.add_note(text="to be deleted", at=at, actor=actor)
    if action == Action.DELETE_REFUND:
        request.add_refund(
            rules=ANY_CODE, amount=Decimal("5.00"), currency="AED", at=at, actor=actor
        )
    if action in (Action.RELEASE_EXCHANGE, Action.CONVERT_EXCHANGE):
        give_exchange_line(request)
    if action == Action.RECORD_EXCHANGE_PAYMENT:
        give_exchange_line(request, price=Decimal("1000.00"))
    if action == Action.FULFIL_EXCHANGE:
        give_exchange_line(request, ExchangeLineStatus.RELEASED)
    if action == Action.WAIVE_FEE:
        request.set_fee(
            amount=Decimal("5.00"), kind=FeeKind.HANDLING, currency="AED", at=at, actor=actor
        )
    request.pull_events()


# ------------------------------------------------------------------ the table, cell by cell


@pytest.mark.parametrize(("status", "action"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_allowed_action_succeeds_and_lands_in_the_expected_status(
    status, action, build_request_in, now, actor
):
    request = build_request_in(status)
    _prepare(request, action, at=now, actor=actor)

    perform(request, action, at=now, actor=actor)

    assert request.status == (RESULT[action] or status)
    assert request.events, "every successful action records at least one event"


@pytest.mark.parametrize(
    ("status", "action"),
    [p for p in DISALLOWED_PAIRS if p[1] != Action.UPDATE],
    ids=map(_pair_id, [p for p in DISALLOWED_PAIRS if p[1] != Action.UPDATE]),
)
def test_disallowed_action_raises_invalid_transition_naming_the_status(
    status, action, build_request_in, now, actor
):
    request = build_request_in(status)

    with pytest.raises(InvalidTransition) as caught:
        perform(request, action, at=now, actor=actor)

    error = caught.value
    assert error.code == ErrorCode.INVALID_TRANSITION
    assert status.value in error.message
    assert error.status == status.value
    assert error.action == action.value
    assert request.status == status
    assert request.events == []


@pytest.mark.parametrize(
    "status", [s for s in ReturnStatus if Action.UPDATE not in ALLOWED[s]], ids=str
)
def test_update_outside_pending_or_on_hold_is_not_editable_and_names_the_status(
    status, build_request_in, now, actor
):
    request = build_request_in(status)

    with pytest.raises(DomainError) as caught:
        perform(request, Action.UPDATE, at=now, actor=actor)

    assert caught.value.code == ErrorCode.NOT_EDITABLE
    assert status.value in caught.value.message
    assert request.details.resolution is None


def test_invalid_transition_message_lists_the_allowed_actions(build_request_in, now, actor):
    request = build_request_in(ReturnStatus.REJECTED)

    with pytest.raises(InvalidTransition) as caught:
        request.approve(at=now, actor=actor, rules=None)  # type: ignore[arg-type]

    assert caught.value.message == (
        "cannot approve a return request in status REJECTED; allowed actions: ADD_NOTE"
    )


def test_every_status_has_a_row_in_the_table():
    assert set(ALLOWED) == set(ReturnStatus)


def test_status_allows_reads_the_table():
    assert status_allows(ReturnStatus.PENDING, Action.APPROVE)
    assert not status_allows(ReturnStatus.ON_HOLD, Action.APPROVE)
    assert not status_allows(ReturnStatus.APPROVED, Action.UPDATE)


def test_split_is_allowed_only_before_receipt():
    splittable = {s for s in ReturnStatus if Action.SPLIT in ALLOWED[s]}
    assert splittable == {ReturnStatus.PENDING, ReturnStatus.ON_HOLD, ReturnStatus.APPROVED}


def test_refunds_are_allowed_only_once_approved():
    refundable = {s for s in ReturnStatus if Action.ADD_REFUND in ALLOWED[s]}
    assert refundable == set(APPROVED_FAMILY)


def test_cancel_is_allowed_from_every_non_terminal_status():
    cancellable = {s for s in ReturnStatus if Action.CANCEL in ALLOWED[s]}
    assert cancellable == set(ReturnStatus) - TERMINAL


# ------------------------------------------------------------------ terminal statuses


def test_terminal_statuses_are_rejected_cancelled_and_completed():
    assert {s for s in ReturnStatus if s.is_terminal} == {
        ReturnStatus.REJECTED,
        ReturnStatus.CANCELLED,
        ReturnStatus.COMPLETED,
    }


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=str)
def test_terminal_statuses_allow_no_status_changing_action(status):
    changing = {a for a, target in RESULT.items() if target is not None}
    assert not ALLOWED[status] & changing
    assert Action.SET_STATUS not in ALLOWED[status]


def test_rejected_and_cancelled_allow_only_notes():
    for status in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED):
        assert ALLOWED[status] == {Action.ADD_NOTE, Action.DELETE_NOTE}


def test_completed_allows_only_notes_refunds_and_the_exchange_money():
    assert ALLOWED[ReturnStatus.COMPLETED] == {
        Action.ADD_NOTE,
        Action.DELETE_NOTE,
        Action.ADD_REFUND,
        Action.DELETE_REFUND,
        Action.RELEASE_EXCHANGE,
        Action.RECORD_EXCHANGE_PAYMENT,
        Action.CONVERT_EXCHANGE,
        Action.FULFIL_EXCHANGE,
        Action.WAIVE_FEE,
    }


def test_undecided_statuses_are_pending_and_on_hold():
    assert {s for s in ReturnStatus if s.is_undecided} == {
        ReturnStatus.PENDING,
        ReturnStatus.ON_HOLD,
    }


def test_only_rejected_and_cancelled_requests_release_order_quantities():
    assert {s for s in ReturnStatus if not s.is_live} == {
        ReturnStatus.REJECTED,
        ReturnStatus.CANCELLED,
    }


# ------------------------------------------------------------------ allowed_actions


@pytest.mark.parametrize("status", list(ReturnStatus), ids=str)
def test_allowed_actions_are_a_subset_of_the_status_row(status, build_request_in):
    request = build_request_in(status)
    assert set(request.allowed_actions) <= ALLOWED[status]


def test_allowed_actions_of_a_fresh_pending_request(pending):
    assert set(pending.allowed_actions) == {
        Action.UPDATE,
        Action.HOLD,
        Action.APPROVE,
        Action.REJECT,
        Action.CANCEL,
        Action.SPLIT,
        Action.SET_STATUS,
        Action.ASSIGN,
        Action.ADD_NOTE,
    }


def test_allowed_actions_keep_the_order_of_the_action_enum(approved):
    actions = approved.allowed_actions
    assert actions == sorted(actions, key=list(Action).index)


def test_cancel_is_hidden_while_refunds_exist(approved, now, actor):
    assert Action.CANCEL in approved.allowed_actions
    approved.add_refund(rules=ANY_CODE, amount=Decimal("10"), currency="AED", at=now, actor=actor)
    assert Action.CANCEL not in approved.allowed_actions
    assert Action.DELETE_REFUND in approved.allowed_actions


def test_split_is_hidden_with_fewer_than_two_splittable_units(build_request):
    single = build_request({"SKU-A": 1})
    assert Action.SPLIT not in single.allowed_actions

    double = build_request({"SKU-A": 2})
    assert Action.SPLIT in double.allowed_actions


def test_split_counts_approved_units_once_decided(build_request, rules, now, actor):
    request = build_request({"SKU-A": 2})
    request.approve(
        at=now, actor=actor, rules=rules, quantities={"SKU-A": 1}, rejection_reason="worn"
    )
    assert Action.SPLIT not in request.allowed_actions


def test_delete_note_is_shown_only_when_a_note_exists(pending, now, actor):
    assert Action.DELETE_NOTE not in pending.allowed_actions
    note = pending.add_note(text="check the box", at=now, actor=actor)
    assert Action.DELETE_NOTE in pending.allowed_actions
    pending.delete_note(note.id, at=now, actor=actor)
    assert Action.DELETE_NOTE not in pending.allowed_actions


def test_delete_refund_is_shown_only_when_a_refund_exists(approved):
    assert Action.DELETE_REFUND not in approved.allowed_actions


def test_add_refund_is_hidden_once_the_approved_value_is_refunded(approved, now, actor):
    assert Action.ADD_REFUND in approved.allowed_actions
    approved.add_refund(
        rules=ANY_CODE, amount=Decimal("249.50"), currency="AED", at=now, actor=actor
    )
    assert Action.ADD_REFUND not in approved.allowed_actions


def test_update_shipment_is_hidden_without_an_open_shipment(
    build_request, no_shipment_rules, now, actor
):
    request = build_request()
    request.approve(at=now, actor=actor, rules=no_shipment_rules)
    assert Action.UPDATE_SHIPMENT not in request.allowed_actions


def test_update_shipment_is_shown_with_an_open_shipment(approved):
    assert Action.UPDATE_SHIPMENT in approved.allowed_actions


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=str)
def test_terminal_requests_never_offer_a_status_change(status, build_request_in):
    request = build_request_in(status)
    changing = {a for a, target in RESULT.items() if target is not None}
    assert not set(request.allowed_actions) & changing


# ------------------------------------------------------------------ parse_status


@pytest.mark.parametrize("text", ["on_hold", "ON_HOLD", " On_Hold ", "on_hold\n"])
def test_parse_status_accepts_carriyo_and_graphql_spellings(text):
    assert parse_status(text) == ReturnStatus.ON_HOLD


@pytest.mark.parametrize("status", list(ReturnStatus), ids=str)
def test_parse_status_accepts_every_lower_case_status(status):
    assert parse_status(status.value.lower()) is status


@pytest.mark.parametrize("text", ["bogus", "", "on hold", None, 3])
def test_parse_status_rejects_unknown_values_with_invalid_input(text):
    with pytest.raises(DomainError) as caught:
        parse_status(text)  # type: ignore[arg-type]

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == "status"
    assert "PENDING" in caught.value.message


@pytest.mark.parametrize("status", list(ReturnStatus), ids=str)
def test_a_refused_action_lists_exactly_the_allowed_actions_clients_see(
    status, build_request_in, now, actor
):
    """One source: the error's list is `allowed_actions`, the list GraphQL and REST show."""
    request = build_request_in(status)
    if status == ReturnStatus.COMPLETED:
        request.status = ReturnStatus.APPROVED
        request.add_refund(
            rules=ANY_CODE, amount=Decimal("1.00"), currency="AED", at=now, actor=actor
        )
        request.status = ReturnStatus.COMPLETED
    refused = next(a for a in Action if a != Action.UPDATE and not status_allows(status, a))

    with pytest.raises(InvalidTransition) as caught:
        perform(request, refused, at=now, actor=actor)

    listed = caught.value.message.rsplit("allowed actions: ", 1)[1]
    expected = ", ".join(sorted(a.value for a in request.allowed_actions)) or "none"
    assert listed == expected


def test_waive_fee_is_allowed_only_while_a_fee_takes_something(approved, now, actor):
    """The desk's Waive button follows allowedActions, not its own copy of the statuses."""
    assert Action.WAIVE_FEE not in approved.allowed_actions
    fee = approved.set_fee(
        amount=Decimal("5.00"), kind=FeeKind.HANDLING, currency="AED", at=now, actor=actor
    )
    assert Action.WAIVE_FEE in approved.allowed_actions
    approved.waive_fee(fee.id, reason="courier damage", at=now, actor=actor)
    assert Action.WAIVE_FEE not in approved.allowed_actions
