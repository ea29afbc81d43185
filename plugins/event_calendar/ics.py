"""iCalendar (RFC 5545) files of events, written with the icalendar library.

icalendar does the format: property values and text escaping (``,`` ``;`` ``\\`` and newlines),
line folding at 75 octets without splitting a UTF-8 character, CRLF line ends, ``TZID``
parameters, and VTIMEZONE components made from the zoneinfo database.  This module only maps an
event onto properties:

- ``UID`` is the permanent ``event.id`` (the same in every language: importing both versions
  gives one event); never the URL, title or build time.
- ``DTSTAMP`` / ``LAST-MODIFIED`` / ``CREATED`` come from the file's git history or front matter
  (:mod:`.changes`), in UTC; ``SEQUENCE`` is the number of revisions of the file after the
  first (its commits), so a calendar that imported the event takes a changed file as newer.
- Timed events carry ``TZID`` (Asia/Shanghai unless ``event.timezone``) with a VTIMEZONE in the
  same file; a time written with ``Z`` or an offset is written in UTC (``...Z``).  All-day events
  are ``VALUE=DATE`` with an exclusive ``DTEND`` (the day after the last day).
- ``event.repeat`` becomes ``RRULE``; ``event.lunar`` becomes ``RDATE``s (clients cannot expand
  lunar rules); ``event.except`` becomes ``EXDATE``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jindallae import recurrence

PRODID = "-//Jindallae//Event calendar//EN"
STATUS = {"scheduled": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}
UTC = dt.timezone.utc


def ical_time(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """A value icalendar writes as we want: dates as DATE, IANA-zoned times with TZID, any other
    aware time (UTC, a fixed offset) in UTC."""
    if isinstance(value, dt.datetime) and not isinstance(value.tzinfo, ZoneInfo):
        return value.astimezone(UTC)
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.tzinfo.key == "UTC":
        return value.astimezone(UTC)
    return value


def _rrule(text: str, start: dt.date | dt.datetime) -> Any:
    """The RRULE of ``event.repeat`` with UNTIL of the value type RFC 5545 requires: a DATE for an
    all-day event, else a UTC time (the end of the UNTIL day in the event's zone)."""
    from icalendar import vRecur

    parts = recurrence.parse_repeat(text)
    if "UNTIL" in parts:
        until = parts["UNTIL"][0]
        if isinstance(start, dt.datetime):
            if not isinstance(until, dt.datetime):
                until = dt.datetime.combine(until, dt.time(23, 59, 59)).replace(tzinfo=start.tzinfo)
            parts["UNTIL"] = [until.astimezone(UTC)]
        elif isinstance(until, dt.datetime):
            parts["UNTIL"] = [until.date()]
    return vRecur({key: parts[key] for key in recurrence.RRULE_PARTS if key in parts})


def vevent(event: Any, lunar_limit: dt.date) -> Any:
    """The VEVENT of a calendar event (``generator.CalendarEvent``) in its page's language.
    ``lunar_limit``: the last date an open-ended lunar rule is written out to."""
    from icalendar import Event

    fields = event.fields
    start, end = fields["start"], fields["end"]
    created, changed, sequence = event.times
    component = Event()
    component.add("uid", event.uid)
    component.add("dtstamp", changed)
    component.add("created", created)
    component.add("last-modified", changed)
    component.add("sequence", sequence)
    component.add("summary", event.summary)
    if isinstance(start, dt.datetime):
        component.add("dtstart", ical_time(start))
        component.add("dtend", ical_time(end))
    else:
        component.add("dtstart", start)
        component.add("dtend", end + dt.timedelta(days=1))  # exclusive (RFC 5545 3.6.1)
    skipped = list(fields.get("except") or [])
    if fields.get("repeat"):
        component.add("rrule", _rrule(fields["repeat"], start))
    elif fields.get("lunar"):
        first_year = recurrence.lunar_day(recurrence.local_date(start)).year
        dates = [when for _, when in recurrence.lunar_dates(fields["lunar"], first_year, limit=lunar_limit)]
        # DTSTART's own date too: RFC 5545 counts DTSTART in the set anyway (a duplicate RDATE is
        # one instance), but some readers (python `ical`) take only RRULE and RDATE instances.
        dates = [when for when in dates if when not in skipped]
        if dates:
            component.add("rdate", [ical_time(recurrence.shift(start, when)) for when in dates])
        skipped = [day for day in skipped if day == recurrence.local_date(start)]
    if skipped:
        component.add("exdate", [ical_time(recurrence.shift(start, day)) for day in skipped])
    location = ", ".join(part for part in (fields.get("location"), fields.get("address")) if part)
    if location:
        component.add("location", location)
    if event.description:
        component.add("description", event.description)
    if fields.get("contact"):
        component.add("contact", fields["contact"])
    component.add("url", event.public_url)
    component.add("status", STATUS[fields.get("status", "scheduled")])
    component.add("transp", "TRANSPARENT")  # a public event does not make the reader busy
    return component


def calendar_key(events: list[Any], name: str, lunar_limit: dt.date) -> str:
    """A hex key of everything :func:`calendar_bytes` reads (the events' UIDs, times, texts,
    URLs and fields, the calendar's name, the lunar limit, this module and the icalendar
    release): equal keys give equal bytes, so a calendar can be kept between builds."""
    import hashlib
    import json

    import icalendar

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"{icalendar.__version__}\0{name}\0{lunar_limit.isoformat()}".encode())
    for event in events:
        times = event.times
        h.update(json.dumps([event.uid, [times.created.isoformat(), times.changed.isoformat(), times.sequence],
                             event.summary, event.description, event.public_url, event.fields], sort_keys=True,
                            default=repr, ensure_ascii=False).encode())
    return h.hexdigest()


