"""The throttle's arithmetic: a sliding minute of failures per key, bounded memory, and which
address a request counts under."""

from __future__ import annotations

from datetime import timedelta

import pytest
from multidict import CIMultiDict

from core.throttle import AuthThrottle, FailureLog, Kind, client_address
from domain.errors import TooManyRequests
from tests.clocks import DEFAULT_NOW, FixedClock
from tests.unit.test_metrics_labels import request_from

T0 = DEFAULT_NOW


def test_a_key_is_heard_until_its_limit_then_until_its_oldest_failure_is_a_minute_old() -> None:
    failures = FailureLog(limit=2)
    assert failures.fail("k", T0) is False
    assert failures.wait("k", T0 + timedelta(seconds=30)) is None
    assert failures.fail("k", T0 + timedelta(seconds=30)) is True

    assert failures.wait("k", T0 + timedelta(seconds=30)) == 30
    assert failures.wait("k", T0 + timedelta(seconds=59.2)) == 1  # whole seconds, rounded up
    assert failures.wait("k", T0 + timedelta(seconds=60)) is None
    # The window slides: one more failure now makes two within the minute again.
    assert failures.fail("k", T0 + timedelta(seconds=60)) is True
    assert failures.wait("k", T0 + timedelta(seconds=60)) == 30


def test_a_clock_set_back_never_asks_for_more_than_the_minute() -> None:
    failures = FailureLog(limit=1)
    failures.fail("k", T0)
    assert failures.wait("k", T0 - timedelta(hours=1)) == 60


def test_memory_is_bounded_by_forgetting_the_least_recently_failed_key() -> None:
    failures = FailureLog(limit=1, max_keys=3)
    for n, key in enumerate(["a", "b", "c"]):
        failures.fail(key, T0 + timedelta(seconds=n))
    failures.fail("a", T0 + timedelta(seconds=3))  # "a" failed again: "b" is now the oldest
    failures.fail("d", T0 + timedelta(seconds=4))

    assert len(failures) == 3
    assert failures.wait("b", T0 + timedelta(seconds=5)) is None
    assert all(failures.wait(key, T0 + timedelta(seconds=5)) for key in ("a", "c", "d"))


def test_lookups_count_their_order_but_never_the_storefront_address() -> None:
    throttle = AuthThrottle(FixedClock(), per_subject=1, per_address=1)
    request = request_from("203.0.113.9")
    throttle.failed(throttle.attempt(Kind.CUSTOMER_LOOKUP, request, "t/acme/SO-1"))

    throttle.check(throttle.attempt(Kind.CUSTOMER_LOOKUP, request, "t/acme/SO-2"))
    throttle.check(throttle.attempt(Kind.CLIENT_SECRET, request, "rc_1"))
    with pytest.raises(TooManyRequests):
        throttle.check(throttle.attempt(Kind.CUSTOMER_LOOKUP, request, "t/acme/SO-1"))
    assert throttle.throttled == {Kind.CUSTOMER_LOOKUP: 1}


def forwarded(peer: str, *values: str) -> object:
    request = request_from(peer)
    headers = CIMultiDict(request.headers)
    for value in values:
        headers.add("X-Forwarded-For", value)
    return request.clone(headers=headers)


def test_forwarded_for_is_ignored_unless_proxies_are_declared() -> None:
    request = forwarded("10.0.0.2", "198.51.100.7")
    assert client_address(request) == "10.0.0.2"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "hops", "address"),
    [
        (["198.51.100.7"], 1, "198.51.100.7"),
        (["1.2.3.4, 198.51.100.7"], 1, "198.51.100.7"),  # the client's own entry is not taken
        (["1.2.3.4", "198.51.100.7, 10.0.0.9"], 2, "198.51.100.7"),  # two headers, two proxies
        (["198.51.100.7"], 3, "198.51.100.7"),  # fewer entries than proxies: the outermost
        ([], 1, "10.0.0.2"),  # no header: the peer
    ],
)
def test_declared_proxies_take_the_address_the_outermost_one_saw(
    values: list[str], hops: int, address: str
) -> None:
    assert client_address(forwarded("10.0.0.2", *values), hops) == address  # type: ignore[arg-type]


def test_ipv6_addresses_count_by_their_network_and_mapped_ipv4_as_ipv4() -> None:
    one = client_address(request_from("2001:db8:1:2::1"))
    other = client_address(request_from("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_address(request_from("::ffff:203.0.113.9")) == "203.0.113.9"
