"""Staff accounts as every face uses them: creating users, the single-use links that set
their passwords, signing in and out, and finding the session a desk request belongs to.

Cookies and links are random (256 bits) and stored only as SHA-256 digests. A session's
CSRF token is HMAC-SHA256 keyed by its cookie (OWASP's HMAC-based token pattern): the page
reads it from /desk/session (same origin only) and sends it as a header on every call that
changes something; another site's page can make the browser send the cookie, never read
the token or compute it;
passwords as argon2id hashes (core/passwords.py). A session is refused once it is signed
out, past its end (idle or absolute), after the user's password changes, or once the user
is disabled: each request reads the session and its user afresh, no cache."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta

from core.passwords import Passwords
from core.settings import Settings
from domain.access import new_secret, secret_hash
from domain.customer_messages import MessageEvent, customer_language
from domain.errors import DomainError, ErrorCode, InvalidInput, NotFound
from domain.ports import Clock
from domain.staff import (
    MAX_STAFF_USERS,
    LinkPurpose,
    SessionLifetime,
    StaffRole,
    StaffSession,
    StaffUser,
    acceptable_password,
    staff_email,
    staff_name,
)
from persistence.customer_messages import queue_staff_message
from persistence.database import Database
from persistence.staff import StaffStore

log = logging.getLogger(__name__)
# Told when sessions end early: (the user's id, the SHA-256 of the one session's cookie, or
# None for every session of the user). A face holding live connections closes theirs.
SessionsEnded = Callable[[str, str | None], None]
PASSWORD_PATH = "/desk/password"
SESSION_PREFIX = "rss"
CSRF_PREFIX = "rsc"
LINK_PREFIX = "rsl"
_MAILED = {  # the e-mail that carries each kind of link
    LinkPurpose.INVITATION: MessageEvent.STAFF_INVITATION,
    LinkPurpose.PASSWORD_RESET: MessageEvent.STAFF_PASSWORD_RESET,
}


def mailed_purpose(event: MessageEvent) -> LinkPurpose:
    """The link a staff e-mail carries."""
    return next(purpose for purpose, mailed in _MAILED.items() if mailed == event)


def csrf_token(cookie: str) -> str:
    return f"{CSRF_PREFIX}_" + hmac.new(cookie.encode(), b"desk csrf", hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class CurrentSession:
    """A request's valid session and the cookie that named it (to sign out with, and to
    check the CSRF token against)."""

    session: StaffSession
    cookie: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.cookie)

    def csrf_matches(self, given: object) -> bool:
        if not isinstance(given, str) or not given.isascii():  # a surrogate cannot encode
            return False
        return hmac.compare_digest(given.encode(), self.csrf.encode())


class StaffAccounts:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.store = StaffStore(db)
        self.clock = clock
        self.passwords = Passwords.from_settings(settings)
        self.lifetime = SessionLifetime(
            absolute=timedelta(hours=settings.staff_session_hours),
            idle=timedelta(minutes=settings.staff_session_idle_minutes),
        )
        self.link_lifetime = timedelta(hours=settings.staff_link_hours)
        self.base_url = settings.base_url()
        self._db = db
        # Links go by e-mail when the service has somewhere to send it (an SMTP server, or
        # the development mailbox under `make run`); else they are handed to the admin.
        self.mails_links = settings.smtp_url is not None or settings.dev_mailbox_enabled()

    def on_sessions_ended(self, listener: SessionsEnded) -> None:
        """Call `listener` when sessions end before their time (sign-out, a new password,
        the user disabled), in this process or another one serving the same database:
        every open websocket of those sessions closes at once."""
        self._db.on_staff_sessions_ended(listener)

    async def _tell(self, user_id: str, token_hash: str | None = None) -> None:
        """This process's listeners at once, the others through the database (on
        PostgreSQL this process hears it again: closing a closed socket does nothing)."""
        self._db.staff_sessions_ended(user_id, token_hash)
        try:
            await self.store.announce_ended(user_id, token_hash)
        except Exception as problem:  # the change is committed: never fail the request
            # The other processes' sweep closes those sockets within its interval.
            log.warning("could not tell other processes that sessions ended (%s)", problem)

    async def live_sessions(self, token_hashes: Collection[str]) -> set[str]:
        """Which of these sessions (by their cookies' hashes) are valid now: a process
        holding websockets closes the others' (expired, or ended while it was not
        listening)."""
        return await self.store.live_sessions(token_hashes, self.clock.now())

    # ------------------------------------------------------------------ users

    async def create_user(
        self, tenant_id: str, email: str, name: str | None, role: StaffRole
    ) -> tuple[StaffUser, str]:
        """A new user without a password, and the invitation link that sets it."""
        user = await self._add_user(tenant_id, email, name, role)
        return user, await self.link(user, LinkPurpose.INVITATION)

    async def _add_user(
        self, tenant_id: str, email: str, name: str | None, role: StaffRole
    ) -> StaffUser:
        address = staff_email(email)
        if len(await self.store.users(tenant_id)) >= MAX_STAFF_USERS:
            raise DomainError(
                f"a tenant has at most {MAX_STAFF_USERS} staff users; disable or reuse one",
                code=ErrorCode.LIMIT_EXCEEDED,
            )
        user = StaffUser(
            id=f"su_{secrets.token_hex(8)}",
            tenant_id=tenant_id,
            email=address,
            name=staff_name(name or address.split("@")[0]),
            role=role,
            disabled=False,
            created_at=self.clock.now(),
        )
        return await self.store.add_user(user)

    async def invite(
        self,
        tenant_id: str,
        email: str,
        name: str | None,
        role: StaffRole,
        *,
        language: str | None = None,
    ) -> tuple[StaffUser, str | None]:
        """A new user and their invitation: e-mailed (None comes back) when the service
        sends mail, else the link for the admin to hand over."""
        if not self.mails_links:
            return await self.create_user(tenant_id, email, name, role)
        user = await self._add_user(tenant_id, email, name, role)
        await self._mail_link(user, LinkPurpose.INVITATION, language)
        return user, None

    async def send_reset(
        self, tenant_id: str, user_id: str, *, language: str | None = None
    ) -> str | None:
        """A password-reset link for the user: e-mailed (None comes back) when the service
        sends mail, else returned for the admin to hand over."""
        if not self.mails_links:
            return await self.reset_link(tenant_id, user_id)
        user = await self.existing(tenant_id, user_id)
        await self._mail_link(user, LinkPurpose.PASSWORD_RESET, language)
        return None

    async def _mail_link(self, user: StaffUser, purpose: LinkPurpose, language: str | None) -> None:
        """Queue the e-mail; the mail sender makes the link (`link`) as it sends it, so no
        link waits anywhere in clear and each attempt carries a fresh one."""
        event = _MAILED[purpose]
        await queue_staff_message(
            self._db,
            user.tenant_id,
            event,
            user.email,
            customer_language(language),
            now=self.clock.now(),
        )

    async def enabled_user(self, tenant_id: str, email: str) -> StaffUser | None:
        """The enabled user with this e-mail (a message to one who left is not sent)."""
        user = await self.store.user_by_email(tenant_id, email)
        return user if user is not None and not user.disabled else None

    async def link(self, user: StaffUser, purpose: LinkPurpose) -> str:
        """A single-use link that sets `user`'s password: the one seam every sender uses
        (printed by the CLI, shown to the admin in the desk, or made by the mail sender as
        it sends the e-mail). The token rides in the fragment, so no server or proxy logs it."""
        token = new_secret(LINK_PREFIX)
        ends = self.clock.now() + self.link_lifetime
        await self.store.add_link(user, purpose, secret_hash(token), ends)
        return f"{self.base_url}{PASSWORD_PATH}#token={token}"

    async def reset_link(self, tenant_id: str, user_id: str) -> str:
        user = await self.existing(tenant_id, user_id)
        return await self.link(user, LinkPurpose.PASSWORD_RESET)

    async def existing(self, tenant_id: str, user_id: str) -> StaffUser:
        user = await self.store.user(tenant_id, user_id)
        if user is None:
            raise NotFound(f"staff user {user_id} not found", field="id")
        return user

    async def update_user(
        self,
        tenant_id: str,
        user_id: str,
        *,
        acting: StaffUser | None,
        name: str | None = None,
        role: StaffRole | None = None,
        disabled: bool | None = None,
    ) -> StaffUser:
        """Change a user; disabling one ends their sessions at once. An admin cannot demote
        or disable themselves: a tenant is never left without the admin doing it."""
        user = await self.existing(tenant_id, user_id)
        changed = user.changed(name=name, role=role, disabled=disabled)
        stops_admin = user.role == StaffRole.ADMIN and (
            changed.role != StaffRole.ADMIN or changed.disabled
        )
        if stops_admin and acting is not None and acting.id == user.id:
            raise DomainError(
                "you cannot remove your own admin role or disable yourself; ask another admin",
                field="id",
                code=ErrorCode.FORBIDDEN,
            )
        await self.store.save_user(changed)
        if changed.disabled:
            await self._tell(changed.id)
        return changed

    async def set_password_by_link(self, token: str, password: str) -> StaffUser:
        """Spend an invitation or reset link; every session of the user ends."""
        hashed = await self.passwords.hashed(acceptable_password(password))
        user = await self.store.use_link(secret_hash(token), self.clock.now(), hashed)
        await self._tell(user.id)
        return user

    async def change_password(
        self, session: CurrentSession, current: str, new: str
    ) -> CurrentSession:
        """The signed-in user's own change: every session ends, this one is replaced."""
        user = session.session.user
        found = await self.store.with_password_hash(user.tenant_id, user.email)
        if found is None or not await self.passwords.verified(current, found[1]):
            raise InvalidInput("the current password is not right", field="current_password")
        new_hash = await self.passwords.hashed(acceptable_password(new))
        await self.store.set_password_hash(user.id, new_hash)
        await self._tell(user.id)
        return await self._open(user)

    # ------------------------------------------------------------------ sessions

    async def sign_in(self, tenant_id: str, email: str, password: str) -> CurrentSession | None:
        """A new session for the right password of an enabled user, else None (never
        says whether the e-mail, the password or the account was the problem)."""
        try:
            address = staff_email(email)
        except DomainError:
            address = None
        found = await self.store.with_password_hash(tenant_id, address) if address else None
        stored = found[1] if found else None
        if not await self.passwords.verified(password, stored) or found is None:
            return None
        user = found[0]
        if user.disabled:
            return None
        if self.passwords.outdated(stored or ""):
            await self.store.rehash(user.id, stored or "", await self.passwords.hashed(password))
        return await self._open(user)

    async def _open(self, user: StaffUser) -> CurrentSession:
        now = self.clock.now()
        cookie = new_secret(SESSION_PREFIX)
        ends = self.lifetime.first_end(now)
        await self.store.add_session(user, secret_hash(cookie), now, ends)
        return CurrentSession(StaffSession(user, ends), cookie)

    async def current(self, cookie: str | None) -> CurrentSession | None:
        """The valid session a cookie names, its idle end moved forward; else None."""
        if not cookie:
            return None
        token_hash = secret_hash(cookie)
        found = await self.store.session(token_hash)
        if found is None:
            return None
        session, began = found
        now = self.clock.now()
        if not session.valid(now):
            return None
        ends = self.lifetime.next_end(began, now)
        if ends - session.expires_at > timedelta(minutes=1):  # one write a minute at most
            await self.store.extend_session(token_hash, ends)
            session = StaffSession(session.user, ends)
        return CurrentSession(session, cookie)

    async def sign_out(self, current: CurrentSession) -> None:
        await self.store.end_session(secret_hash(current.cookie))
        await self._tell(current.session.user.id, secret_hash(current.cookie))
