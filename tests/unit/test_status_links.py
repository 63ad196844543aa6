"""Status-page links: signed for one request, read-only, and never interchangeable with a
return-form token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.portal_links import PortalLinks
from core.status_links import STATUS_PATH, StatusLinks
from domain.errors import DomainError, ErrorCode

KEY = b"k" * 32
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _links(key: bytes | None = KEY) -> StatusLinks:
    return StatusLinks(key=key, base_url="https://returns.example", ttl=timedelta(days=180))


def test_a_status_link_opens_its_request_until_it_expires() -> None:
    links = _links()
    url = links.url("t1", "shop", "RR-7K3P9Q2M", now=NOW)
    assert url.startswith(f"https://returns.example{STATUS_PATH}/s1.")
    grant = links.grant(url.rsplit("/", 1)[1], now=NOW + timedelta(days=179))
    assert (grant.tenant_id, grant.merchant, grant.request_id) == ("t1", "shop", "RR-7K3P9Q2M")
    with pytest.raises(DomainError) as expired:
        links.grant(url.rsplit("/", 1)[1], now=NOW + timedelta(days=181))
    assert expired.value.code == ErrorCode.UNAUTHENTICATED


@pytest.mark.parametrize("token", ["", "s1.e30.AAAA", "v1.x.y", "s1." + "a" * 3000])
def test_anything_we_did_not_sign_is_refused(token: str) -> None:
    with pytest.raises(DomainError) as refused:
        _links().grant(token, now=NOW)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_a_changed_byte_or_another_key_is_refused() -> None:
    token = _links().token("t1", "shop", "RR-1", now=NOW)
    changed = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for candidate, links in ((changed, _links()), (token, _links(b"o" * 32))):
        with pytest.raises(DomainError) as refused:
            links.grant(candidate, now=NOW)
        assert refused.value.code == ErrorCode.FORBIDDEN


def test_form_and_status_tokens_never_open_each_other() -> None:
    portal = PortalLinks(key=KEY, base_url="https://returns.example", ttl=timedelta(hours=1))
    form_url, _ = portal.link("t1", "shop", "ORDER-1", now=NOW)
    form_token = form_url.split("token=", 1)[1]
    with pytest.raises(DomainError):
        _links().grant(form_token, now=NOW)
    with pytest.raises(DomainError):
        portal.grant(_links().token("t1", "shop", "RR-1", now=NOW), now=NOW)


def test_without_a_portal_secret_the_service_says_so() -> None:
    with pytest.raises(DomainError) as missing:
        _links(None).url("t1", "shop", "RR-1", now=NOW)
    assert missing.value.code == ErrorCode.UNAVAILABLE


def test_an_expired_link_still_says_whose_it_was_and_a_forged_one_does_not() -> None:
    links = _links()
    token = links.token("t1", "shop", "RR-7K3P9Q2M", now=NOW)
    grant = links.expired(token)
    assert grant is not None and (grant.tenant_id, grant.merchant) == ("t1", "shop")
    assert links.expired(token[:-2] + "AA") is None
    assert links.expired("v1.e30.AAAA") is None
    assert _links(None).expired(token) is None
