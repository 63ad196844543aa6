"""Webhook rules: what an endpoint accepts, which events it wants, how a delivery is signed
and when a failed one is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainErrors, ErrorCode
from domain.webhooks import (
    MAX_ATTEMPTS,
    SIGNED_HEADERS,
    WebhookEndpoint,
    next_attempt,
    signature,
    verify,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def endpoint(**overrides) -> WebhookEndpoint:
    values = {"url": "https://hooks.example.com/returns", "now": NOW} | overrides
    return WebhookEndpoint.register(**values)


def test_a_new_endpoint_is_active_with_a_generated_secret():
    created = endpoint()

    assert created.active
    assert created.endpoint_id.startswith("WH-")
    assert len(created.secret) >= 32
    assert endpoint().secret != created.secret


@pytest.mark.parametrize(
    "url", ["ftp://x.example", "hooks.example.com", "https://", "https://a b.example", ""]
)
def test_only_absolute_http_urls_are_accepted(url):
    with pytest.raises(DomainErrors) as refused:
        endpoint(url=url)

    assert refused.value.errors[0].field == "url"


def test_unknown_event_types_and_short_secrets_are_refused_together():
    with pytest.raises(DomainErrors) as refused:
        endpoint(event_types=("ReturnStatusChanged", "Nope"), secret="short")

    codes = {(e.field, e.code) for e in refused.value.errors}
    assert codes == {("event_types", ErrorCode.UNKNOWN_CODE), ("secret", ErrorCode.INVALID_INPUT)}


def test_an_endpoint_wants_its_merchant_and_event_types_only_while_active():
    narrow = endpoint(merchant="acme", event_types=("ReturnStatusChanged",))

    assert narrow.wants("ReturnStatusChanged", "acme")
    assert not narrow.wants("NoteAdded", "acme")
    assert not narrow.wants("ReturnStatusChanged", "other")
    assert endpoint().wants("NoteAdded", "anyone")
    paused = narrow.changed(active=False, now=NOW)
    assert not paused.wants("ReturnStatusChanged", "acme")


def test_changes_keep_what_is_not_changed():
    original = endpoint(merchant="acme", secret="s" * 20)
    later = NOW + timedelta(hours=1)

    changed = original.changed(url="https://new.example.com/h", now=later)

    assert changed.url == "https://new.example.com/h"
    assert (changed.secret, changed.merchant, changed.created_at) == (
        original.secret,
        "acme",
        NOW,
    )
    assert changed.updated_at == later


FACTS = {
    "X-Returns-Delivery": "d-1",
    "X-Returns-Event-Id": "e-1",
    "X-Returns-Event-Type": "ReturnStatusChanged",
    "X-Returns-Event-Position": "7",
    "X-Returns-Return-Request-Id": "RR.1",
}


def test_a_signature_verifies_with_the_secret_and_nothing_else():
    body = b'{"return_request_id": "RR-1"}'
    header = signature("s" * 20, 1_764_072_000, FACTS, body)

    assert header.startswith("t=1764072000,v1=")
    assert verify("s" * 20, header, FACTS, body)
    assert not verify("t" * 20, header, FACTS, body)
    assert not verify("s" * 20, header, FACTS, body + b" ")
    assert not verify("s" * 20, header.replace("t=1764072000", "t=1764072001"), FACTS, body)
    assert not verify("s" * 20, "garbage", FACTS, body)


def test_the_signature_covers_every_event_header():
    header = signature("s" * 20, 1_764_072_000, FACTS, b"{}")

    for name in SIGNED_HEADERS:
        assert not verify("s" * 20, header, FACTS | {name: FACTS[name] + "x"}, b"{}"), name
        assert not verify("s" * 20, header, {k: v for k, v in FACTS.items() if k != name}, b"{}")
    # Values cannot be shifted from one header to the next.
    shifted = FACTS | {"X-Returns-Event-Position": "7.RR", "X-Returns-Return-Request-Id": "1"}
    assert not verify("s" * 20, header, shifted, b"{}")


def test_retries_back_off_exponentially_then_give_up():
    delays = [next_attempt(n, NOW) for n in range(1, MAX_ATTEMPTS + 1)]

    assert [d - NOW for d in delays[:3] if d] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
    ]
    assert all(d is not None and d - NOW <= timedelta(hours=6) for d in delays[:-1])
    assert delays[-1] is None


def test_a_receiver_can_refuse_stale_signatures():
    body = b"{}"
    header = signature("s" * 20, 1_000, FACTS, body)

    assert verify("s" * 20, header, FACTS, body, now=1_200)
    assert not verify("s" * 20, header, FACTS, body, now=1_000 + 301)


# Non-ASCII spellings of an address: the HTTP client maps them (IDNA/UTS46, NFKC) onto the
# ASCII literal, so `127。0。0。1` is 127.0.0.1 to it, never a name to resolve.
LOOKALIKE_ADDRESSES = [
    "127\u30020\u30020\u30021",  # ideographic full stops
    "127\uff0e0\uff0e0\uff0e1",  # fullwidth full stops
    "127\uff610\uff610\uff611",  # halfwidth ideographic full stops
    "\uff11\uff12\uff17.\uff10.\uff10.\uff11",  # fullwidth digits
    "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11",  # fullwidth everything
    "\u2460\u2461\u2466.\u24ea.\u24ea.\u2460",  # circled digits
    "\U0001d7cf\U0001d7d0\U0001d7d5.\U0001d7ce.\U0001d7ce.\U0001d7cf",  # mathematical bold
    "\uff11\uff16\uff19.\uff12\uff15\uff14.\uff11\uff16\uff19.\uff12\uff15\uff14",  # metadata
    "\uff10.\uff10.\uff10.\uff10",  # 0.0.0.0, which reaches this host
]


@pytest.mark.parametrize("host", LOOKALIKE_ADDRESSES)
def test_a_non_ascii_host_that_reads_as_an_address_is_refused(host):
    with pytest.raises(DomainErrors) as refused:
        endpoint(url=f"http://{host}:8080/hooks")

    assert [(e.field, e.code) for e in refused.value.errors] == [("url", ErrorCode.INVALID_INPUT)]


@pytest.mark.parametrize(
    "url", ["https://b\u00fccher.example/hooks", "http://127.0.0.1:8080/hooks", "http://[::1]/h"]
)
def test_names_in_other_scripts_and_ascii_literals_are_left_to_the_sender(url):
    """A real international name stays a name; an ASCII literal is judged when sending,
    where private targets may be allowed (development)."""
    assert endpoint(url=url).url == url
