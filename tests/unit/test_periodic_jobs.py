"""The one periodic runner (jobs/runner.py): each job runs on its interval and at once when
woken, never twice at the same time, again after a run that raised; shutdown lets a run in
progress finish, then runs each job's final hook, and is prompt when nothing runs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.periodic import Job
from jobs.runner import PeriodicJobs

LONG = 3600.0  # an interval no test waits for
SOON = 2.0  # how long a test waits for something that should happen at once


class Work:
    """A job's run that counts itself, can be held at a gate and can fail on demand."""

    def __init__(self, *, failures: int = 0, gated: bool = False) -> None:
        self.runs = 0
        self.running = 0
        self.most_at_once = 0
        self.failures_left = failures
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()
        self.started = asyncio.Event()
        self.ran = asyncio.Event()
        self.log: list[str] = []

    async def __call__(self) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.started.set()
        try:
            await self.gate.wait()
            if self.failures_left:
                self.failures_left -= 1
                raise RuntimeError("the job broke")
        finally:
            self.running -= 1
            self.runs += 1
            self.log.append("run")
            self.ran.set()

    async def runs_reach(self, count: int) -> None:
        async with asyncio.timeout(SOON):
            while self.runs < count:
                self.ran.clear()
                await self.ran.wait()


async def test_a_job_runs_every_interval_but_not_before_the_first() -> None:
    work, idle = Work(), Work()
    runner = PeriodicJobs([Job("often", 0.01, work), Job("rarely", LONG, idle)])
    runner.start()
    await work.runs_reach(3)
    await runner.stop()

    assert idle.runs == 0  # the first run waits one interval: the database may be migrating
    assert runner.records["often"].runs == work.runs
    assert runner.records["often"].last_success_at is not None


async def test_a_wake_up_brings_a_run_at_once() -> None:
    work, wake = Work(), asyncio.Event()
    runner = PeriodicJobs([Job("woken", LONG, work, wake=wake)])
    runner.start()
    await asyncio.sleep(0.02)
    assert work.runs == 0

    wake.set()
    await work.runs_reach(1)
    await runner.stop()
    assert work.runs == 1


async def test_runs_of_one_job_never_overlap_and_a_wake_up_during_a_run_brings_one_more() -> None:
    work, wake = Work(gated=True), asyncio.Event()
    runner = PeriodicJobs([Job("slow", LONG, work, wake=wake)])
    runner.start()
    wake.set()
    async with asyncio.timeout(SOON):
        await work.started.wait()
    for _ in range(5):  # commits keep waking it while it runs
        wake.set()
        await asyncio.sleep(0.005)
    assert work.running == 1

    work.gate.set()
    await work.runs_reach(2)
    await asyncio.sleep(0.05)
    await runner.stop()
    assert work.most_at_once == 1
    assert work.runs == 2  # the wake-ups heard during the run make one run, not five


async def test_a_run_that_raises_is_logged_with_the_job_name_and_the_job_runs_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = Work(failures=1)
    runner = PeriodicJobs([Job("flaky", 0.01, work)])
    with caplog.at_level(logging.ERROR, logger="jobs.runner"):
        runner.start()
        await work.runs_reach(2)
        await runner.stop()

    failed = [r for r in caplog.records if "flaky" in r.getMessage()]
    assert failed and failed[0].exc_info is not None
    assert "the job broke" in str(failed[0].exc_info[1])
    record = runner.records["flaky"]
    assert record.failures == 1
    assert record.runs >= 2
    assert record.last_success_at is not None


async def test_stop_lets_the_run_in_progress_finish_then_runs_the_final_hook() -> None:
    work, wake = Work(gated=True), asyncio.Event()

    async def final() -> None:
        work.log.append("final")

    runner = PeriodicJobs([Job("busy", LONG, work, wake=wake, on_stop=final)])
    runner.start()
    wake.set()
    async with asyncio.timeout(SOON):
        await work.started.wait()

    stopping = asyncio.create_task(runner.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done(), "stop waits for the run in progress"
    assert work.log == []

    work.gate.set()
    async with asyncio.timeout(SOON):
        await stopping
    assert work.log == ["run", "final"]  # not cancelled half-way, and no run after stop


async def test_stop_with_nothing_running_is_prompt_and_runs_every_final_hook() -> None:
    finals: list[str] = []

    def hook(name: str):  # type: ignore[no-untyped-def]
        async def final() -> None:
            finals.append(name)

        return final

    work = Work()
    runner = PeriodicJobs(
        [
            Job("idle", LONG, work, wake=asyncio.Event(), on_stop=hook("idle")),
            Job("plain", LONG, work, on_stop=hook("plain")),
            Job("disabled", 0, work, on_stop=hook("disabled")),  # its hook runs all the same
        ]
    )
    runner.start()
    await asyncio.sleep(0.01)
    async with asyncio.timeout(0.5):
        await runner.stop()

    assert work.runs == 0
    assert finals == ["idle", "plain", "disabled"]


async def test_a_run_outlasting_the_grace_is_cancelled_and_the_hooks_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work, wake, finals = Work(gated=True), asyncio.Event(), []

    async def final() -> None:
        finals.append("final")

    runner = PeriodicJobs(
        [Job("stuck", LONG, work, wake=wake, on_stop=final)], stop_grace_seconds=0.05
    )
    runner.start()
    wake.set()
    async with asyncio.timeout(SOON):
        await work.started.wait()
    with caplog.at_level(logging.WARNING, logger="jobs.runner"):
        async with asyncio.timeout(SOON):
            await runner.stop()

    assert any("stuck" in r.getMessage() for r in caplog.records)
    assert finals == ["final"]


def test_two_jobs_of_one_name_are_refused() -> None:
    work = Work()
    with pytest.raises(ValueError, match="unique"):
        PeriodicJobs([Job("same", 1, work), Job("same", 2, work)])
