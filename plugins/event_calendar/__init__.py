"""event_calendar: the event calendar of the bilingual site.

Per language: the upcoming events (``/calendar/``), a month grid for every month that has events
(``/calendar/YYYY/MM/``, each day with its Chinese lunar date), the past events
(``/calendar/past/``) and a calendar block on the home page; an iCalendar (RFC 5545) file per
event beside its page, a feed of the whole site (``/calendar/all.ics``) and one per section
(``/calendar/<section>.ics``); schema.org Event JSON-LD on event pages.

Named ``event_calendar``, not ``calendar``: plugins/ is on ``sys.path`` and a package called
``calendar`` would shadow the standard library module.

``register()`` only connects signals: ``get_generators`` adds :class:`CalendarGenerator` (it runs
after the multilingual generator, whose page views and page writer it reuses, so list this plugin
after ``multilingual`` in PLUGINS); ``generator_init`` adds the calendar's Jinja filters.
Settings prefix: ``CALENDAR_``.
"""

from __future__ import annotations

from pelican import signals


def settings_schema():
    """``(prefix, {KEY: Option})``: this plugin's settings with defaults and checks."""
    from jindallae.settings import Option, positive_int

    return "CALENDAR_", {
        "CALENDAR_MONTHS_AHEAD": Option(12, positive_int,
                                        "Months after today that repeating events are shown for on the pages"),
        "CALENDAR_LUNAR_YEARS_AHEAD": Option(10, positive_int,
                                             "Years after today that an open-ended lunar rule is written out "
                                             "(as RDATEs) in the .ics files"),
        "CALENDAR_HOME_EVENTS": Option(4, positive_int, "Upcoming events in the home page's calendar block"),
    }


def get_generators(pelican):
    from .generator import CalendarGenerator

    return CalendarGenerator


def setup_environment(generator) -> None:
    from .generator import install_filters

    install_filters(generator)


def register() -> None:
    signals.generator_init.connect(setup_environment)
    signals.get_generators.connect(get_generators)
