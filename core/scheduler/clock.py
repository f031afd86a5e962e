"""The scheduler's clock: real time, or (tests only) simulated time that runs faster.

``SCHEDULER_CLOCK = "2026-11-23T00:00:00+09:00*7200@1764000000.0"`` means: at the Unix time after
``@`` the clock reads the given moment, and one real second moves it by 7200 simulated seconds.
Two processes given the same value share one simulated clock, so they reach each fire time together.
Production refuses a simulated clock.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from core import dates
from core.config import ConfigError


class Clock(Protocol):
    speed: float

    def now(self) -> datetime: ...

    @property
    def simulated(self) -> bool: ...


class RealClock:
    speed = 1.0
    simulated = False

    def now(self) -> datetime:
        return dates.utcnow()


@dataclass(frozen=True)
class SimulatedClock:
    start: datetime  # aware
    speed: float
    anchor: float  # Unix time at which the clock reads ``start``
    simulated = True

    def now(self) -> datetime:
        elapsed = (time.time() - self.anchor) * self.speed
        return (self.start + timedelta(seconds=elapsed)).astimezone(dates.UTC)


def parse_clock(spec: str) -> SimulatedClock:
    """Parse ``START*SPEED[@ANCHOR]`` (anchor defaults to now)."""
    head, _, anchor = spec.partition("@")
    start_text, _, speed_text = head.partition("*")
    start = datetime.fromisoformat(start_text.strip())
    if start.tzinfo is None:
        start = start.replace(tzinfo=dates.TOKYO)
    speed = float(speed_text or 1)
    if speed <= 0:
        raise ValueError("the clock speed must be positive")
    return SimulatedClock(start=start, speed=speed, anchor=float(anchor) if anchor else time.time())


def clock_from_config(config: Mapping[str, Any]) -> Clock:
    spec = str(config.get("SCHEDULER_CLOCK") or "").strip()
    if not spec:
        return RealClock()
    if config.get("RENKEI_ENV") == "production":
        raise ConfigError("SCHEDULER_CLOCK (a simulated clock) is for tests only")
    return parse_clock(spec)
