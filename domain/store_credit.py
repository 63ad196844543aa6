"""Store credit: a customer's credit with one merchant in one currency, kept as a ledger.

The balance is the sum of the ledger, and never below zero. Credit arrives in lots (a credit,
a bonus, a positive adjustment), each with what is left of it (`remaining`) and when it
expires; whatever takes credit away (a debit, an expiration, a negative adjustment) names
the lots it used (`allocations`), soonest-expiring first, so expiry removes only what is
unspent and a debit revert gives back exactly what it took, to the lots it took it from.
The account is changed only while its row is held (persistence locks it), so two spenders
never see the same balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain import events as ev
from domain.errors import DomainError, ErrorCode, InvalidInput
from domain.values import Actor, bounded_text, money_amount, new_id

ZERO = Decimal(0)
MAX_EXPIRY_DAYS = 3650
MAX_BONUS_PERCENT = Decimal(100)
IDEMPOTENCY_KEY_LIMIT = 255
# ISO 4217 minor units where they are not two (the rest have two).
_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip


def minor_units(currency: str) -> Decimal:
    """The currency's smallest amount (0.01, 1 for JPY, 0.001 for KWD): what an amount we
    compute (a percentage bonus) is rounded to."""
    return Decimal(1).scaleb(-_MINOR_UNITS.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_units(currency), rounding=ROUND_HALF_UP)


class EntryKind(StrEnum):
    CREDIT = "CREDIT"  # credit issued (a refund by store credit); negative: taken back
    BONUS = "BONUS"  # the merchant's bonus for choosing credit; negative: taken back
    DEBIT = "DEBIT"  # spent at the merchant's storefront
    DEBIT_REVERT = "DEBIT_REVERT"  # a debit undone: its credit returns to the lots it used
    EXPIRATION = "EXPIRATION"  # what was left of a lot when it expired
    ADJUSTMENT = "ADJUSTMENT"  # an operator's correction, with a reason


class OriginKind(StrEnum):
    RETURN_REQUEST = "RETURN_REQUEST"
    REFUND = "REFUND"
    ORDER = "ORDER"
    MANUAL = "MANUAL"


class BonusBasis(StrEnum):
    FLAT = "FLAT"
    PERCENT = "PERCENT"


class CustomerKeyKind(StrEnum):
    CUSTOMER_ID = "id"  # the merchant's own customer id
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entry came from: a refund (of a return request), an order, or an operator."""

    kind: OriginKind
    return_request_id: str | None = None
    refund_id: str | None = None
    order_reference: str | None = None

    @property
    def subject(self) -> str | None:
        """The return request an event of this entry is about, when there is one."""
        return self.return_request_id


MANUAL = Origin(OriginKind.MANUAL)


def customer_key(
    *, customer_id: str | None = None, email: str | None = None, phone: str | None = None
) -> str:
    """The one spelling of a customer for an account key: the merchant's own id if given,
    else the e-mail (trimmed, lower case), else the phone's digits (a leading 00 or + and
    spacing dropped). Guests have an e-mail or a phone, so they get an account too."""
    if customer_id and customer_id.strip():
        value = bounded_text(customer_id.strip(), field="customer_id", limit=200)
        return f"{CustomerKeyKind.CUSTOMER_ID}:{value}"
    if email and email.strip():
        value = bounded_text(email.strip().lower(), field="email", limit=320)
        if "@" not in value:
            raise InvalidInput(f"{email!r} is not an e-mail address", field="email")
        return f"{CustomerKeyKind.EMAIL}:{value}"
    if phone and phone.strip():
        digits = "".join(ch for ch in phone if ch.isdigit())
        if phone.strip().startswith("00"):
            digits = digits[2:]
        if not 4 <= len(digits) <= 20:
            raise InvalidInput(f"{phone!r} is not a phone number", field="phone")
        return f"{CustomerKeyKind.PHONE}:{digits}"
    raise DomainError(
        "store credit needs the customer's id, e-mail or phone",
        field="customer",
        code=ErrorCode.NO_CUSTOMER,
    )


@dataclass(frozen=True, slots=True)
class StoreCreditSettings:
    """A merchant's store-credit settings: the bonus for choosing credit (none, flat or a
    percentage of the credit, optionally capped) and how many days credit lasts (None: for
    ever)."""

    merchant: str
    bonus_basis: BonusBasis | None = None
    bonus_value: Decimal = ZERO
    bonus_cap: Decimal | None = None
    expiry_days: int | None = None

    def bonus_for(self, amount: Decimal, currency: str) -> Decimal:
        if self.bonus_basis is None or self.bonus_value <= 0:
            return ZERO
        if self.bonus_basis == BonusBasis.FLAT:
            bonus = self.bonus_value
        else:
            bonus = amount * self.bonus_value / 100
        if self.bonus_cap is not None:
            bonus = min(bonus, self.bonus_cap)
        return round_money(bonus, currency).copy_abs()

    def expires_at(self, at: datetime) -> datetime | None:
        return at + timedelta(days=self.expiry_days) if self.expiry_days is not None else None


