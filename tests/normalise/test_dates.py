"""parse_date and parse_datetime."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.normalise import parse_date, parse_datetime

D = date(2024, 3, 5)
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024/03/05",
        "2024.3.5",
        "20240305",
        "2024年3月5日",
        "2024年03月05号",
        "2024 年 3 月 5 日",
        "２０２４－０３－０５",
        "２０２４年３月５日",
        "2024-03-05T10:00:00",
        "2024-03-05T10:00:00+08:00",
        "2024-03-05T23:30:00-05:00",  # the date as written, not converted
        "2024-03-05 10:00:00",
        "03/05/2024",
        "5 Mar 2024",
        "5 March 2024",
        "05-Mar-2024",
        "March 5, 2024",
        "Mar 5 2024",
        "Tuesday, 5 March 2024",
        "45356",
        " 2024-03-05 ",
    ],
)
def test_parse_date(raw: str) -> None:
    assert parse_date(raw) == D


def test_day_first() -> None:
    assert parse_date("05/03/2024", day_first=True) == D
    assert parse_date("05/03/2024") == date(2024, 5, 3)
    # Dots are always day-first (German, Russian ... style), whatever day_first says.
    assert parse_date("05.03.2024") == D == parse_date("05.03.2024", day_first=True)
    assert parse_date("24.12.2006") == date(2006, 12, 24)
    assert parse_date("5.3.2024", day_first=True) == D


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "blank date"),
        ("2023-02-30", "impossible date"),
        ("2024-13-01", "impossible date"),
        ("2024年2月30日", "impossible date"),
        ("24-03-05", "two-digit year"),
        ("05/03/24", "two-digit year"),
        ("25/03/2024", "set day_first=True"),
        ("2024-03", "unrecognised date"),
        ("hello", "unrecognised date"),
        ("12345", "unrecognised date"),  # below the plausible Excel serial range
        ("2024-03-05 banana", "unexpected text"),
        ("2024-03-05 24:00", "impossible time"),
        ("2024-3/5", "unrecognised date"),
    ],
)
def test_parse_date_rejects(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(raw)


def test_day_first_error_points_the_other_way() -> None:
    with pytest.raises(ValueError, match="day_first=False"):
        parse_date("03/25/2024", day_first=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=SH)),
        ("2024-03-05 10:00", datetime(2024, 3, 5, 10, tzinfo=SH)),
        ("2024/3/5 10:00:00", datetime(2024, 3, 5, 10, tzinfo=SH)),
        ("2024年3月5日 10时30分", datetime(2024, 3, 5, 10, 30, tzinfo=SH)),
        ("2024年3月5日10点30分15秒", datetime(2024, 3, 5, 10, 30, 15, tzinfo=SH)),
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        (
            "2024-03-05T10:00:00.5+05:30",
            datetime(2024, 3, 5, 10, 0, 0, 500000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2024-03-05 10:00 pm", datetime(2024, 3, 5, 22, tzinfo=SH)),
        ("45356.5", datetime(2024, 3, 5, 12, tzinfo=SH)),
        ("March 5, 2024 09:15", datetime(2024, 3, 5, 9, 15, tzinfo=SH)),
    ],
)
def test_parse_datetime(raw: str, expected: datetime) -> None:
    result = parse_datetime(raw)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_parse_datetime_default_tz() -> None:
    result = parse_datetime("2024-03-05 10:00", default_tz="Europe/London")
    assert result.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_datetime("2024-03-05", default_tz="Mars/Olympus")


@given(st.dates(min_value=date(1000, 1, 1)))
def test_round_trip_iso_and_chinese(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_datetime(day.isoformat()).date() == day


@given(st.text(max_size=25))
def test_only_value_errors(raw: str) -> None:
    with contextlib.suppress(ValueError):
        parse_datetime(raw)
