"""Passwords are argon2id hashes: the right password matches, nothing else does, a missing
user costs a hash check all the same, and hashes made with weaker parameters are noticed for
rehashing at the next sign-in."""

from __future__ import annotations

import time

from core.passwords import Passwords

FAST = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


def test_a_hash_is_argon2id_salted_and_matches_only_its_password() -> None:
    passwords = Passwords(**FAST)
    first, second = passwords.hash("correct horse"), passwords.hash("correct horse")

    assert first.startswith("$argon2id$") and "correct horse" not in first
    assert first != second  # a salt of its own each time
    assert passwords.matches("correct horse", first)
    assert not passwords.matches("correct horsE", first)
    assert not passwords.matches("", first)


def test_a_broken_or_missing_hash_matches_nothing() -> None:
    passwords = Passwords(**FAST)

    assert not passwords.matches("no user has this password", None)  # the decoy's own text
    assert not passwords.matches("anything", "not a hash")


def test_a_hash_made_with_other_parameters_is_outdated() -> None:
    old = Passwords(**FAST).hash("pw")
    stronger = Passwords(time_cost=2, memory_kib=16, parallelism=1)

    assert stronger.outdated(old)
    assert not stronger.outdated(stronger.hash("pw"))
    assert stronger.matches("pw", old)  # still works until it is rehashed


def test_checking_an_unknown_user_costs_about_as_much_as_a_wrong_password() -> None:
    passwords = Passwords(time_cost=2, memory_kib=4096, parallelism=1)
    stored = passwords.hash("the password")

    def timed(hashed: str | None) -> float:
        start = time.perf_counter()
        for _ in range(5):
            passwords.matches("a guess", hashed)
        return time.perf_counter() - start

    known, unknown = timed(stored), timed(None)
    assert unknown > known / 3