NO_SETTINGS = StoreCreditSettings(merchant="")


def validate_store_credit_settings(settings: StoreCreditSettings) -> StoreCreditSettings:
    bounded_text(settings.merchant, field="merchant", limit=100)
    if settings.bonus_value < 0 or not settings.bonus_value.is_finite():
        raise InvalidInput("the bonus must not be negative", field="bonus_value")
    if settings.bonus_basis == BonusBasis.PERCENT and settings.bonus_value > MAX_BONUS_PERCENT:
        raise InvalidInput("a percentage bonus is at most 100", field="bonus_value")
    if settings.bonus_basis == BonusBasis.FLAT and settings.bonus_value:
        money_amount(settings.bonus_value, field="bonus_value")
    if settings.bonus_cap is not None:
        money_amount(settings.bonus_cap, field="bonus_cap")
    if settings.expiry_days is not None and not 1 <= settings.expiry_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(
            f"credit expiry must be between 1 and {MAX_EXPIRY_DAYS} days", field="expiry_days"
        )
    return settings


@dataclass(eq=False, slots=True)
class LedgerEntry:
    """One movement of store credit. `amount` is signed (what it did to the balance).

    A lot (credit, bonus, positive adjustment) keeps `remaining` and `expired`; a debit, an
    expiration and a negative adjustment keep the lots they used in `allocations`; a debit
    revert and a taken-back lot name what they undo in `reverses`; `reverted_at` marks a
    reverted debit and a lot taken back."""

    id: str
    account_id: str
    kind: EntryKind
    amount: Decimal
    balance_after: Decimal
    occurred_at: datetime
    origin: Origin = MANUAL
    actor: Actor = field(default_factory=Actor)
    expires_at: datetime | None = None
    remaining: Decimal = ZERO
    expired: Decimal = ZERO
    allocations: tuple[tuple[str, Decimal], ...] = ()
    reverses: str | None = None
    reverted_at: datetime | None = None
    idempotency_key: str | None = None
    reason: str | None = None

    @property
    def is_lot(self) -> bool:
        return (
            self.kind in (EntryKind.CREDIT, EntryKind.BONUS, EntryKind.ADJUSTMENT)
            and self.amount > 0
        )

    @property
    def spent(self) -> Decimal:
        """What debits and negative adjustments still hold of this lot (nothing, once the
        lot was taken back whole)."""
        if not self.is_lot or self.reverted_at is not None:
            return ZERO
        return self.amount - self.remaining - self.expired


def spending_order(lot: LedgerEntry) -> tuple[bool, datetime, datetime, str]:
    """Soonest-expiring first; lots that never expire last; then oldest first."""
    far = lot.expires_at or lot.occurred_at
    return (lot.expires_at is None, far, lot.occurred_at, lot.id)


class InsufficientStoreCredit(DomainError):
    code = ErrorCode.INSUFFICIENT_STORE_CREDIT


class StoreCreditSpent(DomainError):
    code = ErrorCode.STORE_CREDIT_SPENT


