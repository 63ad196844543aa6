"""The store-credit rules, one test each, on the pure domain: who the customer is, the bonus,
the spending order, idempotent debits, reverts, expiry, adjustments and take-backs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import events as ev
from domain.balance import request_balance
from domain.errors import DomainError, ErrorCode
from domain.parts import Refund, RefundOutcome
from domain.reference import ReferenceEntry, ReferenceKind, validate_entry
from domain.store_credit import (
    MANUAL,
    BonusBasis,
    EntryKind,
    Origin,
    OriginKind,
    StoreCreditAccount,
    StoreCreditSettings,
    customer_key,
    round_money,
    validate_store_credit_settings,
)
from domain.values import SYSTEM, Actor

NOW = datetime(2026, 1, 1, tzinfo=UTC)
API = Actor("API")


def account(currency: str = "AED") -> StoreCreditAccount:
    return StoreCreditAccount.open(
        merchant="acme", customer_key="email:a@b.co", currency=currency, at=NOW
    )


def lot(acc: StoreCreditAccount, amount: str, days: int | None = None, **kwargs):
    expires = NOW + timedelta(days=days) if days is not None else None
    return acc.issue(
        Decimal(amount), origin=MANUAL, at=NOW, actor=API, expires_at=expires, **kwargs
    )


def refund_credit(acc: StoreCreditAccount, amount: str, settings: StoreCreditSettings):
    return acc.issue_refund(
        amount=Decimal(amount),
        return_request_id="RR-1",
        refund_id="RF-1",
        settings=settings,
        at=NOW,
        actor=API,
    )


# ------------------------------------------------------------------ the customer


def test_the_merchants_id_comes_first_then_email_then_phone():
    assert customer_key(customer_id=" C-9 ", email="a@b.co") == "id:C-9"
    assert customer_key(email=" Ann@Example.COM ", phone="+971") == "email:ann@example.com"
    assert customer_key(phone="00971 50-123 4567") == "phone:971501234567"
    assert customer_key(phone="+971 50 123 4567") == "phone:971501234567"


def test_a_customer_without_id_email_or_phone_has_no_account():
    with pytest.raises(DomainError) as refused:
        customer_key(email=" ", phone=None)
    assert refused.value.code == ErrorCode.NO_CUSTOMER


# ------------------------------------------------------------------ the bonus


def test_a_percent_bonus_is_rounded_to_the_currencys_minor_units_and_capped():
    percent = StoreCreditSettings("acme", BonusBasis.PERCENT, Decimal("12.5"), Decimal("5"))
    assert percent.bonus_for(Decimal("10.01"), "AED") == Decimal("1.25")
    assert percent.bonus_for(Decimal("1001"), "JPY") == Decimal("5")
    assert percent.bonus_for(Decimal("7.777"), "KWD") == Decimal("0.972")
    assert percent.bonus_for(Decimal("1000"), "AED") == Decimal("5.00")


def test_a_flat_bonus_and_no_bonus():
    assert StoreCreditSettings("acme", BonusBasis.FLAT, Decimal("3")).bonus_for(
        Decimal("1"), "AED"
    ) == Decimal("3.00")
    assert StoreCreditSettings("acme").bonus_for(Decimal("100"), "AED") == 0


def test_the_bonus_is_an_entry_of_its_own_with_its_event():
    acc = account()
    settings = StoreCreditSettings("acme", BonusBasis.PERCENT, Decimal(10), expiry_days=30)
    credit, bonus = refund_credit(acc, "50", settings)
    assert (credit.kind, credit.amount, bonus.kind, bonus.amount) == (
        EntryKind.CREDIT,
        Decimal("50"),
        EntryKind.BONUS,
        Decimal("5.00"),
    )
    assert bonus.expires_at == NOW + timedelta(days=30)
    assert [type(e) for e in acc.pull_events()] == [
        ev.StoreCreditIssued,
        ev.StoreCreditBonusIssued,
    ]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (StoreCreditSettings("m", BonusBasis.PERCENT, Decimal(101)), "bonus_value"),
        (StoreCreditSettings("m", BonusBasis.FLAT, Decimal(-1)), "bonus_value"),
        (StoreCreditSettings("m", bonus_cap=Decimal(0)), "bonus_cap"),
        (StoreCreditSettings("m", expiry_days=0), "expiry_days"),
    ],
)
def test_settings_are_checked(settings, field):
    with pytest.raises(DomainError) as refused:
        validate_store_credit_settings(settings)
    assert refused.value.field == field


def test_only_a_refund_type_can_be_marked_as_store_credit():
    validate_entry(ReferenceEntry(ReferenceKind.REFUND_TYPE, "m", "C", "C", store_credit=True))
    with pytest.raises(DomainError):
        validate_entry(ReferenceEntry(ReferenceKind.RESOLUTION, "m", "C", "C", store_credit=True))


# ------------------------------------------------------------------ spending


def test_a_debit_spends_the_soonest_expiring_credit_first_and_never_expiring_last():
    acc = account()
    forever, late, soon = lot(acc, "10"), lot(acc, "10", days=20), lot(acc, "10", days=5)
    entry = acc.debit(Decimal("25"), idempotency_key="k", at=NOW, actor=API)
    assert entry.allocations == (
        (soon.id, Decimal("10")),
        (late.id, Decimal("10")),
        (forever.id, Decimal("5")),
    )
    assert (entry.amount, entry.balance_after) == (Decimal("-25"), Decimal("5"))


def test_a_debit_beyond_the_usable_balance_is_refused_and_changes_nothing():
    acc = account()
    lot(acc, "10")
    lot(acc, "10", days=1)
    later = NOW + timedelta(days=2)  # the second lot lapsed, not yet expired by the job
    with pytest.raises(DomainError) as refused:
        acc.debit(Decimal("10.01"), idempotency_key="k", at=later, actor=API)
    assert refused.value.code == ErrorCode.INSUFFICIENT_STORE_CREDIT
    assert acc.balance == Decimal("20") and [x.remaining for x in acc.lots] == [10, 10]


def test_a_retried_debit_returns_the_first_entry_and_another_amount_is_refused():
    acc = account()
    lot(acc, "10")
    first = acc.debit(Decimal("4"), idempotency_key="k", at=NOW, actor=API)
    assert acc.debit(Decimal("4"), idempotency_key="k", at=NOW, actor=API, existing=first) is first
    assert acc.balance == Decimal("6")
    with pytest.raises(DomainError) as refused:
        acc.debit(Decimal("5"), idempotency_key="k", at=NOW, actor=API, existing=first)
    assert refused.value.code == ErrorCode.IDEMPOTENCY_MISMATCH


def test_a_revert_gives_back_to_the_lots_the_debit_used_once():
    acc = account()
    a, b = lot(acc, "5", days=1), lot(acc, "5", days=2)
    debit = acc.debit(Decimal("7"), idempotency_key="k", at=NOW, actor=API)
    revert = acc.revert_debit(debit, at=NOW, actor=API)
    assert (revert.kind, revert.amount, revert.reverses) == (
        EntryKind.DEBIT_REVERT,
        Decimal("7"),
        debit.id,
    )
    assert (a.remaining, b.remaining, acc.balance) == (5, 5, 10)
    with pytest.raises(DomainError) as refused:
        acc.revert_debit(debit, at=NOW, actor=API)
    assert refused.value.code == ErrorCode.ALREADY_REVERTED


def test_expiry_removes_only_what_is_left_of_lapsed_lots():
    acc = account()
    lapsing, lasting = lot(acc, "10", days=1), lot(acc, "10", days=9)
    acc.debit(Decimal("4"), idempotency_key="k", at=NOW, actor=API)
    (expired,) = acc.expire(at=NOW + timedelta(days=1), actor=SYSTEM)
    assert (expired.kind, expired.amount) == (EntryKind.EXPIRATION, Decimal("-6"))
    assert expired.allocations == ((lapsing.id, Decimal("6")),)
    assert (lapsing.remaining, lapsing.expired, lasting.remaining) == (0, 6, 10)
    assert acc.expire(at=NOW + timedelta(days=1), actor=SYSTEM) == []


def test_an_adjustment_needs_a_reason_and_down_cannot_pass_the_balance():
    acc = account()
    up = acc.adjust(Decimal("5"), reason="goodwill", at=NOW, actor=API)
    assert up.is_lot and up.reason == "goodwill"
    with pytest.raises(DomainError):
        acc.adjust(Decimal("1"), reason="  ", at=NOW, actor=API)
    with pytest.raises(DomainError) as refused:
        acc.adjust(Decimal("-6"), reason="typo", at=NOW, actor=API)
    assert refused.value.code == ErrorCode.INSUFFICIENT_STORE_CREDIT
    down = acc.adjust(Decimal("-5"), reason="typo", at=NOW, actor=API)
    assert down.allocations == ((up.id, Decimal("5")),) and acc.balance == 0


# ------------------------------------------------------------------ taking credit back


def test_taking_back_an_unspent_refund_removes_credit_and_bonus_with_their_events():
    acc = account()
    lots = refund_credit(acc, "20", StoreCreditSettings("acme", BonusBasis.FLAT, Decimal(2)))
    acc.pull_events()
    acc.take_back(lots, at=NOW, actor=API)
    assert acc.balance == 0
    assert [(e.kind, e.amount) for e in acc.new_entries[-2:]] == [
        (EntryKind.CREDIT, Decimal("-20")),
        (EntryKind.BONUS, Decimal("-2.00")),
    ]
    assert [type(e) for e in acc.pull_events()] == [
        ev.StoreCreditRevoked,
        ev.StoreCreditBonusRevoked,
    ]


def test_taking_back_a_spent_refund_is_refused_whole():
    acc = account()
    lots = refund_credit(acc, "20", StoreCreditSettings("acme", BonusBasis.FLAT, Decimal(2)))
    acc.debit(Decimal("1"), idempotency_key="k", at=NOW, actor=API)
    with pytest.raises(DomainError) as refused:
        acc.take_back(lots, at=NOW, actor=API)
    assert refused.value.code == ErrorCode.STORE_CREDIT_SPENT
    assert acc.balance == Decimal("21.00")


def test_what_expired_of_a_refund_is_not_taken_back_twice():
    acc = account()
    (credit,) = refund_credit(acc, "20", StoreCreditSettings("acme", expiry_days=1))
    acc.expire(at=NOW + timedelta(days=1), actor=SYSTEM)
    acc.take_back([credit], at=NOW + timedelta(days=2), actor=API)
    assert acc.balance == 0 and credit.spent == 0


def test_the_balance_counts_store_credit_refunds_as_credited_and_the_rest_as_refunded():
    refunds = [
        Refund("RF-1", Decimal("5"), "AED", NOW),
        Refund("RF-2", Decimal("7"), "AED", NOW, outcome=RefundOutcome.STORE_CREDIT),
        Refund("RF-3", Decimal("1"), "KWD", NOW, outcome=RefundOutcome.STORE_CREDIT),
    ]
    balance = request_balance(approved=False, items=[], fees=[], refunds=refunds)
    assert {b.currency: (b.refunded, b.credited) for b in balance} == {
        "AED": (Decimal("5"), Decimal("7")),
        "KWD": (Decimal("0"), Decimal("1")),
    }


def test_an_events_subject_is_the_origin_request_else_the_account():
    acc = account()
    acc.issue_refund(
        amount=Decimal(1), return_request_id="RR-9", refund_id="RF-9",
        settings=StoreCreditSettings("acme"), at=NOW, actor=API,
    )  # fmt: skip
    lot(acc, "1")
    acc.debit(Decimal("1"), idempotency_key="k", at=NOW, actor=API)
    subjects = [e.return_request_id for e in acc.pull_events()]
    assert subjects == ["RR-9", acc.id]


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
    st.sampled_from(["AED", "JPY", "KWD"]),
)
def test_round_money_keeps_the_currencys_places(amount, currency):
    places = {"AED": 2, "JPY": 0, "KWD": 3}[currency]
    assert -round_money(amount, currency).as_tuple().exponent == places


def test_origin_names_a_refund_and_its_request():
    origin = Origin(OriginKind.REFUND, "RR-1", "RF-1")
    assert origin.subject == "RR-1" and MANUAL.subject is None
