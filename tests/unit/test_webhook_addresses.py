"""The webhook client connects only to addresses it checked: a name whose answer holds an
address inside our network is refused at resolution, so re-resolving it differently later
(DNS rebinding) cannot reach one."""

from __future__ import annotations

import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from delivery.webhooks import (
    PRIVATE_TARGET,
    PublicAddresses,
    inner_address,
    public_socket,
)
from domain.webhooks import client_host


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


# Every spelling of an inner address the HTTP client reads as a literal (it connects to a
# literal without asking any resolver): ASCII, IPv6-mapped, and non-ASCII lookalikes that
# IDNA/UTS46 and NFKC map onto the same digits and dots.
LITERAL_FORMS = [
    "127.0.0.1",
    "127\u30020\u30020\u30021",
    "127\uff0e0\uff0e0\uff0e1",
    "127\uff610\uff610\uff611",
    "\uff11\uff12\uff17.\uff10.\uff10.\uff11",
    "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11",
    "\u2460\u2461\u2466.\u24ea.\u24ea.\u2460",
    "\U0001d7cf\U0001d7d0\U0001d7d5.\U0001d7ce.\U0001d7ce.\U0001d7cf",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "0.0.0.0",
    "\uff10.\uff10.\uff10.\uff10",
    "169.254.169.254",
    "\uff11\uff16\uff19.\uff12\uff15\uff14.\uff11\uff16\uff19.\uff12\uff15\uff14",
]


@pytest.mark.parametrize("host", LITERAL_FORMS)
def test_every_spelling_of_an_inner_literal_is_seen_as_the_client_reads_it(host):
    assert inner_address(f"http://{host}:8080/hooks")


@pytest.mark.parametrize("host", [h for h in LITERAL_FORMS if not h.isascii()])
def test_registration_reads_a_non_ascii_host_as_the_client_does(host):
    """The domain (standard library only) must see the address yarl will connect to."""
    assert client_host(host) == URL(f"http://{host}/").raw_host


@pytest.mark.parametrize("host", ["hooks.example.com", "93.184.216.34", "b\u00fccher.example"])
def test_names_and_public_literals_are_not_inner(host):
    assert not inner_address(f"https://{host}/hooks")


@pytest.mark.parametrize(
    "address",
    [
        ("127.0.0.1", 80),
        ("0.0.0.0", 80),
        ("10.1.2.3", 80),
        ("169.254.169.254", 80),
        ("::1", 80, 0, 0),
        ("::ffff:127.0.0.1", 80, 0, 0),
        ("2002:7f00:1::", 80, 0, 0),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", 80, 0, 0),  # NAT64 wrapping 169.254.169.254
        ("fe80::1%lo", 80, 0, 1),
    ],
)
def test_no_socket_is_opened_to_an_inner_address_whatever_led_to_it(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with pytest.raises(OSError, match=PRIVATE_TARGET):
        public_socket((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address))


def test_a_socket_to_a_public_address_is_opened():
    opened = public_socket(
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.216.34", 443))
    )
    opened.close()
