"""The reference a drop-off slip's QR code carries: signed for one request of one tenant
under its own version, so it opens no page and no other token passes for it; kept out of
the logs like every other token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.slip_references import SlipReferences
from core.status_links import StatusLinks
from domain.errors import DomainError, ErrorCode
from edge.logs import redact

KEY = b"k" * 32
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TTL = timedelta(days=180)


def test_a_reference_names_its_tenant_and_request_until_it_expires() -> None:
    slips = SlipReferences(KEY, TTL)
    reference = slips.reference("t1", "RR-7K3P9Q2M", now=NOW)

    assert reference.startswith("q1.")
    read = slips.read(reference, now=NOW + TTL - timedelta(seconds=1))
    assert (read.tenant_id, read.request_id) == ("t1", "RR-7K3P9Q2M")
    with pytest.raises(DomainError) as expired:
        slips.read(reference, now=NOW + TTL)
    assert expired.value.code == ErrorCode.INVALID_INPUT


def test_a_status_token_does_not_pass_for_a_slip_reference_nor_the_other_way() -> None:
    status = StatusLinks(KEY, "https://returns.example", TTL)
    slips = SlipReferences(KEY, TTL)
    with pytest.raises(DomainError):
        slips.read(status.token("t1", "shop", "RR-7K3P9Q2M", now=NOW), now=NOW)
    with pytest.raises(DomainError):
        status.grant(slips.reference("t1", "RR-7K3P9Q2M", now=NOW), now=NOW)


@pytest.mark.parametrize("reference", ["", None, "RR-7K3P9Q2M", "q1.e30.AAAA", "q1." + "a" * 3000])
def test_anything_we_did_not_sign_is_refused_as_input(reference: str | None) -> None:
    with pytest.raises(DomainError) as refused:
        SlipReferences(KEY, TTL).read(reference, now=NOW)
    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert refused.value.field == "reference"


def test_a_reference_signed_with_another_key_is_refused() -> None:
    reference = SlipReferences(b"x" * 32, TTL).reference("t1", "RR-7K3P9Q2M", now=NOW)
    with pytest.raises(DomainError):
        SlipReferences(KEY, TTL).read(reference, now=NOW)


def test_without_a_portal_secret_slips_are_unavailable() -> None:
    with pytest.raises(DomainError) as unavailable:
        SlipReferences(None, TTL).reference("t1", "RR-7K3P9Q2M", now=NOW)
    assert unavailable.value.code == ErrorCode.UNAVAILABLE


def test_status_tokens_and_slip_references_never_reach_a_log_line() -> None:
    token = StatusLinks(KEY, "https://r.example", TTL).token("t1", "shop", "RR-1", now=NOW)
    reference = SlipReferences(KEY, TTL).reference("t1", "RR-1", now=NOW)
    line = f"GET /portal/status/{token}/slip 200; scanned {reference}"
    assert token not in redact(line) and reference not in redact(line)
    assert "/portal/status/[redacted]/slip" in redact(line)
