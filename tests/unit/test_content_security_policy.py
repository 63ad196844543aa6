"""The pages' Content-Security-Policy takes only clean sources: whatever reaches the header
builder (a stored logo address, a Host header), it cannot add a directive of its own."""

from __future__ import annotations

import pytest

from pages.security import content_security_policy


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize(
    "source",
    [
        "https://evil.example;report-uri",
        "https://evil.example report-uri https://evil.example/r",
        "https://evil.example/logo.png",
        "https://evil.example,script-src *",
        "'unsafe-eval'",
        "*",
    ],
)
def test_a_source_that_is_not_a_bare_origin_is_left_out(source) -> None:
    policy = content_security_policy(img_src=[source])

    assert _directives(policy)["img-src"] == ["'self'"]
    assert "report-uri" not in policy and "evil" not in policy


def test_keywords_nonces_and_origins_are_kept() -> None:
    policy = content_security_policy(
        img_src=["https://cdn.acme.example:8443", "data:"],
        style_src=["'nonce-abc_DEF-12='", "'unsafe-inline'"],
        connect_src=["ws://127.0.0.1:8080", "wss://[::1]:8443"],
    )

    directives = _directives(policy)
    assert directives["img-src"] == ["'self'", "https://cdn.acme.example:8443", "data:"]
    assert directives["style-src"] == ["'self'", "'nonce-abc_DEF-12='", "'unsafe-inline'"]
    assert directives["connect-src"] == ["'self'", "ws://127.0.0.1:8080", "wss://[::1]:8443"]
