"""Typed domain errors with stable codes.

Clients branch on `code`, people read `message`. The code list is the one of DESIGN.md §8; the
API layers map each code to a GraphQL userError and an HTTP status in one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_EDITABLE = "NOT_EDITABLE"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    QUANTITY_EXCEEDED = "QUANTITY_EXCEEDED"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    NOT_RETURNABLE = "NOT_RETURNABLE"
    RETURN_WINDOW_EXPIRED = "RETURN_WINDOW_EXPIRED"
    UNKNOWN_CODE = "UNKNOWN_CODE"
    REQUIREMENT_MISSING = "REQUIREMENT_MISSING"
    REFUND_EXCEEDS_VALUE = "REFUND_EXCEEDS_VALUE"
    REFUNDS_EXIST = "REFUNDS_EXIST"
    FEE_EXCEEDS_VALUE = "FEE_EXCEEDS_VALUE"  # fees would take more than is left to give back
    MISSING_PICKUP = "MISSING_PICKUP"
    MISSING_DROPOFF = "MISSING_DROPOFF"
    IDEMPOTENCY_MISMATCH = "IDEMPOTENCY_MISMATCH"  # the key was used for another request
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"  # its first request is still running
    IDEMPOTENCY_ANSWER_LOST = "IDEMPOTENCY_ANSWER_LOST"  # its work committed, its answer did not
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    INVALID_INPUT = "INVALID_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    IN_USE = "IN_USE"
    UNAVAILABLE = "UNAVAILABLE"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"  # too many failed attempts: wait (Retry-After)
    INSUFFICIENT_STORE_CREDIT = "INSUFFICIENT_STORE_CREDIT"  # a debit beyond the balance
    STORE_CREDIT_SPENT = "STORE_CREDIT_SPENT"  # a refund's credit was spent: keep the refund
    ALREADY_REVERTED = "ALREADY_REVERTED"  # a store-credit debit is reverted once
    NO_CUSTOMER = "NO_CUSTOMER"  # store credit needs the customer's id, e-mail or phone
    OUT_OF_STOCK = "OUT_OF_STOCK"  # an exchange variant neither available nor backorderable
    EXCHANGE_NOT_ALLOWED = "EXCHANGE_NOT_ALLOWED"  # another product group, or another currency
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"  # a release while the customer owes a difference


class DomainError(Exception):
    """An expected failure: the caller asked for something the rules do not allow."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class DomainErrors(DomainError):
    """Several independent violations found at once, so a client can fix them in one go."""

    def __init__(self, errors: Iterable[DomainError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, field=first.field, code=first.code)


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class InvalidTransition(DomainError):
    """An action that the current status does not allow; names the status and what is allowed."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, action: str, status: str, allowed: Iterable[str]):
        allowed_text = ", ".join(sorted(allowed)) or "none"
        super().__init__(
            f"cannot {action.lower().replace('_', ' ')} a return request in status {status}; "
            f"allowed actions: {allowed_text}"
        )
        self.action = action
        self.status = status


class NotEditable(DomainError):
    code = ErrorCode.NOT_EDITABLE


class VersionConflict(DomainError):
    code = ErrorCode.VERSION_CONFLICT


class InvalidQuantity(DomainError):
    code = ErrorCode.INVALID_QUANTITY


class QuantityExceeded(DomainError):
    code = ErrorCode.QUANTITY_EXCEEDED


class RequirementMissing(DomainError):
    code = ErrorCode.REQUIREMENT_MISSING


class RefundExceedsValue(DomainError):
    code = ErrorCode.REFUND_EXCEEDS_VALUE


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_INPUT


class TooManyRequests(DomainError):
    """Refused unheard: too many failed attempts came from this caller, or at this client or
    order, in the last minute. `retry_after` is how many whole seconds until one is heard."""

    code = ErrorCode.TOO_MANY_REQUESTS

    def __init__(self, message: str, *, retry_after: int, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after
