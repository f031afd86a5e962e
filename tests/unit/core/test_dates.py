"""core.dates: Tokyo time, the fiscal year (年度) and the Japanese era."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import (
    TOKYO,
    days_label,
    era_year,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_long,
    format_date,
    format_datetime_jst,
    parse_local_datetime,
    relative_days,
    to_local_input,
    to_tokyo,
    tokyo_now,
    utcnow,
    wareki,
)

# ---------------------------------------------------------------- time zones


@time_machine.travel(datetime(2026, 3, 31, 15, 30, tzinfo=UTC), tick=False)
def test_now_functions() -> None:
    now = utcnow()
    assert now == datetime(2026, 3, 31, 15, 30, tzinfo=UTC) and now.utcoffset() == timedelta(0)
    local = tokyo_now()
    assert local.tzinfo is TOKYO and (local.month, local.day, local.hour) == (4, 1, 0)
    assert fiscal_year(utcnow()) == 2026


def test_to_tokyo() -> None:
    assert to_tokyo(datetime(2025, 4, 1, 5, 0, tzinfo=UTC)) == datetime(2025, 4, 1, 14, 0, tzinfo=TOKYO)
    naive = to_tokyo(datetime(2025, 4, 1, 5, 0))  # naive means UTC
    assert naive.hour == 14 and naive.tzinfo is TOKYO
    other = to_tokyo(datetime(2025, 4, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5))))
    assert (other.day, other.hour) == (1, 14)


# ---------------------------------------------------------------- fiscal year


@pytest.mark.parametrize(
    ("value", "fy"),
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (datetime(2026, 3, 31, 14, 59, 59, tzinfo=UTC), 2025),  # 23:59:59 JST on 31 March
        (datetime(2026, 3, 31, 15, 0, tzinfo=UTC), 2026),  # 00:00 JST on 1 April
        (datetime(2026, 3, 31, 15, 30, tzinfo=UTC), 2026),
        (datetime(2026, 3, 31, 15, 30), 2026),  # naive = UTC
        (datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO), 2026),
        (datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO), 2025),
    ],
)
def test_fiscal_year(value: date, fy: int) -> None:
    assert fiscal_year(value) == fy


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))
    assert fiscal_year_bounds(2023) == (date(2023, 4, 1), date(2024, 3, 31))  # leap year
    start, end = fiscal_year_bounds(2027)
    assert fiscal_year(start) == fiscal_year(end) == 2027
    assert fiscal_year(start - timedelta(days=1)) == 2026 and fiscal_year(end + timedelta(days=1)) == 2028


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_fiscal_year_bounds_contain_date(d: date) -> None:
    start, end = fiscal_year_bounds(fiscal_year(d))
    assert start <= d <= end


# ---------------------------------------------------------------- era


@pytest.mark.parametrize(
    ("d", "long", "short", "era"),
    [
        (date(2025, 4, 1), "令和7年4月1日", "R7.4.1", ("令和", 7)),
        (date(2026, 11, 25), "令和8年11月25日", "R8.11.25", ("令和", 8)),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30", ("平成", 31)),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1", ("令和", 1)),
        (date(2019, 12, 31), "令和元年12月31日", "R1.12.31", ("令和", 1)),
        (date(2020, 1, 1), "令和2年1月1日", "R2.1.1", ("令和", 2)),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7", ("昭和", 64)),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8", ("平成", 1)),
        (date(1926, 12, 24), "大正15年12月24日", "T15.12.24", ("大正", 15)),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25", ("昭和", 1)),
        (date(1912, 7, 29), "明治45年7月29日", "M45.7.29", ("明治", 45)),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30", ("大正", 1)),
        (date(1868, 1, 25), "明治元年1月25日", "M1.1.25", ("明治", 1)),
    ],
)
def test_wareki(d: date, long: str, short: str, era: tuple[str, int]) -> None:
    assert wareki(d) == long
    assert wareki(d, short=True) == short
    assert era_year(d) == era


def test_wareki_of_datetime_uses_tokyo_date() -> None:
    assert wareki(datetime(2019, 4, 30, 15, 0, tzinfo=UTC)) == "令和元年5月1日"
    assert era_year(datetime(2019, 4, 30, 14, 59, tzinfo=UTC)) == ("平成", 31)


def test_before_meiji_is_an_error() -> None:
    with pytest.raises(ValueError):
        wareki(date(1868, 1, 24))
    with pytest.raises(ValueError):
        era_year(date(1700, 1, 1))
    with pytest.raises(ValueError):
        fiscal_year_label(1867)


@pytest.mark.parametrize(
    ("fy", "ja", "en", "ja_long", "en_long"),
    [
        (2025, "令和7年度", "FY2025", "令和7年度（2025年度）", "FY2025 (April 2025 – March 2026)"),
        (2020, "令和2年度", "FY2020", "令和2年度（2020年度）", "FY2020 (April 2020 – March 2021)"),
        (2019, "令和元年度", "FY2019", "令和元年度（2019年度）", "FY2019 (April 2019 – March 2020)"),
        (2018, "平成30年度", "FY2018", "平成30年度（2018年度）", "FY2018 (April 2018 – March 2019)"),
        (1989, "平成元年度", "FY1989", "平成元年度（1989年度）", "FY1989 (April 1989 – March 1990)"),
        (1988, "昭和63年度", "FY1988", "昭和63年度（1988年度）", "FY1988 (April 1988 – March 1989)"),
    ],
)
def test_fiscal_year_labels(fy: int, ja: str, en: str, ja_long: str, en_long: str) -> None:
    assert fiscal_year_label(fy) == ja
    assert fiscal_year_label(fy, "ja") == ja
    assert fiscal_year_label(fy, "en") == en
    assert fiscal_year_label(fy, "en_US") == en
    assert fiscal_year_long(fy) == ja_long
    assert fiscal_year_long(fy, "en") == en_long


# ---------------------------------------------------------------- formatting and parsing


@pytest.mark.parametrize(
    ("dt", "ja", "en"),
    [
        (datetime(2025, 4, 1, 5, 0, tzinfo=UTC), "2025年4月1日(火) 14:00", "Tue 1 Apr 2025, 14:00"),
        (datetime(2025, 4, 1, 14, 0, tzinfo=TOKYO), "2025年4月1日(火) 14:00", "Tue 1 Apr 2025, 14:00"),
        (datetime(2026, 3, 31, 15, 5), "2026年4月1日(水) 00:05", "Wed 1 Apr 2026, 00:05"),  # naive = UTC
        (datetime(2025, 12, 28, 0, 0, tzinfo=UTC), "2025年12月28日(日) 09:00", "Sun 28 Dec 2025, 09:00"),
        (datetime(2025, 5, 3, 23, 59, tzinfo=UTC), "2025年5月4日(日) 08:59", "Sun 4 May 2025, 08:59"),
        (datetime(2025, 9, 1, 1, 0, tzinfo=UTC), "2025年9月1日(月) 10:00", "Mon 1 Sep 2025, 10:00"),
        (datetime(2025, 9, 6, 1, 0, tzinfo=UTC), "2025年9月6日(土) 10:00", "Sat 6 Sep 2025, 10:00"),
    ],
)
def test_format_datetime_jst(dt: datetime, ja: str, en: str) -> None:
    assert format_datetime_jst(dt) == ja
    assert format_datetime_jst(dt, "ja") == ja
    assert format_datetime_jst(dt, "en") == en


def test_format_date() -> None:
    assert format_date(date(2025, 4, 1)) == "2025年4月1日(火)"
    assert format_date(date(2025, 4, 1), "en") == "Tue 1 Apr 2025"
    assert format_date(datetime(2025, 4, 2, 15, 0, tzinfo=UTC), "en") == "Thu 3 Apr 2025"


def test_parse_local_datetime() -> None:
    parsed = parse_local_datetime("2025-04-01T14:00")
    assert parsed == datetime(2025, 4, 1, 5, 0, tzinfo=UTC) and parsed.tzinfo is UTC
    assert parse_local_datetime("2026-04-01T00:00") == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert parse_local_datetime(" 2025-04-01T14:00:30 ") == datetime(2025, 4, 1, 5, 0, 30, tzinfo=UTC)
    assert parse_local_datetime("2025-04-01 14:00") == datetime(2025, 4, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad", ["", "2025-04-01", "14:00", "2025-04-01T14:00+09:00", "2025-04-01T14:00Z", "2025-13-01T14:00",
            "2025-04-31T10:00", "2025/04/01 14:00", "tomorrow"],
)
def test_parse_local_datetime_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_local_datetime(bad)


def test_to_local_input() -> None:
    assert to_local_input(datetime(2025, 4, 1, 5, 0, tzinfo=UTC)) == "2025-04-01T14:00"
    assert to_local_input(datetime(2026, 3, 31, 15, 0, 59)) == "2026-04-01T00:00"  # naive = UTC


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_local_input_round_trip(naive_tokyo: datetime) -> None:
    value = naive_tokyo.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    parsed = parse_local_datetime(value)
    assert parsed.tzinfo is UTC
    assert to_local_input(parsed) == value
    assert parsed - parse_local_datetime(to_local_input(parsed)) == timedelta(0)
    assert format_datetime_jst(parsed).endswith(value[-5:])


# ---------------------------------------------------------------- relative days


@pytest.mark.parametrize(
    ("target", "today", "n", "ja", "en"),
    [
        (date(2025, 4, 1), date(2025, 4, 1), 0, "今日", "today"),
        (date(2025, 4, 2), date(2025, 4, 1), 1, "明日", "tomorrow"),
        (date(2025, 3, 31), date(2025, 4, 1), -1, "昨日", "yesterday"),
        (date(2025, 4, 4), date(2025, 4, 1), 3, "3日後", "in 3 days"),
        (date(2025, 3, 30), date(2025, 4, 1), -2, "2日前", "2 days ago"),
        (date(2026, 4, 1), date(2025, 4, 1), 365, "365日後", "in 365 days"),
    ],
)
def test_relative_days(target: date, today: date, n: int, ja: str, en: str) -> None:
    assert relative_days(target, today) == n
    assert days_label(n) == ja
    assert days_label(n, "ja") == ja
    assert days_label(n, "en") == en


def test_relative_days_with_datetimes_uses_tokyo_dates() -> None:
    deadline = datetime(2025, 4, 1, 15, 0, tzinfo=UTC)  # 2 April 00:00 JST
    assert relative_days(deadline, date(2025, 4, 1)) == 1
    assert relative_days(deadline, datetime(2025, 4, 1, 14, 59, tzinfo=UTC)) == 1
    assert relative_days(deadline, datetime(2025, 4, 1, 15, 0, tzinfo=UTC)) == 0