def calendar_bytes(events: list[Any], name: str, lunar_limit: dt.date,
                   vevents: dict[int, tuple[Any, Any, bytes]] | None = None) -> bytes:
    """A whole VCALENDAR of ``events`` (sorted by start and UID) named ``name``, as bytes (UTF-8,
    CRLF, folded), with one VTIMEZONE for each TZID it uses.

    An event is in several calendars (its own, its section's, its language's): with a
    ``vevents`` memo (one per build, see :func:`vevent_parts`) each VEVENT is made and
    serialised once and the calendar's lines are joined around it, giving the same bytes as
    ``Calendar.to_ical()`` of the whole calendar (icalendar serialises a component as its
    lines joined with CRLF, subcomponents in place)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)  # the same for clients that predate RFC 7986
    cal.add("refresh-interval", dt.timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    years = []
    serialised: dict[int, bytes] = {}
    for event in sorted(events, key=lambda e: (recurrence.local_date(e.fields["start"]), e.uid)):
        component, data = vevent_parts(event, lunar_limit, {} if vevents is None else vevents)
        cal.add_component(component)
        serialised[id(component)] = data
        years += [recurrence.local_date(event.fields["start"]).year, recurrence.local_date(event.fields["end"]).year]
    if years:
        # VTIMEZONEs from zoneinfo, covering the events' years (and repeats up to 2038 at least)
        cal.add_missing_timezones(first_date=dt.date(min(years), 1, 1),
                                  last_date=dt.date(max(max(years) + 2, 2038), 1, 1))
        for tz in cal.walk("VTIMEZONE"):
            for sub in tz.subcomponents:
                # Abbreviations such as "CST" are ambiguous (China, Cuba, US Central): the TZID
                # and the offsets say it all, and TZNAME is optional.
                sub.pop("TZNAME", None)
    parts = cal.subcomponents
    cal.subcomponents = []
    head = cal.to_ical()
    cal.subcomponents = parts
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):  # pragma: no cover - an icalendar release that writes otherwise
        return cal.to_ical()
    body = b"".join(serialised.get(id(part)) or part.to_ical() for part in parts)
    return head[:-len(end)] + body + end


def vevent_parts(event: Any, lunar_limit: dt.date, memo: dict[int, tuple[Any, Any, bytes]]) -> tuple[Any, bytes]:
    """``(VEVENT component, its bytes)`` of ``event``, made once per ``memo`` (keyed by the
    event's identity; the event's summary and description must be final, and the lunar limit
    the same for every call with one memo)."""
    found = memo.get(id(event))
    if found is None or found[0] is not event:
        component = event.vevent(lunar_limit)
        found = memo[id(event)] = (event, component, component.to_ical())
    return found[1], found[2]
