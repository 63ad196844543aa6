"""The one periodic runner: every background job of the process (core/periodic.py's `Job`,
declared by the face that owns its work) is started with the app and stopped with it, one
way. Each job is one loop, so its runs never overlap; a run that raises is logged under the
job's name and the loop goes on. On shutdown a run in progress is let finish rather than
cancelled (a query cancelled half-way strands its connection), then each job's final hook
runs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import suppress

from aiohttp import web

from core.periodic import Job, JobRecord

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 30.0


class PeriodicJobs:
    def __init__(
        self,
        jobs: Iterable[Job],
        *,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.jobs = list(jobs)
        names = [job.name for job in self.jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.records = {name: JobRecord() for name in names}
        self._grace = stop_grace_seconds  # how long a run in progress may take at shutdown
        self._now = now
        self._stopping = False
        self._wakes: dict[str, asyncio.Event] = {}
        self._loops: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        """Start every enabled job; each waits one interval (or a wake-up) before its first
        run, as the database may still be migrating."""
        for job in self.jobs:
            if job.enabled and job.name not in self._loops:
                wake = self._wakes[job.name] = job.wake or asyncio.Event()
                self._loops[job.name] = asyncio.create_task(
                    self._loop(job, wake), name=f"job {job.name}"
                )

    async def stop(self) -> None:
        """Stop every job: none starts another run, the runs in progress finish (a run still
        going after the grace period is cancelled), then every final hook runs."""
        self._stopping = True
        for wake in self._wakes.values():
            wake.set()
        loops = list(self._loops.values())
        if loops:
            _, late = await asyncio.wait(loops, timeout=self._grace)
            for task in late:
                log.warning("%s did not stop within %s s; cancelled", task.get_name(), self._grace)
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for job in self.jobs:
            if job.on_stop is not None:
                try:
                    await job.on_stop()
                except Exception:
                    log.exception("job %s could not finish its shutdown", job.name)

    async def cleanup_context(self, _app: web.Application) -> AsyncIterator[None]:
        """The runner as an aiohttp cleanup context: started with the app, stopped with it."""
        self.start()
        yield
        await self.stop()

    async def _loop(self, job: Job, wake: asyncio.Event) -> None:
        while not self._stopping:
            with suppress(TimeoutError):
                async with asyncio.timeout(job.interval_seconds):
                    await wake.wait()
            # Cleared before the run: a wake-up arriving during it brings the next run at once.
            wake.clear()
            if self._stopping:
                return
            await self._run(job)

    async def _run(self, job: Job) -> None:
        record = self.records[job.name]
        try:
            await job.run()
        except Exception:
            record.failures += 1
            log.exception("job %s failed; it runs again in %s s", job.name, job.interval_seconds)
        else:
            record.last_success_at = self._now()
        finally:
            record.runs += 1
            record.last_run_at = self._now()
