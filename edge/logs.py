"""Structured logs: one JSON object a line, each carrying the id of the HTTP request it was
logged for, and never a secret.

Secrets are kept out in one place, `redact`, which every formatter and the access logger
apply to the whole text of a line: query parameters that grant access (the portal's
`token`, OAuth's `client_secret`, …), credentials in a URL, and anything shaped like a
credential this service issues (access tokens, client secrets, API keys, portal tokens),
wherever in a message or traceback it turns up."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from persistence.correlation import request_id

__all__ = ["REQUEST_ID_HEADER", "redact", "request_id", "without_values"]

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_KEY = web.RequestKey("request_id", str)  # the id, left on the request
RECORD_ATTRIBUTE = "request_id"  # the id the access logger attaches to its record
MAX_REQUEST_ID_LENGTH = 128
REDACTED = "[redacted]"

# Query parameters whose value opens something, in our routes or in OAuth's vocabulary.
SECRET_PARAMETERS = (
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code",
    "secret",
    "api_key",
    "apikey",
    "x-api-key",
    "password",
    "csrf",
    "signature",
)
_SECRET_NAMES = "|".join(map(re.escape, SECRET_PARAMETERS))
_SECRET_PARAMETER = re.compile(rf"(?P<name>[?&;](?:{_SECRET_NAMES})=)[^&;#\s\"'<>]*", re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s@:]*:[^/\s@]*@")
# What this service issues (domain/access.py, core/portal_tokens.py, core/staff.py): an
# access token (rat_), client secret (rcs_) and API key (rk_), a desk session (rss_), its
# CSRF token (rsc_), a staff invitation or reset link (rsl_), and the signed portal tokens:
# the return form's (v1), a status page's (s1, in the path) and a slip's reference (q1).
_ISSUED_CREDENTIAL = re.compile(
    r"\b(?:rat|rcs|rk|rss|rsc|rsl)_[A-Za-z0-9_-]{16,}"
    r"|\b[vsq]1\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{40,}"
)


def redact(text: str) -> str:
    """`text` with every secret we can recognise replaced by [redacted]."""
    text = _SECRET_PARAMETER.sub(lambda m: m["name"] + REDACTED, text)
    text = _URL_CREDENTIALS.sub(REDACTED + "@", text)
    return _ISSUED_CREDENTIAL.sub(REDACTED, text)


# A value a client sent, as GraphQL's messages quote it ("found: {...}", "value: 'x'",
# "got \"x\""): a quoted string, an object, a list or a number, to the end of the message.
_QUOTED_VALUE = re.compile(r"""(\b(?:found|got|value):?\s+)['"{\[(\d-].*""", re.I | re.S)


def without_values(message: str) -> str:
    """A client's error message without the values it quotes: a misspelt field next to a
    webhook secret is refused with the whole input in the message (right for the client,
    who sent it, wrong for the log)."""
    return redact(_QUOTED_VALUE.sub(r"\1(not logged)", message))


def _request_id_of(record: logging.LogRecord) -> str | None:
    """The id the access logger attached, else the id of the request being served."""
    return getattr(record, RECORD_ATTRIBUTE, None) or request_id.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": _request_id_of(record),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines for people (`make run`): the request id in brackets when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(request_label)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = _request_id_of(record)
        record.request_label = f"[{rid}] " if rid else ""
        return redact(super().format(record))


# Libraries that log SQL statements with their parameters (a webhook secret as stored, a
# portal setting) at DEBUG or INFO: they stay at WARNING whatever RETURNS_LOG_LEVEL says.
PARAMETER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class AccessLogger(AbstractAccessLogger):
    """One line per answered request: who, what (its target redacted), status, size, time.

    aiohttp writes it after the middlewares have returned, outside the request's context,
    so the request id is taken from the answer's header (or the request) instead."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        rid = response.headers.get(REQUEST_ID_HEADER) or request.get(REQUEST_ID_KEY)
        version = request.version
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.6f',
            request.remote or "-",
            request.method,
            redact(request.raw_path),
            version.major,
            version.minor,
            response.status,
            response.body_length,
            time,
            extra={RECORD_ATTRIBUTE: rid},
        )


def _accepted_request_id(incoming: str) -> str:
    """The caller's X-Request-Id if it is short printable ASCII (it is echoed in headers
    and sent on with webhooks), else a new one."""
    usable = 0 < len(incoming) <= MAX_REQUEST_ID_LENGTH and incoming.isascii()
    return incoming if usable and incoming.isprintable() else new_request_id()


def new_request_id() -> str:
    """`uuid.uuid4().hex` (32 hex digits, version 4, RFC 4122 variant) without building a
    UUID object, which cost several times the random bytes (every request makes one)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return raw.hex()


@web.middleware
async def request_id_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Take the caller's X-Request-Id or make one, log with it, echo it back (refusals
    raised as HTTP exceptions too)."""
    rid = _accepted_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
    request[REQUEST_ID_KEY] = rid
    token = request_id.set(rid)
    try:
        response = await handler(request)
    except web.HTTPException as answer:
        answer.headers[REQUEST_ID_HEADER] = rid
        raise
    finally:
        request_id.reset(token)
    response.headers[REQUEST_ID_HEADER] = rid
    return response
