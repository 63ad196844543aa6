"""Staff users in the domain: e-mails compared whatever their case, password rules, and the
session's two ends (idle and absolute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access import Principal, Role
from domain.errors import InvalidInput
from domain.staff import (
    SessionLifetime,
    StaffRole,
    StaffSession,
    StaffUser,
    acceptable_password,
    staff_email,
)

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIFETIME = SessionLifetime(absolute=timedelta(hours=8), idle=timedelta(minutes=30))


def user(role: StaffRole = StaffRole.AGENT, disabled: bool = False) -> StaffUser:
    return StaffUser("su_1", "t", "sam@example.com", "Sam", role, disabled, START, True)


def test_an_email_is_kept_lower_case_and_trimmed() -> None:
    assert staff_email("  Sam@Example.COM ") == "sam@example.com"


@pytest.mark.parametrize("bad", ["", "sam", "sam@example", "a b@example.com", "<x>@e.com"])
def test_what_is_not_an_email_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        staff_email(bad)


@pytest.mark.parametrize("bad", ["short", "x" * 201, "ten chars\x00"])
def test_passwords_outside_the_rules_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        acceptable_password(bad)


def test_a_long_passphrase_of_any_letters_is_accepted() -> None:
    assert acceptable_password("كلمة مرور طويلة جدا") == "كلمة مرور طويلة جدا"


@given(st.lists(st.integers(min_value=0, max_value=29 * 60), max_size=40))
def test_a_session_in_use_never_outlives_its_absolute_end(gaps: list[int]) -> None:
    ends = LIFETIME.first_end(START)
    now = START
    for gap in gaps:
        now += timedelta(seconds=gap)
        if now >= ends:
            break
        ends = LIFETIME.next_end(START, now)
        assert ends <= START + LIFETIME.absolute
        assert ends <= now + LIFETIME.idle


def test_a_session_ends_when_idle_when_disabled_and_at_its_end() -> None:
    ends = LIFETIME.first_end(START)
    assert ends == START + timedelta(minutes=30)
    assert StaffSession(user(), ends).valid(ends - timedelta(seconds=1))
    assert not StaffSession(user(), ends).valid(ends)
    assert not StaffSession(user(disabled=True), ends).valid(START)


@pytest.mark.parametrize(
    ("role", "api_role"),
    [
        (StaffRole.VIEWER, Role.READ_ONLY),
        (StaffRole.AGENT, Role.FULL),
        (StaffRole.ADMIN, Role.FULL),
    ],
)
def test_a_staff_principal_writes_unless_a_viewer_and_is_named_by_the_user(
    role: StaffRole, api_role: Role
) -> None:
    principal = Principal.of_staff(StaffSession(user(role), START))

    assert principal.role == api_role and principal.user is not None
    assert principal.actor_name == "Sam <sam@example.com>"
    assert principal.expires_at == START
