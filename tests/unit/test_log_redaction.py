"""What `redact` and `without_values` leave of a log line: the shape of the request or the
mistake, never the secret in it."""

from __future__ import annotations

import pytest

from edge.logs import redact, without_values

PORTAL_TOKEN = (
    "v1.eyJleHAiOjE3OTY4OTg0NDIsIm0iOiJhY21lIn0.Q4lhOL7sQZgVftstd3dx-VOu5skXlCTIMcQP2PEuav4"
)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            f"GET /portal/returns?token={PORTAL_TOKEN}&lang=ar",
            "/portal/returns?token=[redacted]&lang=ar",
        ),
        (f"GET /portal/returns?lang=ar&TOKEN={PORTAL_TOKEN}", "?lang=ar&TOKEN=[redacted]"),
        (
            "POST /oauth/token?client_id=rc_1&client_secret=s3cr3t",
            "client_id=rc_1&client_secret=[redacted]",
        ),
        ("GET /cb?code=abc&state=x", "/cb?code=[redacted]&state=x"),
        (
            "POST to https://user:pass@hooks.example/in failed",
            "https://[redacted]@hooks.example/in",
        ),
        ("Authorization: Bearer rat_" + "A" * 43, "Authorization: Bearer [redacted]"),
        ("client rcs_" + "b" * 43 + " key rk_" + "c" * 43, "client [redacted] key [redacted]"),
        (f"link {PORTAL_TOKEN} in a message", "link [redacted] in a message"),
        ("Cookie: returns_desk=rss_" + "d" * 43, "Cookie: returns_desk=[redacted]"),
        ("X-CSRF-Token: rsc_" + "e" * 64, "X-CSRF-Token: [redacted]"),
        ("/desk/password#token=rsl_" + "f" * 43, "/desk/password#token=[redacted]"),
    ],
)
def test_secrets_are_redacted_and_the_rest_is_kept(line: str, kept: str) -> None:
    assert kept in redact(line)


def test_a_line_without_secrets_is_unchanged() -> None:
    line = '127.0.0.1 "GET /graphql?operationName=Returns HTTP/1.1" 200 512 0.004000'
    assert redact(line) == line


@pytest.mark.parametrize(
    "message",
    [
        "Variable '$input' has invalid value: Expected value of type 'CreateWebhookEndpointInput'"
        " not to include unknown field 'evntTypes', found: {'secret': 'the-secret'}.",
        "Variable '$input' has invalid value at .secret: String cannot represent a non string"
        " value: 'the-secret'",
        'Int cannot represent non-integer value: "the-secret"',
        "DateTime must be an ISO 8601 string, got 'the-secret'",
    ],
)
def test_graphql_messages_keep_what_was_wrong_but_not_the_value(message: str) -> None:
    logged = without_values(message)
    assert "the-secret" not in logged
    assert logged.endswith("(not logged)")
    assert logged[:30] == message[:30]
