"""The id of the HTTP request being served (its X-Request-Id), for what that request causes.

It is ambient, like a trace context: the request-id middleware sets it for the request's
task (tasks started from it inherit it), log lines read it, and the outbox stores it with
each event the request commits, so that a webhook delivery sent later, by another task or
process, still names the request that caused it. Outside a request it is None."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
