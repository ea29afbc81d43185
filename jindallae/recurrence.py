"""Recurring events: the RRULE subset of ``event.repeat`` and the Chinese lunar-calendar rule of
``event.lunar``, expanded to Gregorian dates; and the lunar date of any day.

Libraries do the calendars; this module only checks the subset we promise editors and maps
front-matter values onto them:

- ``icalendar.vRecur`` parses RRULE text (RFC 5545 syntax: parts, weekday and number values);
- ``dateutil.rrule`` expands a rule into dates (the RFC 5545 recurrence engine icalendar uses);
- ``lunar_python`` (6tail/lunar-python, MIT) converts Chinese lunar dates to Gregorian ones and
  back, with the Chinese calendar's own astronomy (UTC+8), which is what Yanbian follows:
  Korean lunar calendars (KASI, UTC+9) differ on some dates (lunar 1/1 2027 is 2027-02-06 here,
  02-07 in Korea).  Never our own month tables.

The content model (:mod:`jindallae.model`) validates with these functions; the calendar plugin
expands with them.  Occurrences are computed in the event's local wall-clock time, as RFC 5545
does for a ``DTSTART`` with a ``TZID``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator
from zoneinfo import ZoneInfo

# The RRULE parts and frequencies ``event.repeat`` accepts (RFC 5545 section 3.3.10, a subset
# every calendar client implements the same way).
RRULE_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTH", "BYMONTHDAY", "COUNT", "UNTIL")
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY")
LUNAR_KEYS = ("month", "day", "leap", "count", "until")
# An open-ended lunar rule (no count or until) is checked for this many lunar years from its start
# (a day 30 must exist in every one of them) and expanded at most this far.
LUNAR_YEARS = 30


class RuleError(ValueError):
    """A recurrence rule is wrong: ``code`` is a :data:`jindallae.model.MESSAGES` key and ``kw``
    its parameters."""

    def __init__(self, code: str, **kw: Any):
        self.code = code
        self.kw = kw
        super().__init__(code, kw)


# ---------------------------------------------------------------------------------------------
# RRULE subset


def parse_repeat(text: Any) -> dict[str, list]:
    """Check ``text`` (``FREQ=YEARLY;INTERVAL=2;BYDAY=SA;COUNT=3`` with an optional ``RRULE:``
    prefix) against the subset and return its parts as icalendar parsed them
    (``{"FREQ": ["YEARLY"], "COUNT": [3], ...}``).  Raises :class:`RuleError`."""
    from icalendar import vRecur

    if not isinstance(text, str) or not text.strip():
        raise RuleError("rrule_syntax", value=text)
    rule = text.strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    seen = []
    for part in rule.split(";"):
        key, eq, value = part.partition("=")
        if not eq or not key or not value:
            raise RuleError("rrule_syntax", value=text)
        if key not in RRULE_PARTS:
            raise RuleError("rrule_unsupported", part=key, parts=", ".join(RRULE_PARTS))
        if key in seen:
            raise RuleError("rrule_syntax", value=text)
        seen.append(key)
    try:
        parts = dict(vRecur.from_ical(rule))
    except ValueError:
        raise RuleError("rrule_syntax", value=text) from None
    freq = (parts.get("FREQ") or [""])[0]
    if freq not in FREQUENCIES:
        raise RuleError("rrule_unsupported", part=f"FREQ={freq}" if freq else "FREQ", parts=", ".join(RRULE_PARTS))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("rrule_count_until")
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (isinstance(parts[key][0], int) and parts[key][0] > 0):
            raise RuleError("rrule_syntax", value=text)
    if freq == "WEEKLY" and any(str(d)[:-2] for d in parts.get("BYDAY", [])):
        raise RuleError("rrule_syntax", value=text)  # "2SA" needs a monthly or yearly rule
    return parts


def repeat_text(parts: dict[str, list]) -> str:
    """Canonical RRULE text of parsed ``parts`` (FREQ first, then the order of RRULE_PARTS)."""
    from icalendar import vRecur

    ordered = {key: parts[key] for key in RRULE_PARTS if key in parts}
    return vRecur(ordered).to_ical().decode("ascii")


def _until_local(until: dt.date | dt.datetime, start: dt.date | dt.datetime) -> dt.datetime:
    """UNTIL as a naive local wall time comparable with the naive local starts: a date means
    the whole of that day (RFC 5545: UNTIL is inclusive)."""
    if isinstance(until, dt.datetime):
        if isinstance(start, dt.datetime) and start.tzinfo and until.tzinfo:
            until = until.astimezone(start.tzinfo)
        return until.replace(tzinfo=None)
    if isinstance(start, dt.datetime):
        return dt.datetime.combine(until, dt.time(23, 59, 59))
    return dt.datetime.combine(until, dt.time())


def _naive(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def _rebuild(naive: dt.datetime, like: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """A naive local start back in the type and zone of ``like`` (a date, or an aware time)."""
    if isinstance(like, dt.datetime):
        return naive.replace(tzinfo=like.tzinfo)
    return naive.date()


def repeat_starts(parts: dict[str, list], start: dt.date | dt.datetime, limit: dt.date) -> Iterator[dt.date | dt.datetime]:
    """Start of every occurrence of the rule ``parts`` (from :func:`parse_repeat`) beginning at
    ``start``, in order, up to the local date ``limit`` (inclusive) or the rule's own end."""
    from dateutil import rrule as du

    freq = {"YEARLY": du.YEARLY, "MONTHLY": du.MONTHLY, "WEEKLY": du.WEEKLY}[parts["FREQ"][0]]
    kw: dict[str, Any] = {"dtstart": _naive(start), "interval": parts.get("INTERVAL", [1])[0]}
    if "BYDAY" in parts:
        days = {"MO": du.MO, "TU": du.TU, "WE": du.WE, "TH": du.TH, "FR": du.FR, "SA": du.SA, "SU": du.SU}
        kw["byweekday"] = [days[str(d)[-2:]](int(str(d)[:-2])) if str(d)[:-2] else days[str(d)[-2:]]
                           for d in parts["BYDAY"]]
    if "BYMONTH" in parts:
        kw["bymonth"] = [int(m) for m in parts["BYMONTH"]]
    if "BYMONTHDAY" in parts:
        kw["bymonthday"] = [int(d) for d in parts["BYMONTHDAY"]]
    if "COUNT" in parts:
        kw["count"] = parts["COUNT"][0]
    if "UNTIL" in parts:
        kw["until"] = _until_local(parts["UNTIL"][0], start)
    end = dt.datetime.combine(limit, dt.time(23, 59, 59))
    for naive in du.rrule(freq, **kw):
        if naive > end:
            return
        yield _rebuild(naive, start)


