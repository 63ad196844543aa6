"""The webhook client connects only to addresses it checked: a name whose answer holds an
address inside our network is refused at resolution, so re-resolving it differently later
(DNS rebinding) cannot reach one."""

from __future__ import annotations

import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from graphql_api.webhooks.dispatcher import PRIVATE_TARGET, PublicAddresses


class Answers(AbstractResolver):
    """A name server that answers what the test says."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=address, port=port, family=family, proto=0, flags=0)
            for address in self.addresses
        ]

    async def close(self) -> None:
        pass


async def test_a_public_answer_is_used_as_given():
    resolved = await PublicAddresses(Answers("93.184.216.34")).resolve("hooks.example.com", 443)

    assert [result["host"] for result in resolved] == ["93.184.216.34"]


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("10.0.0.8",),
        ("169.254.169.254",),
        ("::1",),
        ("fe80::1%eth0",),
        ("93.184.216.34", "192.168.1.1"),  # one inner address spoils the answer
        (),
    ],
)
async def test_an_answer_holding_an_inner_address_is_refused(addresses):
    with pytest.raises(OSError, match=PRIVATE_TARGET):
        await PublicAddresses(Answers(*addresses)).resolve("hooks.example.com", 443)
