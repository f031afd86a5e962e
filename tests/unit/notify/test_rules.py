"""Quiet hours (22:00–7:00 JST) and the retry backoff."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.dates import TOKYO, UTC
from notify import rules


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


@pytest.mark.parametrize("hour,minute,quiet", [(21, 59, False), (22, 0, True), (23, 59, True), (0, 0, True),
                                               (6, 59, True), (7, 0, False), (12, 0, False)])
def test_quiet_hours_boundaries(hour: int, minute: int, quiet: bool) -> None:
    assert rules.in_quiet_hours(jst(1, hour, minute)) is quiet
    assert rules.in_quiet_hours(jst(1, hour, minute).astimezone(UTC)) is quiet  # the zone does not matter


def test_send_time_moves_to_seven_in_the_morning() -> None:
    assert rules.send_time(jst(1, 12)) == jst(1, 12)
    assert rules.send_time(jst(1, 22, 30)) == jst(2, 7)
    assert rules.send_time(jst(2, 3)) == jst(2, 7)
    assert rules.send_time(jst(2, 7)) == jst(2, 7)
    assert rules.send_time(jst(1, 23)).tzinfo is not None


def test_backoff_grows_then_stays() -> None:
    waits = [rules.backoff(n) for n in range(1, 9)]
    assert waits[:6] == [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 720)]
    assert waits[6] == waits[7] == timedelta(minutes=720)
    assert rules.backoff(0) == timedelta(minutes=1)
