"""Date and time parsing for messy Japanese exports: eras, 年月日, slashes, ISO, Excel serials.

Every result is a pandas Timestamp in Asia/Tokyo; a naive value is taken as Tokyo time and a
value with an offset is converted. Anything that is not a plausible date gives ``None``,
never an exception.

Japan had summer time in 1948–1951. A wall time the clocks skipped when it began (e.g.
1948-05-02 00:30) never occurred: it gives ``None`` (:func:`wall_time` still reads it, so a
caller can say why). A wall time that occurred twice when it ended (e.g. 1948-09-12 00:30) is
the earlier instant, still in summer time (+10:00), as Python's ``fold=0``.

Example:
    >>> parse_datetime("令和6年8月4日 22時15分")
    Timestamp('2024-08-04 22:15:00+0900', tz='Asia/Tokyo')
    >>> parse_datetime("2024/8/4(日) 午後10:15")
    Timestamp('2024-08-04 22:15:00+0900', tz='Asia/Tokyo')
    >>> parse_datetime("8月4日") is None  # no year: refused rather than guessed
    True
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TOKYO = "Asia/Tokyo"
_ZONE = ZoneInfo(TOKYO)
MIN_YEAR, MAX_YEAR = 1900, 2100
# Era name (and its one-letter abbreviation) → the Gregorian year before its first year.
ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial numbers Excel gives to 1950-01-01 .. 2100-12-31; smaller numbers are not dates.
_EXCEL_SERIAL_RANGE = (18264, 73415)

_TIME = (
    r"(?:\s*(?P<ampm1>午前|午後|AM|PM)?\s*"
    r"(?P<hour>\d{1,2})\s*(?::|時)\s*(?:(?P<minute>\d{1,2})\s*分?)?"
    r"(?:\s*(?::|分)?\s*(?P<second>\d{1,2})(?:\.\d+)?\s*秒?)?"
    r"\s*(?P<ampm2>AM|PM)?)?"
)
_TZ = r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
_ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|[RHS])\s*(?P<year>元|\d{1,2})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*"
    r"(?P<day>\d{1,2})\s*日?" + _TIME + r"$",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(
    r"^(?P<year>\d{4})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:T|\s)*" + _TIME + _TZ + r"$",
    re.IGNORECASE,
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?:\s*(?P<hour>\d{2}):?(?P<minute>\d{2}))?$")
# Weekday marks such as (日), （日曜日）, [日], or a bare 日曜日 / Sun, dropped before matching.
_WEEKDAY = re.compile(r"[(\[]\s*(?:[月火水木金土日](?:曜日?)?|mon|tue|wed|thu|fri|sat|sun)\s*[)\]]|[月火水木金土日]曜日?", re.I)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


# The two commonest export layouts, parsed column-wise by :func:`primed` and :func:`common_instants`
# (values of other layouts go through the scalar parser): 2024-08-04T22:15:07 / 2024-08-04 22:15
# and 2024/08/04 22:15.
_BULK_LAYOUTS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}"), "%Y-%m-%dT%H:%M:%S", "T"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"), "%Y-%m-%dT%H:%M", "T"),
    (re.compile(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}"), "%Y/%m/%d %H:%M", None),
]
# The same layouts for :func:`common_instants`, one per date-time separator (primed reads a space as
# "T"): RE2 patterns (whose \d is ASCII only, so they match a subset of what the patterns above
# match) and the format of the cells they match. They exclude each other.
_COLUMN_LAYOUTS = [
    (r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "%Y-%m-%d %H:%M:%S"),
    (r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", "%Y-%m-%dT%H:%M:%S"),
    (r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", "%Y-%m-%d %H:%M"),
    (r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$", "%Y-%m-%dT%H:%M"),
    (r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$", "%Y/%m/%d %H:%M"),
]
_PRIMED: dict[str, pd.Timestamp] = {}


@contextmanager
def primed(values: Iterable[object]) -> Iterator[None]:
    """Parse the strings among ``values`` that have a common layout in one vectorised pass, so
    :func:`parse_datetime` and :func:`has_time` answer them from a table (same results)."""
    strings = pd.Series(list({v for v in values if type(v) is str}), dtype=object)
    try:
        for pattern, layout, separator in _BULK_LAYOUTS:
            todo = strings[~strings.isin(_PRIMED.keys())] if _PRIMED else strings
            match = todo[todo.str.fullmatch(pattern.pattern)]
            if not len(match):
                continue
            text = match.str.replace(" ", "T", n=1, regex=False) if separator else match
            stamps = pd.to_datetime(text, format=layout, errors="coerce")
            ok = stamps.notna() & stamps.dt.year.between(MIN_YEAR, MAX_YEAR)
            local = stamps[ok].dt.tz_localize(_ZONE, ambiguous="NaT", nonexistent="NaT")
            _PRIMED.update((text, stamp) for text, stamp in zip(match[ok], local) if stamp is not pd.NaT)
        yield
    finally:
        _PRIMED.clear()


def common_instants(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """The cells of a column in a common export layout (those :func:`primed` parses), parsed
    column-wise without making a Timestamp per cell.

    Returns:
        (instants, parsed): for each cell its instant as int64 nanoseconds since the epoch (UTC),
        and whether it was parsed here. A parsed cell is one for which :func:`parse_datetime`
        gives a Timestamp with that ``value`` and :func:`has_time` is True; the other cells
        (other layouts, blanks, non-strings, impossible dates, wall times skipped or repeated by
        summer time) are left to the scalar parser.
    """
    instants = np.zeros(len(values), dtype=np.int64)
    parsed = np.zeros(len(values), dtype=bool)
    if set(map(type, values)) == {str}:
        texts = np.arange(len(values))
        strings = np.fromiter(values, dtype=object, count=len(values))
    else:  # exactly str, as primed: parse_datetime answers from its table only for those
        texts = np.flatnonzero(np.fromiter((type(value) is str for value in values), dtype=bool, count=len(values)))
        strings = np.fromiter((values[i] for i in texts.tolist()), dtype=object, count=len(texts))
    try:
        arrow = pa.array(strings, type=pa.large_string())  # no 2 GB limit
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate from JSON: all cells to the scalar parser
        return instants, parsed
    remaining = np.arange(len(strings))  # positions in ``strings`` not matched by a layout yet
    for pattern, layout in _COLUMN_LAYOUTS:
        if not len(remaining):
            break
        todo = arrow if len(remaining) == len(strings) else arrow.take(remaining)
        matched = pc.match_substring_regex(todo, pattern).to_numpy(zero_copy_only=False)
        found, remaining = remaining[matched], remaining[~matched]
        if not len(found):
            continue
        stamps = pd.to_datetime(pd.Series(strings[found], dtype=object), format=layout, errors="coerce")
        ok = (stamps.notna() & stamps.dt.year.between(MIN_YEAR, MAX_YEAR)).to_numpy(copy=True)
        # As primed: a wall time skipped or repeated by summer time is left to the scalar parser.
        local = stamps[ok].dt.tz_localize(_ZONE, ambiguous="NaT", nonexistent="NaT")
        ok[ok] = local.notna().to_numpy()
        rows = texts[found[ok]]
        instants[rows] = local.dropna().dt.as_unit("ns").array.asi8
        parsed[rows] = True
    return instants, parsed


def parse_datetime(value: object) -> pd.Timestamp | None:
    """Parse one date or date-time cell into a Tokyo Timestamp.

    Accepts ISO 8601 (with or without offset), 2024/8/4 22:15, 2024-08-04, 2024年8月4日 22時15分,
    令和6年8月4日, R6.8.4, 平成31年4月30日 (元年 too), 午前/午後 and AM/PM, a weekday mark such as
    (日), full-width digits, 20240804, Python/pandas datetimes and dates, and Excel serial
    numbers (45508.93 → 2024-08-04 22:19).

    Args:
        value: a cell value of any type.

    Returns:
        A tz-aware Timestamp in Asia/Tokyo, or None when the value is empty or not a date, or is
        a wall time that never occurred in Tokyo (see :func:`wall_time`).
    """
    if _PRIMED and type(value) is str and value in _PRIMED:
        return _PRIMED[value]
    try:
        return _parse(value)
    except (ValueError, OverflowError, TypeError, OSError):
        return None


def wall_time(value: object) -> pd.Timestamp | None:
    """The Tokyo wall time a cell states, naive: parse_datetime's Timestamp without its zone, and
    also a wall time that never occurred in Tokyo (skipped when summer time began), for which
    parse_datetime gives None. None when the value is empty or not a date."""
    stamp = parse_datetime(value)
    if stamp is not None:
        return stamp.tz_localize(None)
    try:
        _parse(value)
    except SkippedWallTime as skipped:
        return pd.Timestamp(skipped.wall)
    except (ValueError, OverflowError, TypeError, OSError):
        pass
    return None


def has_time(value: object) -> bool:
    """True when a cell states a time of day (not a date alone), e.g. "2024/8/4 22:15" or a datetime."""
    if isinstance(value, (pd.Timestamp, dt.datetime)) or (_PRIMED and type(value) is str and value in _PRIMED):
        return True
    if isinstance(value, dt.date):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.isfinite(value) and not float(value).is_integer()
    return _text_has_time(str(value))


@lru_cache(maxsize=65536)
def _text_has_time(value: str) -> bool:
    text = _clean(value)
    if _NUMBER.match(text):
        return len(text) != 8 and not float(text).is_integer()
    match = _ERA_DATE.match(text) or _WESTERN_DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        return match.group("hour") is not None
    return bool(re.search(r"\d[:時]\d", text))


def _parse(value: object) -> pd.Timestamp | None:
    if value is None or value is pd.NaT or isinstance(value, bool):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return _to_tokyo(pd.Timestamp(value))
    if isinstance(value, dt.date):
        return _to_tokyo(pd.Timestamp(value.year, value.month, value.day))
    if isinstance(value, int | float):
        return _from_excel_serial(float(value))
    if not isinstance(value, str):
        try:  # numpy scalars and other numeric types
            return _from_excel_serial(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return _parse_text(value)


@lru_cache(maxsize=65536)
def _parse_text(value: str) -> pd.Timestamp | None:
    """Strings repeat (every message of a dialogue, a re-export): parsed once each."""
    text = _clean(value)
    if not text:
        return None
    if _NUMBER.match(text):
        if len(text) == 8 and text.isdigit():
            return _from_match(_COMPACT_DATE.match(text), 0)
        return _from_excel_serial(float(text))
    for pattern, offset in ((_WESTERN_DATE, 0), (_ERA_DATE, None), (_COMPACT_DATE, 0)):
        match = pattern.match(text)
        if match:
            return _from_match(match, offset)
    try:  # ISO 8601 forms the patterns above do not cover, e.g. 2024-08-04T22:15:00.123+09:00
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return _to_tokyo(stamp)


def _clean(text: str) -> str:
    """NFKC (full-width digits and colons), weekday marks removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _WEEKDAY.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _from_match(match: re.Match[str] | None, offset: int | None) -> pd.Timestamp | None:
    if match is None:
        return None
    groups = match.groupdict()
    if offset is None:  # an era date
        era = groups["era"]
        offset = ERAS[era if era in ERAS else era.upper()]
        year = 1 if groups["year"] == "元" else int(groups["year"])
        if year < 1:
            return None
        year += offset
    else:
        year = int(groups["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    hour = int(groups["hour"]) if groups.get("hour") else 0
    minute = int(groups["minute"]) if groups.get("minute") else 0
    second = int(groups["second"]) if groups.get("second") else 0
    ampm = (groups.get("ampm1") or groups.get("ampm2") or "").upper()
    if ampm:
        if not 1 <= hour <= 12 and not (ampm in {"午前", "AM"} and hour == 0):
            return None
        if ampm in {"午後", "PM"} and hour != 12:
            hour += 12
        elif ampm in {"午前", "AM"} and hour == 12:
            hour = 0
    tz = groups.get("tz")
    zone = (dt.timezone.utc if tz.upper() == "Z" else _utc_offset(tz)) if tz else None
    return _to_tokyo(dt.datetime(year, int(groups["month"]), int(groups["day"]), hour, minute, second, tzinfo=zone))


def _utc_offset(text: str) -> dt.timezone:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_excel_serial(number: float) -> pd.Timestamp | None:
    if math.isnan(number) or not _EXCEL_SERIAL_RANGE[0] <= number <= _EXCEL_SERIAL_RANGE[1]:
        return None
    stamp = _EXCEL_EPOCH + pd.Timedelta(days=number)
    return _to_tokyo(stamp.round("s"))


class SkippedWallTime(ValueError):
    """A naive Tokyo wall time the clocks skipped when summer time began (1948–1951)."""

    def __init__(self, wall: dt.datetime) -> None:
        super().__init__(f"{wall} never occurred in {TOKYO}")
        self.wall = wall


def _to_tokyo(stamp: pd.Timestamp | dt.datetime) -> pd.Timestamp | None:
    """Naive → Tokyo wall time, aware → converted to Tokyo.

    Raises:
        SkippedWallTime: a naive wall time that never occurred. One that occurred twice (when
            summer time ended) is the earlier instant (``fold=0``).
    """
    if stamp is pd.NaT or not MIN_YEAR <= stamp.year <= MAX_YEAR:
        return None
    if isinstance(stamp, pd.Timestamp):
        stamp = stamp.to_pydatetime(warn=False)
    if stamp.tzinfo is None:
        local = stamp.replace(tzinfo=_ZONE, fold=0)
        if local.astimezone(dt.timezone.utc).astimezone(_ZONE).replace(tzinfo=None) != stamp:
            raise SkippedWallTime(stamp)
        return pd.Timestamp(local)
    return pd.Timestamp(stamp.astimezone(_ZONE))
