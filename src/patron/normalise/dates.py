"""Dates and date-times from the many ways people and spreadsheets write them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from patron.normalise._errors import NormaliseError
from patron.normalise.text import normalise_text

_MONTHS = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"

# Each pattern matches a date at the start of the text; what follows is the time (if any).
_ISO = re.compile(r"([1-9]\d{3})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_CN = re.compile(r"([1-9]\d{3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(1[89]\d{2}|2[01]\d{2})(\d{2})(\d{2})(?!\d)")
_NUMERIC_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2([1-9]\d{3})(?!\d)")
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2}(?!\d)|\d{2}年")
_DAY_MONTH_NAME = re.compile(
    _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+([1-9]\d{3})(?!\d)"
)
_MONTH_NAME_DAY = re.compile(
    _WEEKDAY + r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+([1-9]\d{3})(?!\d)"
)
_EXCEL = re.compile(r"(\d{5})(?:\.(\d+))?")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, counting its phantom 1900-02-29

_TIME = re.compile(
    r"(?:t|\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(am|pm)?"
    r"|\s*(\d{1,2})\s*[时時点點]\s*(?:(\d{1,2})\s*分\s*(?:(\d{1,2})\s*秒)?)?"
)
_TZ = re.compile(r"\s*(?:(z|utc|gmt)|(?:utc|gmt)?([+-])(\d{2}):?(\d{2})?)")

_HINT = "write dates as YYYY-MM-DD"


def _fail(message: str, hint: str = _HINT) -> NormaliseError:
    return NormaliseError(message, hint=hint)


def _make(raw: str, y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise _fail(f"impossible date {raw!r}: {exc}", "check the value at the source") from None


def _split(raw: str, text: str, day_first: bool) -> tuple[date, str, float]:
    """The date at the start of ``text``, the rest (a time, maybe) and an Excel day fraction."""
    if (m := _ISO.match(text)) or (m := _CN.match(text)):
        g = m.groups()
        y, mo, d = (int(g[0]), int(g[2]), int(g[3])) if len(g) == 4 else map(int, g)
        return _make(raw, y, mo, d), text[m.end() :], 0.0
    if (m := _EXCEL.fullmatch(text)) and 20000 <= int(m.group(1)) <= 80000:
        # Only bare 5-digit numbers: a spreadsheet date cell exported as its serial number.
        frac = float("0." + m.group(2)) if m.group(2) else 0.0
        return _EXCEL_EPOCH + timedelta(days=int(m.group(1))), "", frac
    if m := _COMPACT.match(text):
        return _make(raw, *map(int, m.groups())), text[m.end() :], 0.0
    if m := _NUMERIC_YEAR_LAST.match(text):
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        # Dotted dates (24.12.2006) are day-first in every locale that writes them.
        day_first = day_first or m.group(2) == "."
        d, mo = (a, b) if day_first else (b, a)
        if mo > 12:
            order = "day/month/year" if day_first else "month/day/year"
            other = "day_first=False" if day_first else "day_first=True"
            raise _fail(
                f"month {mo} is out of range in {raw!r} (read as {order})",
                f"if this source writes dates the other way round, set {other}",
            )
        return _make(raw, y, mo, d), text[m.end() :], 0.0
    for pattern, day_group in ((_DAY_MONTH_NAME, 1), (_MONTH_NAME_DAY, 2)):
        if (m := pattern.match(text)) and (month := _MONTHS.get(m.group(3 - day_group))):
            day = int(m.group(day_group))
            return _make(raw, int(m.group(3)), month, day), text[m.end() :], 0.0
    if _TWO_DIGIT_YEAR.match(text):
        raise _fail(f"two-digit year in {raw!r} is ambiguous", "write the year in full (2024)")
    raise _fail(f"unrecognised date {raw!r}")


def _time(raw: str, rest: str) -> tuple[int, int, int, int, tzinfo | None]:
    """Parse the part after the date: an optional time then an optional zone."""
    h = mi = s = us = 0
    pos = 0
    if (m := _TIME.match(rest)) and m.end() > 0:
        g = m.groups()
        if g[0] is not None:
            h, mi, s = int(g[0]), int(g[1]), int(g[2] or 0)
            us = int((g[3] or "0")[:6].ljust(6, "0"))
            if g[4] is not None:
                if not 1 <= h <= 12:
                    raise _fail(f"hour {h} with am/pm in {raw!r}", "write a 24-hour time")
                h = h % 12 + (12 if g[4] == "pm" else 0)
        else:
            h, mi, s = int(g[5]), int(g[6] or 0), int(g[7] or 0)
        pos = m.end()
        if h > 23 or mi > 59 or s > 59:
            raise _fail(f"impossible time in {raw!r}", "write times as HH:MM:SS")
    tz: tzinfo | None = None
    if pos < len(rest) and (m := _TZ.match(rest, pos)):
        if m.group(1):
            tz = UTC
        else:
            minutes = int(m.group(3)) * 60 + int(m.group(4) or 0)
            if minutes > 18 * 60:
                raise _fail(f"impossible UTC offset in {raw!r}", "write offsets as +08:00")
            tz = timezone(timedelta(minutes=-minutes if m.group(2) == "-" else minutes))
        pos = m.end()
    if rest[pos:].strip():
        raise _fail(f"unexpected text {rest[pos:].strip()!r} after the date in {raw!r}")
    return h, mi, s, us, tz


def _prepare(raw: str) -> str:
    return normalise_text(raw).lower()


# Birth dates span a few tens of thousands of days, repeated across a file.
@lru_cache(maxsize=1 << 15)
def parse_date(raw: str, *, day_first: bool = False) -> date:
    """Parse a date; raises :class:`ValueError` (a NormaliseError) saying what to fix.

    Accepts 2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日 (or 号), full-width
    digits, ISO date-times (the date part is taken as written), 05/03/2024 (``day_first``)
    or 03/05/2024, "5 Mar 2024", "March 5, 2024" and Excel serial numbers (20000-80000).
    Two-digit years and impossible dates are refused.

    >>> parse_date("2024年3月5日"), parse_date("05/03/2024", day_first=True)
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    """
    text = _prepare(raw)
    if not text:
        raise _fail("blank date", "leave the cell empty or write a date")
    day, rest, _ = _split(raw, text, day_first)
    if rest:
        _time(raw, rest)  # validate what follows the date, but keep the date as written
    return day


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Shanghai":  # no tz database (Windows without tzdata): no DST there
            return timezone(timedelta(hours=8), "CST")
        raise _fail(
            f"unknown time zone {name!r}", "use an IANA name such as Asia/Shanghai"
        ) from None


def parse_datetime(
    raw: str, *, day_first: bool = False, default_tz: str = "Asia/Shanghai"
) -> datetime:
    """Parse a date-time; the result is always timezone-aware.

    Every :func:`parse_date` format works (midnight), plus times such as "2024-03-05 10:00",
    "2024/3/5 10:00:00", "2024年3月5日 10时30分", "10:00 pm" and ISO 8601 with Z or an
    offset. Inputs without a zone are taken to be in ``default_tz``.

    >>> parse_datetime("2024-03-05T10:00:00Z").isoformat()
    '2024-03-05T10:00:00+00:00'
    >>> parse_datetime("2024年3月5日 10时30分").isoformat()
    '2024-03-05T10:30:00+08:00'
    """
    text = _prepare(raw)
    if not text:
        raise _fail("blank date", "leave the cell empty or write a date")
    day, rest, frac = _split(raw, text, day_first)
    h, mi, s, us, tz = _time(raw, rest) if rest else (0, 0, 0, 0, None)
    value = datetime(day.year, day.month, day.day, h, mi, s, us)
    if frac:
        value += timedelta(days=frac)
    return value.replace(tzinfo=tz or _zone(default_tz))
