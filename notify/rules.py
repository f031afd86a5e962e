"""Timing rules, as pure functions of the clock: quiet hours, retry backoff, digest periods."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from core import dates

QUIET_START = time(22, 0)  # no e-mail from 22:00 …
QUIET_END = time(7, 0)  # … until 07:00, Japan time
# Minutes to wait after the n-th failed attempt (then the last value again).
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)
DIGEST_HOUR, DIGEST_MINUTE = 7, 30  # digests go out after quiet hours end
DAILY_LOOKBACK = timedelta(days=7)  # a daily digest never reaches further back than this …
WEEKLY_LOOKBACK = timedelta(days=21)  # … nor a weekly one (no flood after a long outage)


def in_quiet_hours(moment: datetime) -> bool:
    local = dates.to_tokyo(moment).time()
    return local >= QUIET_START or local < QUIET_END


def send_time(moment: datetime) -> datetime:
    """``moment`` if e-mail may go out then, else the end of these quiet hours (aware UTC)."""
    if not in_quiet_hours(moment):
        return moment.astimezone(dates.UTC)
    local = dates.to_tokyo(moment)
    end_day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(end_day, QUIET_END, tzinfo=dates.TOKYO).astimezone(dates.UTC)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries (1-based)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def daily_period(fire_time: datetime) -> str:
    """The daily digest's period: the Japan date it is sent on ("2026-11-25")."""
    return dates.to_tokyo(fire_time).date().isoformat()


def weekly_period(fire_time: datetime) -> str:
    """The weekly digest's period: the ISO week it is sent in ("2026-W48")."""
    year, week, _ = dates.to_tokyo(fire_time).isocalendar()
    return f"{year}-W{week:02d}"
