"""Time zones, the fiscal year (年度, from 1 April) and the Japanese era (和暦).

Times are stored as aware UTC and shown in Japan Standard Time. A naive datetime
anywhere in this module is taken to be UTC. Formatting does not use Babel, so the
output is the same on every machine.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "ERAS",
    "TOKYO",
    "UTC",
    "Era",
    "days_label",
    "era_year",
    "fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_label",
    "fiscal_year_long",
    "format_date",
    "format_datetime_jst",
    "parse_local_datetime",
    "relative_days",
    "to_local_input",
    "to_tokyo",
    "tokyo_now",
    "utcnow",
    "wareki",
]

TOKYO = ZoneInfo("Asia/Tokyo")
FY_START_MONTH = 4


class Era(NamedTuple):
    name: str
    abbr: str
    start: date


# Newest first. Meiji dates are proleptic Gregorian (Japan switched calendars in 1873).
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 1, 25)),
)
FIRST_YEAR = "元"
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
_LOCAL_INPUT_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def utcnow() -> datetime:
    """Current time, aware UTC."""
    return datetime.now(UTC)


def to_tokyo(dt: datetime) -> datetime:
    """``dt`` in Asia/Tokyo; a naive ``dt`` is taken to be UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(TOKYO)


def tokyo_now() -> datetime:
    """Current time, aware Asia/Tokyo."""
    return utcnow().astimezone(TOKYO)


def _as_date(d: date | datetime) -> date:
    """A date; datetimes are converted to Tokyo first (naive = UTC)."""
    return to_tokyo(d).date() if isinstance(d, datetime) else d


def _lang(locale: object) -> str:
    """"en" for any English locale (str or babel Locale), else "ja"."""
    return "en" if str(locale or "ja").lower().startswith("en") else "ja"


def fiscal_year(d: date | datetime) -> int:
    """年度 of ``d`` (from 1 April); datetimes are converted to Tokyo first."""
    d = _as_date(d)
    return d.year if d.month >= FY_START_MONTH else d.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of fiscal year ``fy``: 1 April fy, 31 March fy+1."""
    return date(fy, FY_START_MONTH, 1), date(fy + 1, FY_START_MONTH, 1) - timedelta(days=1)


def _era_of(d: date) -> Era:
    for era in ERAS:
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before the Meiji era")


def era_year(d: date | datetime) -> tuple[str, int]:
    """(era name, year of the era), e.g. ("令和", 7); datetimes are converted to Tokyo."""
    d = _as_date(d)
    era = _era_of(d)
    return era.name, d.year - era.start.year + 1


def _year_text(n: int) -> str:
    return FIRST_YEAR if n == 1 else str(n)


def wareki(d: date | datetime, short: bool = False) -> str:
    """"令和7年4月1日" (first year "元年"); short "R7.4.1" (first year "1")."""
    d = _as_date(d)
    era = _era_of(d)
    n = d.year - era.start.year + 1
    if short:
        return f"{era.abbr}{n}.{d.month}.{d.day}"
    return f"{era.name}{_year_text(n)}年{d.month}月{d.day}日"


def _fiscal_era(fy: int) -> tuple[Era, int]:
    """Era naming fiscal year ``fy``: the newest era begun by the end of calendar year fy.

    Government usage: FY2019 = 令和元年度 (not 平成31年度), FY1988 = 昭和63年度.
    """
    for era in ERAS:
        if era.start.year <= fy:
            return era, fy - era.start.year + 1
    raise ValueError(f"fiscal year {fy} is before the Meiji era")


def fiscal_year_label(fy: int, locale: str = "ja") -> str:
    """ja "令和7年度" (FY2019 "令和元年度"), en "FY2025"."""
    if _lang(locale) == "en":
        return f"FY{fy}"
    era, n = _fiscal_era(fy)
    return f"{era.name}{_year_text(n)}年度"


def fiscal_year_long(fy: int, locale: str = "ja") -> str:
    """ja "令和7年度（2025年度）", en "FY2025 (April 2025 – March 2026)"."""
    if _lang(locale) == "en":
        return f"FY{fy} (April {fy} – March {fy + 1})"
    return f"{fiscal_year_label(fy, 'ja')}（{fy}年度）"


def format_date(d: date | datetime, locale: str = "ja") -> str:
    """ja "2025年4月1日(火)", en "Tue 1 Apr 2025"; datetimes are converted to Tokyo."""
    d = _as_date(d)
    if _lang(locale) == "en":
        return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.year}年{d.month}月{d.day}日({WEEKDAYS_JA[d.weekday()]})"


def format_datetime_jst(dt: datetime, locale: str = "ja") -> str:
    """ja "2025年4月1日(火) 14:00", en "Tue 1 Apr 2025, 14:00" (Tokyo time; naive = UTC)."""
    local = to_tokyo(dt)
    sep = ", " if _lang(locale) == "en" else " "
    return f"{format_date(local.date(), locale)}{sep}{local:%H:%M}"


def parse_local_datetime(s: str) -> datetime:
    """Parse an HTML ``datetime-local`` value ("2025-04-01T14:00") as Tokyo time; aware UTC.

    Raises ``ValueError`` for anything else (including values with an offset).
    """
    s = s.strip()
    if not _LOCAL_INPUT_RE.fullmatch(s):
        raise ValueError(f"not a datetime-local value: {s!r}")
    return datetime.fromisoformat(s).replace(tzinfo=TOKYO).astimezone(UTC)


def to_local_input(dt: datetime) -> str:
    """``datetime-local`` value in Tokyo time ("2025-04-01T14:00"; seconds dropped; naive = UTC)."""
    return to_tokyo(dt).strftime(LOCAL_INPUT_FORMAT)


def relative_days(target: date | datetime, today: date | datetime) -> int:
    """Days from ``today`` to ``target`` (negative if past); datetimes are converted to Tokyo."""
    return (_as_date(target) - _as_date(today)).days


def days_label(n: int, locale: str = "ja") -> str:
    """ja "今日"/"明日"/"昨日"/"3日後"/"2日前"; en "today"/"tomorrow"/"yesterday"/"in 3 days"/"2 days ago"."""
    if _lang(locale) == "en":
        fixed = {0: "today", 1: "tomorrow", -1: "yesterday"}
        return fixed.get(n) or (f"in {n} days" if n > 0 else f"{-n} days ago")
    fixed = {0: "今日", 1: "明日", -1: "昨日"}
    return fixed.get(n) or (f"{n}日後" if n > 0 else f"{-n}日前")
