"""Local development stays easy: on an embedded (SQLite) start the server makes a `dev`
tenant and a full-access key once, keeps them in a local file (mode 0600, git-ignored), and
prints ready-to-paste GraphiQL headers with a fresh token on every start."""

from __future__ import annotations

import json
import os
from pathlib import Path

from domain.access import Role, new_tenant
from domain.ports import Clock
from persistence.access import AccessStore
from persistence.database import Database

DEV_TENANT = "dev"


async def ensure_dev_credentials(db: Database, clock: Clock, path: Path) -> dict[str, str]:
    """GraphiQL headers for the dev tenant, creating tenant and key on first use."""
    store = AccessStore(db)
    saved = _read(path)
    token = None
    if saved:
        token = await store.issue_token(saved["client_id"], saved["client_secret"], clock.now())
    if token is None:
        if await store.tenant(DEV_TENANT) is None:
            await store.create_tenant(new_tenant(DEV_TENANT, "Local development", clock.now()))
        issued = await store.create_client(DEV_TENANT, Role.FULL, "make run", clock.now())
        saved = {
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
            "api_key": issued.api_key,
            "tenant_id": DEV_TENANT,
        }
        _write(path, saved)
        token = await store.issue_token(saved["client_id"], saved["client_secret"], clock.now())
    assert token is not None and saved is not None
    return {
        "Authorization": f"Bearer {token[0]}",
        "x-api-key": saved["api_key"],
        "tenant-id": saved["tenant_id"],
    }


def describe(headers: dict[str, str], path: Path, base_url: str) -> str:
    return (
        f"returns-api: development credentials (tenant {DEV_TENANT!r}; client secret kept in "
        f"{path}):\n"
        f"  GraphiQL at {base_url}/graphql opens with these headers already in its Headers tab\n"
        "  (for curl and other clients; the token lasts one hour, restart for a new one):\n"
        f"  {json.dumps(headers)}\n"
        f"  `make demo` loads the demo merchant 'demo-store' into tenant {DEV_TENANT!r}; "
        f"start at {base_url}/"
    )


def _read(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    keys = {"client_id", "client_secret", "api_key", "tenant_id"}
    return data if isinstance(data, dict) and keys <= data.keys() else None


def _write(path: Path, data: dict[str, str]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(data, file, indent=2)
