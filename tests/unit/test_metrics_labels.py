"""The bounds that keep /metrics small whatever clients send, and who may read it."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from pydantic import SecretStr

from ops.metrics.endpoint import MetricsAccess, face_prefixes
from ops.metrics.registry import ANONYMOUS, OTHER, Faces, OperationNames


def test_only_well_formed_names_up_to_the_limit_become_labels() -> None:
    names = OperationNames(limit=2)
    assert names.label(None) == ANONYMOUS
    assert names.label("Count") == "Count"
    assert names.label("with space") == OTHER
    assert names.label("Q" * 65) == OTHER
    assert names.label("Second") == "Second"
    assert names.label("Third") == OTHER
    assert names.label("Count") == "Count"  # admitted names keep their series


@pytest.mark.parametrize(
    ("path", "face"),
    [
        ("/graphql", "graphql"),
        ("/returns/requests/{return_request_id}", "rest-carriyo"),
        ("/rest/v2/createReturnShipment", "rest-oto"),
        ("/portal/returns", "portal"),
        ("/photos/{photo_id}", "photos"),
        ("/", "pages"),
        ("/docs", "pages"),
        ("/static", "static"),
        ("/static/vendor/graphiql-3.8.3/graphiql.min.js", "static"),
        ("/oauth/token", "oauth"),
        ("/readyz", "health"),
        ("/metrics", "metrics"),
        ("/anything/else", "other"),
        ("/favicon.ico", "static"),
    ],
)
def test_every_way_in_has_its_face(path: str, face: str) -> None:
    assert Faces(face_prefixes()).of(path) == face


class Peer:
    """The socket transport a request arrived on, as aiohttp asks it for the peer."""

    def __init__(self, address: str) -> None:
        self.address = address

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return (self.address, 50000) if name == "peername" else default


def request_from(address: str, **headers: str) -> Any:
    return make_mocked_request("GET", "/metrics", headers=headers, transport=Peer(address))


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_this_host_may_read_the_metrics(address: str) -> None:
    assert MetricsAccess(None).refusal(request_from(address)) is None


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.5", "::ffff:10.0.0.5", "2001:db8::1"])
def test_without_a_token_other_hosts_are_refused(address: str) -> None:
    refused = MetricsAccess(None).refusal(request_from(address))
    assert refused is not None and refused.status == 403


def test_a_token_opens_the_metrics_to_any_host_that_sends_it() -> None:
    access = MetricsAccess(SecretStr("a-token-for-the-scraper-only"))
    sent = request_from("203.0.113.9", Authorization="Bearer a-token-for-the-scraper-only")
    assert access.refusal(sent) is None
    local = access.refusal(request_from("127.0.0.1"))
    assert local is not None and local.status == 401
