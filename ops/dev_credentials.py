"""Local development stays easy: on an embedded (SQLite) start the server makes a `dev`
tenant, a full-access key and a desk admin once, keeps them in a local file (mode 0600,
git-ignored), and prints ready-to-paste GraphiQL headers with a fresh token, and the desk
admin's sign-in, on every start."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from core.settings import Settings
from core.staff import StaffAccounts
from domain.access import Role, new_tenant
from domain.ports import Clock
from domain.staff import StaffRole
from persistence.access import AccessStore
from persistence.database import Database

DEV_TENANT = "dev"
DEV_ADMIN = "admin@dev.example"


async def ensure_dev_credentials(
    db: Database, clock: Clock, path: Path, settings: Settings | None = None
) -> dict[str, str]:
    """GraphiQL headers for the dev tenant, creating tenant and key on first use; with
    `settings`, also the desk's dev admin (its password saved in the same file)."""
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
    if settings is not None and "staff_password" not in saved:
        saved |= await _dev_admin(StaffAccounts(db, clock, settings))
        _write(path, saved)
    return {
        "Authorization": f"Bearer {token[0]}",
        "x-api-key": saved["api_key"],
        "tenant-id": saved["tenant_id"],
    }


async def _dev_admin(staff: StaffAccounts) -> dict[str, str]:
    """The desk's admin for development, with a new random password."""
    known = [u for u in await staff.store.users(DEV_TENANT) if u.email == DEV_ADMIN]
    if known:
        user = known[0]
    else:
        user, _ = await staff.create_user(DEV_TENANT, DEV_ADMIN, "Developer", StaffRole.ADMIN)
    password = secrets.token_urlsafe(12)
    await staff.store.set_password_hash(user.id, staff.passwords.hash(password))
    return {"staff_email": DEV_ADMIN, "staff_password": password}


def describe(headers: dict[str, str], path: Path, base_url: str) -> str:
    saved = _read(path) or {}
    desk = (
        f"  The desk at {base_url}/desk signs in as admin {saved['staff_email']} (tenant "
        f"{DEV_TENANT!r}, password in {path});\n  invite colleagues from its Team screen or "
        f"with `returns-api create-staff --tenant {DEV_TENANT} --email … --role agent`.\n"
        if "staff_password" in saved
        else ""
    )
    return (
        f"returns-api: development credentials (tenant {DEV_TENANT!r}; client secret kept in "
        f"{path}):\n"
        f"  GraphiQL at {base_url}/graphql opens with these headers already in its Headers tab\n"
        "  (for curl and other clients; the token lasts one hour, restart for a new one):\n"
        f"  {json.dumps(headers)}\n"
        f"{desk}"
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
