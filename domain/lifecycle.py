"""Statuses, actions and which action each status allows (DESIGN.md §3).

The table is the single source of truth: the aggregate guards every method with it, and the
API shows it to clients as `allowedActions`.
"""

from __future__ import annotations

from enum import StrEnum


class ReturnStatus(StrEnum):
    PENDING = "PENDING"
    ON_HOLD = "ON_HOLD"
    APPROVED = "APPROVED"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    @property
    def is_undecided(self) -> bool:
        return self in (ReturnStatus.PENDING, ReturnStatus.ON_HOLD)

    @property
    def is_live(self) -> bool:
        """Live requests hold order quantities; rejected and cancelled ones release them."""
        return self not in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED)


TERMINAL = frozenset({ReturnStatus.REJECTED, ReturnStatus.CANCELLED, ReturnStatus.COMPLETED})


class Action(StrEnum):
    UPDATE = "UPDATE"
    HOLD = "HOLD"
    RESUME = "RESUME"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    CANCEL = "CANCEL"
    RECEIVE = "RECEIVE"
    COMPLETE = "COMPLETE"
    SPLIT = "SPLIT"
    SET_STATUS = "SET_STATUS"
    ASSIGN = "ASSIGN"
    ADD_NOTE = "ADD_NOTE"
    DELETE_NOTE = "DELETE_NOTE"
    ADD_REFUND = "ADD_REFUND"
    DELETE_REFUND = "DELETE_REFUND"
    UPDATE_SHIPMENT = "UPDATE_SHIPMENT"
    RELEASE_EXCHANGE = "RELEASE_EXCHANGE"
    RECORD_EXCHANGE_PAYMENT = "RECORD_EXCHANGE_PAYMENT"
    CONVERT_EXCHANGE = "CONVERT_EXCHANGE"
    FULFIL_EXCHANGE = "FULFIL_EXCHANGE"
    WAIVE_FEE = "WAIVE_FEE"


_NOTES = {Action.ADD_NOTE, Action.DELETE_NOTE}
_ADMIN = {Action.SET_STATUS, Action.ASSIGN, Action.CANCEL} | _NOTES
_REFUNDS = {Action.ADD_REFUND, Action.DELETE_REFUND}
# Exchange lines move once units are approved (each action also needs a line it applies to).
_EXCHANGES = {
    Action.RELEASE_EXCHANGE,
    Action.RECORD_EXCHANGE_PAYMENT,
    Action.CONVERT_EXCHANGE,
    Action.FULFIL_EXCHANGE,
}
_MONEY = _REFUNDS | _EXCHANGES | {Action.WAIVE_FEE}

ALLOWED: dict[ReturnStatus, frozenset[Action]] = {
    ReturnStatus.PENDING: frozenset(
        _ADMIN | {Action.UPDATE, Action.HOLD, Action.APPROVE, Action.REJECT, Action.SPLIT}
    ),
    ReturnStatus.ON_HOLD: frozenset(
        _ADMIN | {Action.UPDATE, Action.RESUME, Action.REJECT, Action.SPLIT}
    ),
    ReturnStatus.APPROVED: frozenset(
        _ADMIN | _MONEY | {Action.RECEIVE, Action.SPLIT, Action.UPDATE_SHIPMENT}
    ),
    ReturnStatus.PARTIALLY_RECEIVED: frozenset(
        _ADMIN | _MONEY | {Action.RECEIVE, Action.COMPLETE, Action.UPDATE_SHIPMENT}
    ),
    ReturnStatus.RECEIVED: frozenset(_ADMIN | _MONEY | {Action.COMPLETE}),
    ReturnStatus.COMPLETED: frozenset(_NOTES | _MONEY),
    ReturnStatus.REJECTED: frozenset(_NOTES),
    ReturnStatus.CANCELLED: frozenset(_NOTES),
}

# Statuses in which the request has been decided in the customer's favour: units are approved.
APPROVED_FAMILY = frozenset(
    {
        ReturnStatus.APPROVED,
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.COMPLETED,
    }
)


def status_allows(status: ReturnStatus, action: Action) -> bool:
    return action in ALLOWED[status]


def parse_status(value: str) -> ReturnStatus:
    """Accept `ON_HOLD` or Carriyo's `on_hold`; anything else is a clear INVALID_INPUT."""
    from domain.errors import InvalidInput

    try:
        return ReturnStatus(value.strip().upper())
    except (ValueError, AttributeError):
        known = ", ".join(status.value for status in ReturnStatus)
        raise InvalidInput(
            f"unknown return status {value!r}; known: {known}", field="status"
        ) from None