@dataclass(eq=False)
class StoreCreditAccount:
    """The aggregate. It holds its open lots (those with credit left) and whatever entries a
    use case looked up for it; `new_entries` and `changed` are what saving writes."""

    id: str
    merchant: str
    customer_key: str
    currency: str
    balance: Decimal
    created_at: datetime
    updated_at: datetime
    version: int = 0
    lots: list[LedgerEntry] = field(default_factory=list)
    new_entries: list[LedgerEntry] = field(default_factory=list, repr=False)
    changed: dict[str, LedgerEntry] = field(default_factory=dict, repr=False)
    events: list[ev.DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def open(
        cls, *, merchant: str, customer_key: str, currency: str, at: datetime
    ) -> StoreCreditAccount:
        """A new, empty account (persistence inserts it unless the customer has one)."""
        return cls(new_id("SC"), merchant, customer_key, currency, ZERO, at, at)

    # ------------------------------------------------------------------ credit arriving

    def issue(
        self,
        amount: Decimal,
        *,
        kind: EntryKind = EntryKind.CREDIT,
        origin: Origin,
        at: datetime,
        actor: Actor,
        expires_at: datetime | None = None,
        reason: str | None = None,
    ) -> LedgerEntry:
        """A new lot of credit (a credit, a bonus, or a positive adjustment)."""
        amount = money_amount(amount)
        entry = self._append(
            kind, amount, at=at, actor=actor, origin=origin, expires_at=expires_at, reason=reason
        )
        entry.remaining = amount
        self.lots.append(entry)
        return entry

    def issue_refund(
        self,
        *,
        amount: Decimal,
        return_request_id: str,
        refund_id: str,
        settings: StoreCreditSettings,
        at: datetime,
        actor: Actor,
    ) -> list[LedgerEntry]:
        """A refund by store credit: its credit and, if the merchant's settings give one, the
        bonus as an entry of its own (it is not part of the refund, so not of its cap)."""
        origin = Origin(OriginKind.REFUND, return_request_id, refund_id)
        expires = settings.expires_at(at)
        credit = self.issue(amount, origin=origin, at=at, actor=actor, expires_at=expires)
        self._event(ev.StoreCreditIssued, credit)
        issued = [credit]
        bonus = settings.bonus_for(credit.amount, self.currency)
        if bonus > 0:
            entry = self.issue(
                bonus, kind=EntryKind.BONUS, origin=origin, at=at, actor=actor, expires_at=expires
            )
            self._event(ev.StoreCreditBonusIssued, entry)
            issued.append(entry)
        return issued

    def take_back(self, lots: list[LedgerEntry], *, at: datetime, actor: Actor) -> None:
        """Remove a refund's credit and bonus (the refund was deleted or became money).
        Refused whole when any of it was spent: that money is the customer's now. What
        expired is already gone; the rest is taken back as negative entries of the lot's
        kind."""
        for lot in lots:
            if lot.spent > 0:
                raise StoreCreditSpent(
                    f"{lot.spent} {self.currency} of the store credit this refund issued has "
                    f"been spent; revert those debits first",
                    field="refund_id",
                )
        for lot in lots:
            if lot.reverted_at is not None or lot.remaining <= 0:
                continue
            amount, lot.remaining, lot.reverted_at = lot.remaining, ZERO, at
            self._mark(lot)
            entry = self._append(
                lot.kind, -amount, at=at, actor=actor, origin=lot.origin, reverses=lot.id
            )
            kind = (
                ev.StoreCreditBonusRevoked if lot.kind == EntryKind.BONUS else ev.StoreCreditRevoked
            )
            self._event(kind, entry)

    # ------------------------------------------------------------------ credit leaving

    def debit(
        self,
        amount: Decimal,
        *,
        idempotency_key: str,
        at: datetime,
        actor: Actor,
        origin: Origin = MANUAL,
        existing: LedgerEntry | None = None,
    ) -> LedgerEntry:
        """Spend credit, soonest-expiring first. `existing` is the debit already made under
        this key: a retry gets it back, unchanged; the same key for another amount is
        refused."""
        amount = money_amount(amount)
        key = bounded_text(idempotency_key, field="idempotency_key", limit=IDEMPOTENCY_KEY_LIMIT)
        if existing is not None:
            if existing.kind != EntryKind.DEBIT or existing.amount != -amount:
                raise DomainError(
                    f"idempotency key {key!r} was used for another debit",
                    field="idempotency_key",
                    code=ErrorCode.IDEMPOTENCY_MISMATCH,
                )
            return existing
        allocations = self._consume(amount, at=at)
        entry = self._append(
            EntryKind.DEBIT, -amount, at=at, actor=actor, origin=origin, idempotency_key=key
        )
        entry.allocations = allocations
        self._event(ev.StoreCreditDebited, entry)
        return entry

    def revert_debit(self, debit: LedgerEntry, *, at: datetime, actor: Actor) -> LedgerEntry:
        """Undo a debit: what it took returns to the lots it came from (with their expiry;
        an expired lot's share expires again at the next run)."""
        if debit.kind != EntryKind.DEBIT or debit.account_id != self.id:
            raise DomainError(
                f"{debit.id} is not a debit of this account",
                field="entry_id",
                code=ErrorCode.NOT_FOUND,
            )
        if debit.reverted_at is not None:
            raise DomainError(
                f"debit {debit.id} was already reverted",
                field="entry_id",
                code=ErrorCode.ALREADY_REVERTED,
            )
        lots = {lot.id: lot for lot in self.lots}
        for lot_id, used in debit.allocations:
            lot = lots[lot_id]
            lot.remaining += used
            self._mark(lot)
        debit.reverted_at = at
        self._mark(debit)
        entry = self._append(
            EntryKind.DEBIT_REVERT,
            -debit.amount,
            at=at,
            actor=actor,
            origin=debit.origin,
            reverses=debit.id,
        )
        self._event(ev.StoreCreditDebitReverted, entry)
        return entry

    def adjust(self, amount: Decimal, *, reason: str, at: datetime, actor: Actor) -> LedgerEntry:
        """An operator's correction, up or down, always with a reason. Down spends like a
        debit (it cannot take more than the balance)."""
        reason = bounded_text(reason, field="reason", limit=500)
        if not isinstance(amount, Decimal) or amount.is_zero():
            raise InvalidInput("an adjustment must not be zero", field="amount")
        if amount > 0:
            entry = self.issue(
                amount, kind=EntryKind.ADJUSTMENT, origin=MANUAL, at=at, actor=actor, reason=reason
            )
        else:
            taken = money_amount(-amount)
            allocations = self._consume(taken, at=at)
            entry = self._append(
                EntryKind.ADJUSTMENT, -taken, at=at, actor=actor, origin=MANUAL, reason=reason
            )
            entry.allocations = allocations
        self._event(ev.StoreCreditAdjusted, entry)
        return entry

    def expire(self, *, at: datetime, actor: Actor) -> list[LedgerEntry]:
        """Remove what is left of every lot whose expiry has passed, and nothing else."""
        expired: list[LedgerEntry] = []
        for lot in sorted(self.lots, key=spending_order):
            if lot.expires_at is None or lot.expires_at > at or lot.remaining <= 0:
                continue
            amount = lot.remaining
            lot.remaining = ZERO
            lot.expired += amount
            self._mark(lot)
            entry = self._append(
                EntryKind.EXPIRATION, -amount, at=at, actor=actor, origin=lot.origin
            )
            entry.allocations = ((lot.id, amount),)
            self._event(ev.StoreCreditExpired, entry)
            expired.append(entry)
        return expired

    # ------------------------------------------------------------------ internals

    def _consume(self, amount: Decimal, *, at: datetime) -> tuple[tuple[str, Decimal], ...]:
        """Take `amount` from the live lots, soonest-expiring first (an expired lot that the
        job has not reached yet is not spendable)."""
        live = [
            lot
            for lot in sorted(self.lots, key=spending_order)
            if lot.remaining > 0 and (lot.expires_at is None or lot.expires_at > at)
        ]
        available = sum((lot.remaining for lot in live), ZERO)
        if amount > available:
            raise InsufficientStoreCredit(
                f"the account holds {available} {self.currency} of usable store credit, "
                f"less than {amount} {self.currency}",
                field="amount",
            )
        allocations: list[tuple[str, Decimal]] = []
        left = amount
        for lot in live:
            if left <= 0:
                break
            used = min(lot.remaining, left)
            lot.remaining -= used
            left -= used
            self._mark(lot)
            allocations.append((lot.id, used))
        return tuple(allocations)

    def _append(
        self,
        kind: EntryKind,
        amount: Decimal,
        *,
        at: datetime,
        actor: Actor,
        origin: Origin,
        expires_at: datetime | None = None,
        reverses: str | None = None,
        idempotency_key: str | None = None,
        reason: str | None = None,
    ) -> LedgerEntry:
        balance = self.balance + amount
        if balance < 0:  # the rules above prevent it; this is the last word
            raise InsufficientStoreCredit(
                f"the balance of {self.balance} {self.currency} cannot go below zero",
                field="amount",
            )
        self.balance = balance
        self.updated_at = at
        entry = LedgerEntry(
            id=new_id("SE"),
            account_id=self.id,
            kind=kind,
            amount=amount,
            balance_after=balance,
            occurred_at=at,
            origin=origin,
            actor=actor,
            expires_at=expires_at,
            reverses=reverses,
            idempotency_key=idempotency_key,
            reason=reason,
        )
        self.new_entries.append(entry)
        return entry

    def _mark(self, entry: LedgerEntry) -> None:
        if entry not in self.new_entries:
            self.changed[entry.id] = entry

    def _event(self, kind: type[ev.DomainEvent], entry: LedgerEntry) -> None:
        self.events.append(
            kind(  # type: ignore[call-arg]
                return_request_id=entry.origin.subject or self.id,
                occurred_at=entry.occurred_at,
                actor=entry.actor,
                account_id=self.id,
                entry_id=entry.id,
                amount=entry.amount,
                currency=self.currency,
                balance=entry.balance_after,
                refund_id=entry.origin.refund_id,
            )
        )

    def pull_events(self) -> list[ev.DomainEvent]:
        events, self.events = self.events, []
        return events
