"""`returns-api create-staff` and `reset-staff-password`: the first admin of a tenant, and a
way back in for one who lost their password, from the server's own shell. Each prints a
single-use link (core/staff.py `StaffAccounts.link`, the seam an e-mail sender will use)."""

from __future__ import annotations

from typing import Any

from core.settings import Settings
from core.staff import StaffAccounts
from domain.errors import NotFound
from domain.ports import SystemClock
from domain.staff import LinkPurpose, StaffRole, staff_email


async def create_staff(
    settings: Settings, db: Any, tenant_id: str, email: str, role: str, name: str | None
) -> str:
    staff = StaffAccounts(db, SystemClock(), settings)
    user, link = await staff.create_user(tenant_id, email, name, StaffRole(role.upper()))
    return (
        f"returns-api: {user.role.value} {user.email} created in tenant {tenant_id}.\n"
        "Send them this invitation link; it sets their password, works once and "
        f"expires in {settings.staff_link_hours:g} hours:\n  {link}"
    )


async def reset_staff_password(settings: Settings, db: Any, tenant_id: str, email: str) -> str:
    staff = StaffAccounts(db, SystemClock(), settings)
    address = staff_email(email)
    found = [u for u in await staff.store.users(tenant_id) if u.email == address]
    if not found:
        raise NotFound(f"no staff user {address} in tenant {tenant_id}", field="email")
    link = await staff.link(found[0], LinkPurpose.PASSWORD_RESET)
    return (
        f"returns-api: password-reset link for {address} (once, within "
        f"{settings.staff_link_hours:g} hours; their sessions end when it is used):\n  {link}"
    )