# ---------------------------------------------------------------------------------------------
# Lunar calendar


@dataclass(frozen=True)
class LunarDay:
    """A day of the Chinese lunar calendar: ``month`` 1-12 (``leap`` for a 闰 month), ``day``
    1-30, and the Chinese names lunar_python gives (``八月``/``闰六月``, ``初一``/``十五``)."""

    year: int
    month: int
    day: int
    leap: bool
    month_zh: str
    day_zh: str


@lru_cache(maxsize=64)
def _lunar_months(year: int) -> tuple[tuple[int, int, int, int], ...]:
    """lunar-python's month table around lunar ``year``: ``(first Julian Day Number, days,
    lunar year, month)`` with negative months for leap months."""
    from lunar_python import LunarYear

    return tuple((m.getFirstJulianDay(), m.getDayCount(), m.getYear(), m.getMonth())
                 for m in LunarYear.fromYear(year).getMonths())


@lru_cache(maxsize=4096)
def lunar_day(day: dt.date) -> LunarDay:
    """The Chinese lunar date of the Gregorian ``day``.

    Looked up in lunar-python's month table (one astronomical computation per lunar year, not
    per day: ``Solar.getLunar()`` recomputes the year for every call); the result equals
    ``Solar.fromYmd(...).getLunar()`` for every day (checked 1990-2039 in the tests).
    """
    from lunar_python import Solar
    from lunar_python.util import LunarUtil

    jdn = int(Solar.fromYmd(day.year, day.month, day.day).getJulianDay() + 0.5)  # noon-based day number
    for year in (day.year, day.year - 1):
        for first, count, lunar_year, month in _lunar_months(year):
            if first <= jdn < first + count:
                number = jdn - first + 1
                name = ("闰" if month < 0 else "") + LunarUtil.MONTH[abs(month)] + "月"
                return LunarDay(lunar_year, abs(month), number, month < 0, name, LunarUtil.DAY[number])
    raise ValueError(f"{day} is outside lunar-python's tables")


