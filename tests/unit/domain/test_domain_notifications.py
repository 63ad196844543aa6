"""The return SMS: to whom, what it says, which request it is about, and its outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.lifecycle import ReturnStatus
from domain.notifications import (
    DeliveryOutcome,
    NotificationChannel,
    NotificationStatus,
    return_sms,
    successful_request,
)
from domain.orders import Customer
from tests.unit.domain.conftest import NOW, make_order, make_request, request_in


def _order(phone: str | None = "+971500000000"):
    order = make_order()
    order.customer = Customer("Layla Haddad", None, phone)
    return order


def test_the_return_sms_goes_to_the_customer_phone_and_names_the_request():
    request = make_request()
    sms = return_sms(_order(), request, at=NOW)
    assert sms.channel == NotificationChannel.SMS
    assert sms.recipient == "+971500000000"
    assert sms.status == NotificationStatus.QUEUED
    assert sms.return_request_id == request.id
    assert request.id in sms.body and "ORD-1001" in sms.body and "3 items" in sms.body
    assert sms.id.startswith("NT-")


@pytest.mark.parametrize("phone", [None, "", "   "])
def test_no_sms_without_a_customer_phone(phone):
    with pytest.raises(DomainError) as raised:
        return_sms(_order(phone), make_request(), at=NOW)
    assert raised.value.code == ErrorCode.REQUIREMENT_MISSING


def test_the_sms_is_about_the_newest_live_request():
    old = make_request(request_id="RR-OLD00001")
    new = make_request(request_id="RR-NEW00001")
    new.created_at = NOW + timedelta(minutes=5)
    cancelled = request_in(ReturnStatus.CANCELLED)
    cancelled.created_at = NOW + timedelta(hours=1)
    assert successful_request([old, new, cancelled], "ORD-1001") is new


def test_an_order_with_only_rejected_or_cancelled_requests_has_none_to_announce():
    requests = [request_in(ReturnStatus.REJECTED), request_in(ReturnStatus.CANCELLED)]
    with pytest.raises(DomainError) as raised:
        successful_request(requests, "ORD-1001")
    assert raised.value.code == ErrorCode.NOT_FOUND


def test_outcomes_are_recorded_and_a_later_success_clears_the_failure():
    sms = return_sms(_order(), make_request(), at=NOW)
    sms.record(DeliveryOutcome.failed("gateway answered 502"), at=NOW + timedelta(seconds=1))
    assert (sms.status, sms.attempts, sms.error, sms.sent_at) == (
        NotificationStatus.FAILED,
        1,
        "gateway answered 502",
        None,
    )
    sms.record(DeliveryOutcome(NotificationStatus.SENT), at=NOW + timedelta(seconds=2))
    assert (sms.status, sms.attempts, sms.error) == (NotificationStatus.SENT, 2, None)
    assert sms.sent_at == NOW + timedelta(seconds=2)


def test_a_failure_message_is_bounded():
    assert len(DeliveryOutcome.failed("x" * 5000).error or "") == 1000
