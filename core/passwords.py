"""Staff passwords, hashed with argon2id (argon2-cffi, the reference implementation's
binding): memory-hard, so a stolen table costs an attacker memory per guess, not only time.
Its parameters are settings; tests lower them so that a hash takes microseconds."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.settings import Settings


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Checked when no user matches, so that a wrong e-mail costs as long as a wrong
        # password: the answer's timing does not tell which e-mails are users.
        self._decoy = self._hasher.hash("no user has this password")

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            time_cost=settings.staff_password_time_cost,
            memory_kib=settings.staff_password_memory_kib,
            parallelism=settings.staff_password_parallelism,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def matches(self, password: str, stored: str | None) -> bool:
        """Whether `password` is the one `stored` was made from (None: a decoy check)."""
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def hashed(self, password: str) -> str:
        """`hash` on a worker thread: argon2 takes tens to hundreds of milliseconds of CPU
        (it releases the GIL), which must not stall the event loop and every request on it."""
        return await asyncio.to_thread(self.hash, password)

    async def verified(self, password: str, stored: str | None) -> bool:
        """`matches` on a worker thread, for the same reason."""
        return await asyncio.to_thread(self.matches, password, stored)

    def outdated(self, stored: str) -> bool:
        """Made with other parameters than today's: rehash it at the next sign-in."""
        return self._hasher.check_needs_rehash(stored)
