"""Real `returns-api serve` processes for the process tests: started on a free port of
their own, stopped politely, or killed with SIGKILL as a crash would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.conftest import TEST_PASSWORD_COST

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`returns-api serve` in its own process."""

    def __init__(self, database_url: str, settings: dict[str, str] | None = None) -> None:
        """`settings`: RETURNS_* variables of this server, besides the ones every test uses."""
        self.database_url = database_url
        self.settings = settings or {}
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
        env |= TEST_PASSWORD_COST | {
            "DATABASE_URL": self.database_url,
            "RETURNS_PORT": str(self.port),
            "RETURNS_MIGRATE_ON_START": "false",
            "RETURNS_EVENT_POLL_SECONDS": "60",
            "RETURNS_AUTO_CLOSE_INTERVAL_SECONDS": "0",
            "RETURNS_LOG_LEVEL": "WARNING",
            **self.settings,
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ops.cli",
            "serve",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(2400):  # 120 s: a loaded CI machine, the suite's other worker beside
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise AssertionError("the server did not start")

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                await self.kill()
