"""Which failures the schema logs as the server's (ERROR, masked for the client) and which as
the client's own mistakes (INFO)."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError, parse

from graphql_api.schema import schema

DOCUMENT = parse("{ returnRequests(first: 1) { totalCount } }")


def levels(caplog: pytest.LogCaptureFixture) -> list[int]:
    return [r.levelno for r in caplog.records]


def test_an_exception_from_a_subscription_stream_is_a_server_error(caplog):
    caplog.set_level(logging.INFO)
    failure = RuntimeError("the event log could not be read")

    # How strawberry reports an exception raised while iterating a subscription's stream.
    schema.process_errors([GraphQLError(str(failure), original_error=failure)])

    assert logging.ERROR in levels(caplog)


def test_an_exception_in_a_field_is_a_server_error(caplog):
    caplog.set_level(logging.INFO)
    failure = KeyError("x")

    schema.process_errors([GraphQLError("x", path=["returnRequests"], original_error=failure)])

    assert logging.ERROR in levels(caplog)


def test_a_bad_value_in_the_document_is_the_clients_mistake(caplog):
    caplog.set_level(logging.INFO)
    bad_scalar = ValueError("a timestamp needs a time zone")
    node = DOCUMENT.definitions[0]

    schema.process_errors([GraphQLError("Expected DateTime", node, original_error=bad_scalar)])

    assert levels(caplog) == [logging.INFO]
