"""CalendarGenerator: calendar pages, .ics files and event JSON-LD (see the package docstring).

It runs after :class:`multilingual.generator.MultilingualGenerator` (``context["multilingual"]``)
and reuses it: the per-language article lists, the page views (language switcher, hreflang,
breadcrumbs, nav), its page writer (:meth:`write_page` / :meth:`run_jobs`) and its sitemap.
Everything this generator computes lives on the instance; templates reach it as
``event_calendar`` in the context (the home page's calendar block) and as ``article.calendar``.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import json
import logging
import os
import re
from collections import defaultdict
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican.generators import Generator

from jindallae import recurrence
from jindallae.build import CACHE_KEY, SITE_KEY
from jindallae.model import Language, as_datetime

from . import changes, ics

logger = logging.getLogger("pelican.event_calendar")  # collected by the build as a warning

SCHEMA_STATUS = {"scheduled": "https://schema.org/EventScheduled",
                 "postponed": "https://schema.org/EventPostponed",
                 "cancelled": "https://schema.org/EventCancelled"}
NEXT_DATES = 5  # dates of a repeating event listed on its page
# Lunar festivals named in the month grid (the day cell then shows the whole lunar date): the
# theme's catalogue translates the names.  (month, day) of a non-leap month; New Year's Eve is
# the last day of the twelfth month, whichever day that is.
FESTIVALS = {(1, 1): "Spring Festival", (1, 15): "Lantern Festival", (5, 5): "Dragon Boat Festival",
             (7, 7): "Qixi Festival", (8, 15): "Mid-Autumn Festival", (9, 9): "Double Ninth Festival"}
NEW_YEARS_EVE = "Lunar New Year's Eve"


def festival_of(day: dt.date) -> str | None:
    """The msgid of the lunar festival on ``day``, or ``None``."""
    lunar = recurrence.lunar_day(day)
    if lunar.leap:
        return None
    if lunar.month == 12 and recurrence.lunar_day(day + dt.timedelta(days=1)).month == 1:
        return NEW_YEARS_EVE
    return FESTIVALS.get((lunar.month, lunar.day))


@dataclass(eq=False)
class CalendarEvent:
    """The event block of one page in one language, with its occurrences on the pages."""

    article: Any
    language: Language
    fields: dict[str, Any]
    uid: str | None
    times: changes.FileTimes  # created, last changed (UTC), revisions after the first
    ics_rel: str | None
    public_url: str
    occurrences: list["Occurrence"] = field(default_factory=list)
    summary: str = ""  # SUMMARY and DESCRIPTION of the .ics, in the page's language
    description: str = ""

    @property
    def status(self) -> str:
        return self.fields.get("status", "scheduled")

    @property
    def repeating(self) -> bool:
        return bool(self.fields.get("repeat") or self.fields.get("lunar"))

    def vevent(self, lunar_limit: dt.date) -> Any:
        return ics.vevent(self, lunar_limit)


@dataclass(eq=False)
class Occurrence:
    """One occurrence of an event: ``start``/``end`` as in front matter (an all-day event's
    ``end`` is its last day) and the ``days`` (site time zone) it covers."""

    event: CalendarEvent
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    days: tuple[dt.date, ...]

    @property
    def article(self) -> Any:
        return self.event.article

    @property
    def status(self) -> str:
        return self.event.status

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def lunar(self) -> recurrence.LunarDay:
        """The Chinese lunar date of the first day."""
        return recurrence.lunar_day(self.days[0])

    @property
    def span(self) -> dict[str, Any]:
        """``{"start", "end"}``: what the ``event_when`` filter formats."""
        return {"start": self.start, "end": self.end}

    @property
    def sort_key(self) -> tuple:
        return (as_datetime(self.start), self.article.title, self.article.slug)


def add_months(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, stdlib_calendar.monthrange(year, month + 1)[1])


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as JSON safe inside ``<script type="application/ld+json">`` (no ``</script>``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


class CalendarGenerator(Generator):
    """Calendar pages per language, .ics files per event, per section and per language."""

    # context ---------------------------------------------------------------------------------
    def generate_context(self) -> None:
        ml = self.context.get("multilingual")
        if ml is None:
            raise RuntimeError("event_calendar needs the multilingual plugin: list it before event_calendar in PLUGINS")
        self.ml = ml
        self.model = ml.model
        self.tz = self.settings.get("TIMEZONE", "Asia/Shanghai")
        self.zone = ZoneInfo(self.tz)
        self.today = ml.today
        self.horizon = add_months(self.today, self.settings["CALENDAR_MONTHS_AHEAD"])
        self.lunar_limit = dt.date(self.today.year + self.settings["CALENDAR_LUNAR_YEARS_AHEAD"], 12, 31)
        self.home_count = self.settings["CALENDAR_HOME_EVENTS"]
        pages = [a for lang in self.model.languages for a in ml.by_lang[lang.code] if getattr(a, "event", None)]
        times = changes.file_times(ml.site.root, [a.item for a in pages], self.tz)
        self.events: dict[str, list[CalendarEvent]] = {lang.code: [] for lang in self.model.languages}
        for a in pages:
            uid = a.event.get("id")
            if not uid:
                logger.warning("%s: the event has no event.id, so it is left out of the .ics files; add one "
                               "(a uuid, never changed afterwards)", a.item.path)
            event = CalendarEvent(a, self.model.by_code[a.lang], a.event, uid, times[a.item.path],
                                  f"{a.url}{a.slug}.ics" if uid else None, ml.absolute(a.url))
            event.occurrences = self.expand(event)
            self.events[a.lang].append(event)
        every = [o for events in self.events.values() for e in events for o in e.occurrences]
        first = min([o.days[0] for o in every] + [self.today])
        last = max([o.days[-1] for o in every] + [self.today])
        self.months = [(y, m) for y in range(first.year, last.year + 1) for m in range(1, 13)
                       if (first.year, first.month) <= (y, m) <= (last.year, last.month)]
        self.by_day: dict[str, dict[dt.date, list[Occurrence]]] = {}
        for code, events in self.events.items():
            days: dict[dt.date, list[Occurrence]] = defaultdict(list)
            for o in sorted((o for e in events for o in e.occurrences), key=lambda o: o.sort_key):
                for day in o.days:
                    days[day].append(o)
            self.by_day[code] = days
        for events in self.events.values():
            for event in events:
                event.article.calendar = self.article_info(event)
        self.context["event_calendar"] = self
        self.queue_pages()
        self.write_ics()

    def expand(self, event: CalendarEvent) -> list[Occurrence]:
        """Occurrences of ``event``: a repeating one up to the horizon (at least its first)."""
        fields = event.fields
        start = fields["start"]
        limit = max(self.horizon, recurrence.local_date(start)) if event.repeating else dt.date.max
        duration = fields["end"] - start
        return [Occurrence(event, s, s + duration, self.days(s, s + duration))
                for s in recurrence.occurrence_starts(fields, limit)]

    def days(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple[dt.date, ...]:
        """The calendar days an occurrence covers, in the site's time zone (a timed event that
        ends at midnight does not cover the next day)."""
        if isinstance(start, dt.datetime):
            local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
            first = local_start.date()
            last = (local_end - dt.timedelta(microseconds=1)).date() if local_end > local_start else first
        else:
            first, last = start, end
        return tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))

    # urls ------------------------------------------------------------------------------------
    def rel(self, lang: Language | str, path: str = "") -> str:
        lang = self.model.by_code[lang] if isinstance(lang, str) else lang
        return lang.url(f"calendar/{path}")

    def month_rel(self, lang: Language | str, year: int, month: int) -> str:
        return self.rel(lang, f"{year:04d}/{month:02d}/")

    def url(self, rel: str) -> str:
        return self.ml.url(rel)

    def month_of(self, day: dt.date) -> tuple[int, int]:
        """The month page that shows ``day`` (the nearest one for a day outside the range)."""
        key = (day.year, day.month)
        return min(max(key, self.months[0]), self.months[-1])

    # lists -----------------------------------------------------------------------------------
    def occurrences(self, code: str) -> list[Occurrence]:
        return sorted((o for e in self.events[code] for o in e.occurrences), key=lambda o: o.sort_key)

    def upcoming(self, code: str, limit: int | None = None) -> list[Occurrence]:
        """Occurrences not over yet (ongoing ones included), soonest first."""
        found = [o for o in self.occurrences(code) if o.days[-1] >= self.today]
        return found[:limit] if limit else found

    def past(self, code: str) -> list[Occurrence]:
        return sorted((o for o in self.occurrences(code) if o.days[-1] < self.today), key=lambda o: o.sort_key,
                      reverse=True)

    def by_month(self, lang: Language, occurrences: list[Occurrence]) -> list[dict[str, Any]]:
        """``[{"year", "month", "first", "url", "entries"}]`` in the order of ``occurrences``."""
        groups: dict[tuple[int, int], list[Occurrence]] = {}
        for o in occurrences:
            groups.setdefault((o.days[0].year, o.days[0].month), []).append(o)
        return [{"year": y, "month": m, "first": dt.date(y, m, 1), "url": self.url(self.month_rel(lang, y, m)),
                 "entries": entries} for (y, m), entries in groups.items()]

    def home(self, code: str) -> dict[str, Any]:
        """The home page's calendar block: the next few occurrences and links."""
        lang = self.model.by_code[code]
        year, month = self.month_of(self.today)
        return {"upcoming": self.upcoming(code, self.home_count), "calendar_url": self.url(self.rel(lang)),
                "month_url": self.url(self.month_rel(lang, year, month)), "month_first": dt.date(year, month, 1),
                "feed_url": self.url(self.rel(lang, "all.ics"))}

    def links(self, lang: Language) -> dict[str, Any]:
        """Links every calendar page shows: upcoming, this month, past, feeds."""
        year, month = self.month_of(self.today)
        feeds = [(None, self.url(self.rel(lang, "all.ics")))]
        for section in self.model.sections.values():
            if any(e.uid and e.article.section == section.key for e in self.events[lang.code]):
                feeds.append((section.name(lang.code), self.url(self.rel(lang, f"{section.key}.ics"))))
        return {"upcoming": self.url(self.rel(lang)), "month": self.url(self.month_rel(lang, year, month)),
                "month_first": dt.date(year, month, 1), "past": self.url(self.rel(lang, "past/")), "feeds": feeds}

    # month grid ------------------------------------------------------------------------------
    def month_grid(self, lang: Language, year: int, month: int) -> dict[str, Any]:
        """Weeks of day cells (``None`` pads the first and last week) for one month."""
        from babel import Locale
        from babel.dates import get_day_names

        locale = Locale.parse(lang.locale)
        first_weekday = locale.first_week_day  # Monday in China, Sunday in Korea (CLDR)
        short = get_day_names("abbreviated", locale=locale)
        wide = get_day_names("wide", locale=locale)
        first = dt.date(year, month, 1)
        count = stdlib_calendar.monthrange(year, month)[1]
        cells: list[dict[str, Any] | None] = [None] * ((first.weekday() - first_weekday) % 7)
        by_day = self.by_day[lang.code]
        for n in range(count):
            day = first + dt.timedelta(days=n)
            cells.append({"date": day, "weekday": short[day.weekday()], "lunar": recurrence.lunar_day(day),
                          "today": day == self.today, "festival": festival_of(day),
                          "events": [{"occurrence": o, "first": o.days[0] == day} for o in by_day.get(day, [])]})
        # The lunar date is labelled in full (农历七月十四, 음력 7월 14일) once a month: on the first
        # day of the grid, and on phones (where only days with events are listed) on the first day
        # listed; other cells show the short form.  Festivals always show it in full.
        days = [c for c in cells if c]
        days[0]["lunar_full"] = "wide"
        listed = next((c for c in days if c["events"] or c["today"]), None)
        if listed is not None:
            listed["lunar_full"] = "all" if listed is days[0] else "narrow"
        cells += [None] * (-len(cells) % 7)
        index = self.months.index((year, month))
        prev_month = self.months[index - 1] if index > 0 else None
        next_month = self.months[index + 1] if index + 1 < len(self.months) else None
        return {
            "year": year, "month": month, "first": first,
            "weekdays": [(short[(first_weekday + n) % 7], wide[(first_weekday + n) % 7]) for n in range(7)],
            "weeks": [cells[i:i + 7] for i in range(0, len(cells), 7)],
            "count": sum(1 for c in cells if c and c["events"]),
            "prev": {"first": dt.date(*prev_month, 1), "url": self.url(self.month_rel(lang, *prev_month))} if prev_month else None,
            "next": {"first": dt.date(*next_month, 1), "url": self.url(self.month_rel(lang, *next_month))} if next_month else None,
        }

    # event pages -----------------------------------------------------------------------------
    def article_info(self, event: CalendarEvent) -> dict[str, Any]:
        """``article.calendar``: what the event block of the page shows beyond the event fields."""
        lang = event.language
        coming = [o for o in event.occurrences if o.days[-1] >= self.today]
        shown = coming[0] if coming else (event.occurrences[-1] if event.occurrences else None)
        rule = None
        if event.fields.get("repeat"):
            parts = recurrence.parse_repeat(event.fields["repeat"])
            rule = {"kind": "repeat", "freq": parts["FREQ"][0], "interval": parts.get("INTERVAL", [1])[0]}
        elif event.fields.get("lunar"):
            rule = {"kind": "lunar", "date": recurrence.lunar_day(recurrence.local_date(event.fields["start"]))}
        month = self.month_of(shown.days[0] if shown else self.today)
        return {
            "lunar": shown.lunar if shown else None,
            "ics_url": self.url(event.ics_rel) if event.ics_rel else None,
            "feed_url": self.url(self.rel(lang, "all.ics")),
            "calendar_url": self.url(self.rel(lang)),
            "month_url": self.url(self.month_rel(lang, *month)),
            "status": event.status,
            "rule": rule,
            "next": coming[:NEXT_DATES] if event.repeating else [],
            "jsonld": self.jsonld(event, shown),
        }

    def jsonld(self, event: CalendarEvent, shown: Occurrence | None) -> Markup:
        """schema.org Event of the page: its next occurrence (or last, when all are past)."""
        a, fields = event.article, event.fields
        start, end = (shown.start, shown.end) if shown else (fields["start"], fields["end"])
        place: dict[str, Any] = {"@type": "Place", "name": fields.get("location", "")}
        if fields.get("address"):
            place["address"] = {"@type": "PostalAddress", "streetAddress": fields["address"]}
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Event", "name": a.title,
            "startDate": iso(start), "endDate": iso(end),
            "eventStatus": SCHEMA_STATUS[event.status],
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": place, "inLanguage": event.language.hreflang, "url": event.public_url,
        }
        if getattr(a, "plain_summary", ""):
            data["description"] = a.plain_summary
        if getattr(a, "cover", None):
            data["image"] = [self.ml.absolute(a.cover)]
        organizer = fields.get("organizer") or (str(a.author) if getattr(a, "author", None) else "")
        if organizer:
            data["organizer"] = {"@type": "Organization", "name": organizer}
        return json_ld(data)

    # output ----------------------------------------------------------------------------------
    def generate_output(self, writer) -> None:
        # Nothing left: the pages and .ics files were queued in generate_context and made in the
        # multilingual generator's single parallel round (its generate_output runs before this).
        return

    def queue_pages(self) -> None:
        """Queue the calendar pages of every language with the multilingual generator."""
        writer = None  # write_page only queues; the multilingual generator writes
        ml = self.ml
        events_section = self.model.sections["events"]
        for lang in self.model.languages:
            code = lang.code
            cal_title = self.gettext(code, "Event calendar")
            section_crumb = (events_section.name(code), self.url(self.model.section_url("events", code)))
            cal_crumb = (cal_title, self.url(self.rel(lang)))
            links = self.links(lang)
            common = {"section": events_section, "calendar_links": links, "calendar_feed": links["feeds"][0][1]}
            versions = {c: self.rel(c) for c in self.model.by_code}
            view = ml.view(lang, self.rel(lang), cal_title, "", versions, crumbs=[section_crumb, cal_crumb],
                           kind="calendar")
            ml.write_page(writer, self.rel(lang), "calendar", view, versions,
                          months=self.by_month(lang, self.upcoming(code)), **common)
            past_title = self.gettext(code, "Past events")
            versions = {c: self.rel(c, "past/") for c in self.model.by_code}
            view = ml.view(lang, self.rel(lang, "past/"), past_title, "", versions,
                           crumbs=[section_crumb, cal_crumb, (past_title, self.url(self.rel(lang, "past/")))],
                           kind="calendar-past")
            ml.write_page(writer, self.rel(lang, "past/"), "calendar_past", view, versions,
                          months=self.by_month(lang, self.past(code)), **common)
            for year, month in self.months:
                grid = self.month_grid(lang, year, month)
                title = self.month_title(lang, grid["first"])
                rel = self.month_rel(lang, year, month)
                versions = {c: self.month_rel(c, year, month) for c in self.model.by_code}
                view = ml.view(lang, rel, f"{title} · {cal_title}", "", versions,
                               crumbs=[section_crumb, cal_crumb, (title, self.url(rel))], kind="calendar-month")
                ml.write_page(writer, rel, "calendar_month", view, versions, grid=grid, month_title=title, **common)

    def gettext(self, code: str, message: str) -> str:
        from jindallae import i18n

        if not hasattr(self, "_translations"):
            self._translations = i18n.load_translations(Path(self.settings["THEME"]), list(self.model.by_code),
                                                        self.model.default.code)
        return self._translations[code].gettext(message)

    def month_title(self, lang: Language, first: dt.date) -> str:
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", first, locale=lang.locale)

    def write_ics(self) -> None:
        """Queue one .ics per event (beside its page), per section and per language (RFC 5545)."""
        texts = self.get_template("partials/ics")
        vevents: dict[int, Any] = {}  # each VEVENT made once (ics.vevent_parts)
        for lang in self.model.languages:
            code = lang.code
            module = texts.make_module({"lang": code, "SITEURL": self.settings.get("SITEURL", "")})
            listed = [e for e in self.events[code] if e.uid]
            for event in listed:
                event.summary = _clean_text(str(module.summary(event.article, event.status)))
                event.description = _clean_text(str(module.description(event.article, event.fields, event.public_url)))
            site = lang.sitename
            cal_title = self.gettext(code, "Event calendar")
            for event in listed:
                self.write_calendar(event.ics_rel, [event], event.article.title, vevents)
            self.write_calendar(self.rel(lang, "all.ics"), listed, f"{site} · {cal_title}", vevents)
            for section in self.model.sections.values():
                chosen = [e for e in listed if e.article.section == section.key]
                if chosen:
                    self.write_calendar(self.rel(lang, f"{section.key}.ics"), chosen, f"{site} · {section.name(code)}",
                                        vevents)

    def write_calendar(self, rel: str, events: list[CalendarEvent], name: str,
                       vevents: dict[int, Any] | None = None) -> None:
        """Make the .ics now (the pages show its size) and queue writing it with the pages.
        Calendars are kept in ``.cache/ics/`` under :func:`ics.calendar_key`, so a build makes
        only those whose events changed (``vevents``: the build's memo of serialised VEVENTs,
        :func:`ics.vevent_parts`)."""
        cache_root = self.settings.get(CACHE_KEY)
        cached = Path(cache_root) / "ics" / f"{ics.calendar_key(events, name, self.lunar_limit)}.ics" \
            if cache_root else None
        if cached is not None and cached.is_file():
            data = cached.read_bytes()
        else:
            data = ics.calendar_bytes(events, name, self.lunar_limit, vevents)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(f".tmp-{os.getpid()}")
                tmp.write_bytes(data)
                os.replace(tmp, cached)
        self.ml.known_sizes[rel] = len(data)
        self.ml.queue_call(partial(self.write_file, rel, data))

    def write_file(self, rel: str, data: bytes) -> None:
        path = os.path.join(self.output_path, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fp:
            fp.write(data)


def _clean_text(text: str) -> str:
    """Template output as plain text: lines stripped, no runs of blank lines."""
    lines = [line.strip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def install_filters(generator) -> None:
    """Jinja filters for the calendar templates, in the page's language: ``month_title``
    (``2026年10月`` / ``2026년 10월``) and ``skeleton`` (any CLDR skeleton, e.g. ``MMMd``)."""
    from babel.dates import format_skeleton
    from jinja2 import pass_context

    from jindallae import i18n

    site = generator.settings.get(SITE_KEY)
    if site is None:
        return
    model = site.model

    def locale_of(ctx) -> str:
        return model.by_code[i18n.context_lang(ctx, model.default.code)].locale

    @pass_context
    def skeleton(ctx, value, fmt: str = "MMMd") -> str:
        if isinstance(value, dt.datetime):
            value = value.astimezone(ZoneInfo(generator.settings.get("TIMEZONE", "Asia/Shanghai"))).date()
        return format_skeleton(fmt, value, locale=locale_of(ctx))

    @pass_context
    def month_title(ctx, value) -> str:
        return format_skeleton("yMMMM", value, locale=locale_of(ctx))

    generator.env.filters.update({"skeleton": skeleton, "month_title": month_title})
