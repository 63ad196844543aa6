"""The webhook sender wakes once per commit (a commit that created deliveries), and wakes for
newer positions, other tenants and unknown positions."""

from __future__ import annotations

from delivery.webhooks import CommitWakeup


async def test_a_commit_heard_twice_wakes_the_sender_once():
    wake = CommitWakeup()
    wake.committed("acme", 7)
    assert wake.is_set()
    wake.clear()

    wake.committed("acme", 7)  # the same commit, back as a notification
    assert not wake.is_set()


async def test_newer_commits_other_tenants_and_unknown_positions_wake_it():
    wake = CommitWakeup()
    wake.committed("acme", 7)
    for tenant, position in (("acme", 8), ("globex", 3), ("acme", 0)):
        wake.clear()
        wake.committed(tenant, position)
        assert wake.is_set(), (tenant, position)
