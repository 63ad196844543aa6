"""What a background job is, declared by the face that owns its work (delivery/ its webhook
sender and notification resume, jobs/ auto-close and the idempotency purge) and run, with
every other job, by the one periodic runner (jobs/runner.py) the app starts and stops. The
declaration lives here, below the faces, because faces never import each other."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """`run` is awaited every `interval_seconds` (0 or less: never, in this process), and at
    once whenever `wake` is set. Runs of one job never overlap; a run that raises is logged
    under `name` and the job runs again next interval. `on_stop` runs once on shutdown,
    after the job's last run has finished, even for a job disabled here (the notifier's
    deliveries started by requests are awaited all the same)."""

    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]
    wake: asyncio.Event | None = None
    on_stop: Callable[[], Awaitable[None]] | None = None

    @property
    def enabled(self) -> bool:
        return self.interval_seconds > 0


@dataclass
class JobRecord:
    """How one job has fared in this process (for /metrics)."""

    runs: int = 0
    failures: int = 0
    last_run_at: float | None = None  # Unix time the latest run ended, failed or not
    last_success_at: float | None = None
