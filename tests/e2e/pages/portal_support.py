"""The portal over HTTP for the page tests: an app with one order (SO-1, one line of two
units, delivered) and its link, the page's CSRF and submission fields, forms, and multipart
bodies written by hand, so a test decides the order of the parts and what it declares."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain import commands as c
from domain import services
from domain.orders import Customer
from domain.portal import PortalSettings
from domain.values import Actor, Address
from ops.app import create_app
from ops.bootstrap import WIRING_KEY
from persistence.portal_settings import save_portal_settings
from persistence.unit_of_work import SqlUnitOfWork

HOSTILE = '<script>alert("x")</script>'
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@asynccontextmanager
async def portal_app(
    db, clock, tmp_path: Path, **settings: Any
) -> AsyncIterator[tuple[TestClient, str]]:
    """A client of the app and the path of SO-1's link (`/portal/returns?token=…`)."""
    chosen = {
        "migrate_on_start": False,
        "webhook_interval_seconds": 0,
        "portal_secret": "p" * 40,
        "photo_dir": str(tmp_path / "photos"),
    }
    app = create_app(Settings(**(chosen | settings)), db=db, clock=clock)
    await _order(db, clock)
    await save_portal_settings(
        db,
        "default",
        PortalSettings("acme", display_name=HOSTILE, return_policy=HOSTILE),
        now=clock.now(),
    )
    async with TestClient(TestServer(app)) as client:
        link, _ = app[WIRING_KEY].portal.link("default", "acme", "SO-1", now=clock.now())
        yield client, "/" + link.split("/", 3)[3]


async def _order(db, clock) -> None:
    await services.upsert_order(
        c.UpsertOrder(
            actor=Actor(),
            merchant="acme",
            reference="SO-1",
            currency="AED",
            customer=Customer(HOSTILE, "ann@example.com", "+971500000000"),
            delivery_address=Address(address1="1 Palm St", city="Dubai", country="AE"),
            lines=[
                c.OrderLineSpec(
                    "SKU-1", HOSTILE, 2, Decimal("10"), None, clock.now() - timedelta(days=1)
                ),
            ],
        ),
        uow=SqlUnitOfWork(db, clock=clock),
        clock=clock,
    )


async def page(client: TestClient, path: str) -> tuple[str, str, str]:
    """The order page, its CSRF field and its one-time submission key."""
    response = await client.get(path, headers=HTML)
    html = await response.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    submission = re.search(r'name="submission" value="([^"]+)"', html).group(1)
    return html, csrf, submission


def form(csrf: str, submission: str | None = None, **extra: str) -> dict[str, str]:
    """A filled-in form returning one unit of SO-1's line, CSRF field first."""
    fields = {"csrf": csrf} | ({"submission": submission} if submission else {})
    return (
        fields
        | {
            "sku-0": "SKU-1",
            "qty-0": "1",
            "method": "pickup",
            "address1": "1 Palm St",
            "city": "Dubai",
            "country": "AE",
        }
        | extra
    )


Part = tuple[str, str | bytes, str | None]  # name, value, file name (for a photo)


def multipart(parts: list[Part], boundary: str | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with the parts in this order, and its Content-Type."""
    boundary = boundary or secrets.token_hex(16)
    body = b"".join(part_bytes(part, boundary) for part in parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def part_bytes(part: Part, boundary: str) -> bytes:
    name, value, filename = part
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    kind = "Content-Type: image/png\r\n" if filename else ""
    data = value.encode() if isinstance(value, str) else value
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode()
    return head + data + b"\r\n"


def fields(values: dict[str, str]) -> list[Part]:
    return [(name, value, None) for name, value in values.items()]


async def returns_of_the_order(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = await client.get(path, headers=JSON)
    return (await response.json())["returns"]


def stored_photos(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "photos").rglob("*") if p.is_file()]