@lru_cache(maxsize=1024)
def lunar_month_days(year: int, month: int, leap: bool = False) -> int | None:
    """Days (29 or 30) of lunar ``month`` of lunar ``year``; ``None`` when that year has no such
    (leap) month."""
    from lunar_python import LunarMonth

    found = LunarMonth.fromYm(year, -month if leap else month)
    return found.getDayCount() if found is not None else None


@lru_cache(maxsize=4096)
def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, -month if leap else month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def lunar_dates(rule: dict[str, Any], first_year: int, strict: bool = False,
                limit: dt.date | None = None) -> Iterator[tuple[int, dt.date]]:
    """``(lunar year, Gregorian date)`` of lunar ``rule["month"]``/``rule["day"]`` (``leap``:
    the 闰 month, in the years that have it) from lunar year ``first_year`` on, bounded by the
    rule's ``count`` and ``until`` (a date) and by ``limit``; with neither ``until`` nor
    ``limit``, by :data:`LUNAR_YEARS` years.

    A year whose month is one day short of ``day`` (day 30 in a 29-day month) raises
    :class:`RuleError` ``lunar_day_missing`` when ``strict``, else it is skipped.
    """
    month, day, leap = rule["month"], rule["day"], bool(rule.get("leap"))
    count, until = rule.get("count"), rule.get("until")
    bounds = [d.year for d in (until, limit) if d is not None]
    last_year = min(bounds) if bounds else first_year + LUNAR_YEARS - 1
    found = 0
    for year in range(first_year, last_year + 1):  # a lunar year's dates are in its own Gregorian year or the next
        # Every lunar month has 29 or 30 days: only day 30 and leap months need the month's table.
        days = lunar_month_days(year, month, leap) if day == 30 or leap else 30
        if days is None:
            continue  # no leap month that year
        if days < day:
            if strict:
                raise RuleError("lunar_day_missing", year=year, month=month, day=day, days=days,
                                first=lunar_to_solar(year, month, 1, leap).isoformat())
            continue
        when = lunar_to_solar(year, month, day, leap)
        if (until is not None and when > until) or (limit is not None and when > limit):
            return
        yield year, when
        found += 1
        if count is not None and found >= count:
            return


def shift(start: dt.date | dt.datetime, day: dt.date) -> dt.date | dt.datetime:
    """``start`` moved to the Gregorian ``day``, keeping its time of day and zone."""
    if isinstance(start, dt.datetime):
        return dt.datetime.combine(day, start.timetz().replace(tzinfo=None)).replace(tzinfo=start.tzinfo)
    return day


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date of a start as the editor wrote it (its own zone)."""
    return value.date() if isinstance(value, dt.datetime) else value


# ---------------------------------------------------------------------------------------------
# Occurrences of an event block


def occurrence_starts(event: dict[str, Any], limit: dt.date) -> list[dt.date | dt.datetime]:
    """Every start of the validated ``event`` block up to the local date ``limit``: the start
    alone, the dates of ``repeat`` or ``lunar``; dates in ``except`` left out."""
    start = event["start"]
    skip = set(event.get("except") or ())
    if event.get("repeat"):
        starts = list(repeat_starts(parse_repeat(event["repeat"]), start, limit))
    elif event.get("lunar"):
        first = lunar_day(local_date(start)).year
        starts = [shift(start, when) for _, when in lunar_dates(event["lunar"], first, limit=limit)]
    else:
        starts = [start] if local_date(start) <= limit else []
    return [s for s in starts if local_date(s) not in skip]


def zone_of(event: dict[str, Any], default: str) -> ZoneInfo:
    return ZoneInfo(event.get("timezone") or default)
