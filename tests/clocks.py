"""The domain's Clock port with a hand on it: time moves only when a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests can move: return windows, timestamps and ordering become exact."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def set(self, value: datetime) -> datetime:
        self.current = value
        return value

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current
