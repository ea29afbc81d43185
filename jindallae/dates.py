"""Dates for pages, formatted by Babel from CLDR data (never the OS locale, so LANG=C works)."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_time as _babel_time

from .model import TIMEZONE


def build_today(tz: str = TIMEZONE) -> dt.date:
    """Today's date in ``tz``; ``SOURCE_DATE_EPOCH`` (seconds since 1970, reproducible-builds.org)
    fixes it so two builds of the same content are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return now.astimezone(ZoneInfo(tz)).date()


def format_date(value: dt.date | dt.datetime, locale: str, fmt: str = "long", tz: str = TIMEZONE) -> str:
    """``2024-01-05`` -> ``2024年1月5日`` (zh_Hans_CN) / ``2024년 1월 5일`` (ko_KR).

    ``fmt`` is a CLDR width (short, medium, long, full) or a CLDR pattern.  Aware datetimes are
    shown in ``tz`` first.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo:
            value = value.astimezone(ZoneInfo(tz))
        value = value.date()
    return _babel_date(value, fmt, locale=locale)


def format_time(value: dt.datetime, locale: str, fmt: str = "short", tz: str = TIMEZONE) -> str:
    """``09:30`` in the locale's style (``上午9:30`` / ``오전 9:30``), shown in ``tz``."""
    if value.tzinfo:
        value = value.astimezone(ZoneInfo(tz))
    return _babel_time(value.timetz(), fmt, locale=locale)


def format_datetime(value: dt.datetime, locale: str, fmt: str = "medium", tz: str = TIMEZONE) -> str:
    return _babel_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=locale)
