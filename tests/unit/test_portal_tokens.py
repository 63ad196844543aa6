"""Return-portal tokens: they grant one order until they expire, and any change breaks them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.portal_tokens import ExpiredToken, InvalidToken, PortalGrant, issue, verify

KEY = b"k" * 32
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=72)


def _token(**overrides) -> str:
    args = {"tenant_id": "acme-co", "merchant": "acme", "order_reference": "SO-1"} | overrides
    return issue(**args, key=KEY, now=NOW, ttl=TTL)[0]


def test_a_token_grants_its_order_until_it_expires():
    grant = verify(_token(), key=KEY, now=NOW + TTL - timedelta(seconds=1))
    assert grant == PortalGrant("acme-co", "acme", "SO-1", NOW + TTL)


def test_a_token_is_refused_from_its_expiry_on():
    with pytest.raises(ExpiredToken):
        verify(_token(), key=KEY, now=NOW + TTL)


def test_a_token_signed_with_another_key_is_invalid():
    with pytest.raises(InvalidToken):
        verify(_token(), key=b"x" * 32, now=NOW)


def test_changing_any_character_invalidates_the_token():
    token = _token()
    for index in range(len(token)):
        changed = "A" if token[index] != "A" else "B"
        tampered = token[:index] + changed + token[index + 1 :]
        with pytest.raises(InvalidToken):
            verify(tampered, key=KEY, now=NOW)


def test_a_payload_swapped_from_another_token_is_invalid():
    mine, other = _token().split("."), _token(order_reference="SO-2").split(".")
    with pytest.raises(InvalidToken):
        verify(f"{mine[0]}.{other[1]}.{mine[2]}", key=KEY, now=NOW)


def test_a_longer_expiry_cannot_be_written_into_a_token():
    version, _, signature = _token().split(".")
    forged = issue("acme-co", "acme", "SO-1", key=b"attacker" * 4, now=NOW, ttl=TTL * 100)[0]
    with pytest.raises(InvalidToken):
        verify(f"{version}.{forged.split('.')[1]}.{signature}", key=KEY, now=NOW)


@pytest.mark.parametrize(
    "token",
    ["", "v1", "v1..", "v2.abc.def", "v1.abc", "v1.abc.!!!", "x" * 5000, "v1.é.é", "v1.a.\ud800"],
)
def test_malformed_tokens_are_invalid(token):
    with pytest.raises(InvalidToken):
        verify(token, key=KEY, now=NOW)
