"""The compressed clock: scenario time runs `speed` times faster than real time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

__all__ = ["ScenarioClock"]


class ScenarioClock:
    """Scenario time that starts at `start` now and advances `speed` seconds per real second.

    A speed of 0 stops the clock (one-shot polls read the scenario at one moment).
    """

    def __init__(
        self,
        start: datetime,
        speed: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be zero or more")
        self.start = start
        self.speed = speed
        self._monotonic = monotonic
        self._origin = monotonic()

    def move_to(self, moment: datetime) -> None:
        """Set the scenario time to `moment` from now on (the probe replay steps the clock)."""
        self.start = moment
        self._origin = self._monotonic()

    def now(self) -> datetime:
        """The scenario's current time (aware, UTC)."""
        elapsed = (self._monotonic() - self._origin) * self.speed
        return self.start + timedelta(seconds=elapsed)
