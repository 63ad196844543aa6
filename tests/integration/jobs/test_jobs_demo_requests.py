"""`make demo` gives a newcomer's desk something to show: return requests in each state, one
with a customer's photo the API serves, and no duplicates when the seed runs again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.photos import ImageKind, sniff_image
from ops.app import create_app
from ops.demo import seed_demo
from ops.demo_requests import seed_demo_requests
from ops.dev_credentials import ensure_dev_credentials
from persistence.database import Database
from persistence.photo_store import LocalPhotoStore
from persistence.unit_of_work import UnitsOfWork
from tests.clocks import FixedClock

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8000"
DEMO_REQUESTS = """
query {
  returnRequests(first: 50, filter: {merchant: "demo-store"}) {
    totalCount
    edges { node {
      orderReference status
      items { sku quantity approvedQuantity rejectedQuantity receivedQuantity imageUrls }
      refunds { amount currency }
    } }
  }
}
"""


async def _seed(db: Database, clock: FixedClock, photos: Path) -> list[str]:
    units = UnitsOfWork(db, clock)
    await seed_demo(units)
    return await seed_demo_requests(units, LocalPhotoStore(photos), base_url=BASE)


async def test_the_demo_has_a_request_in_each_state_and_a_photo_that_serves(
    db: Database, tmp_path: Path
) -> None:
    clock, photos = FixedClock(NOW), tmp_path / "photos"
    first = await _seed(db, clock, photos)
    again = await _seed(db, clock, photos)
    headers = await ensure_dev_credentials(db, clock, tmp_path / "dev.json")
    app = create_app(
        Settings(migrate_on_start=False, webhook_interval_seconds=0, photo_dir=str(photos)),
        db=db,
        clock=clock,
    )
    async with TestClient(TestServer(app), headers=headers) as client:
        answer = await (await client.post("/graphql", json={"query": DEMO_REQUESTS})).json()
        found = answer["data"]["returnRequests"]
        requests = {edge["node"]["orderReference"]: edge["node"] for edge in found["edges"]}
        [photo_url] = requests["DEMO-2001"]["items"][0]["imageUrls"]
        photo = await client.get(photo_url.removeprefix(BASE))
        image = await photo.read()

    assert again == first and found["totalCount"] == len(first) == 5
    assert {ref: r["status"] for ref, r in requests.items()} == {
        "DEMO-2001": "PENDING",
        "DEMO-2002": "APPROVED",
        "DEMO-2003": "RECEIVED",
        "DEMO-2004": "COMPLETED",
        "DEMO-2005": "REJECTED",
    }
    partly = requests["DEMO-2002"]["items"]
    assert [(i["approvedQuantity"], i["rejectedQuantity"]) for i in partly] == [(1, 1), (0, 1)]
    assert requests["DEMO-2003"]["items"][0]["receivedQuantity"] == 1
    assert requests["DEMO-2004"]["refunds"] == [{"amount": "450.00", "currency": "AED"}]
    assert photo.status == 200 and photo.content_type == "image/png"
    assert sniff_image(image) == ImageKind.PNG and len(image) > 100
    assert len(list((photos / "dev").iterdir())) == 1, "a second run stores no second photo"


def test_make_demo_twice_prints_the_same_requests(tmp_path: Path) -> None:
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "RETURNS_PHOTO_DIR": str(tmp_path / "photos"),
    }

    def seed() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "ops.cli", "seed-demo"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.split("return requests ")[1].strip()

    first, again = seed(), seed()

    assert first == again and first.count("RR-") == 5
    assert len(list((tmp_path / "photos" / "dev").iterdir())) == 1
