"""Jinja environment additions: gettext per page language and Babel date/time filters."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from markupsafe import Markup, escape

from jindallae import dates, i18n
from jindallae.build import CACHE_KEY, SITE_KEY
from jindallae.model import as_datetime


def setup(generator) -> None:
    """Install into ``generator.env``: ``_``/``gettext``/``ngettext`` in the page's language,
    filters ``date`` (CLDR long date), ``time``, ``iso`` (ISO 8601) and ``event_when``."""
    settings = generator.settings
    site = settings.get(SITE_KEY)
    if site is None:
        return
    model = site.model
    default = model.default.code
    # One build, one reading of the catalogues (every generator gets its own Jinja environment);
    # the build's context dict is shared by all generators and lives as long as the build.
    catalogues = generator.context.setdefault("jindallae_catalogues", {})
    if "ui" not in catalogues:
        catalogues["ui"] = i18n.load_translations(Path(settings["THEME"]), list(model.by_code), default)
    translations = catalogues["ui"]
    cache_root = settings.get(CACHE_KEY)
    if cache_root:  # compiled templates kept between builds (keyed by each template's source)
        from jinja2 import FileSystemBytecodeCache

        folder = Path(cache_root) / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        generator.env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    i18n.install(generator.env, translations, default)
    tz = settings.get("TIMEZONE", "Asia/Shanghai")

    def locale_of(ctx) -> str:
        return model.by_code[i18n.context_lang(ctx, default)].locale

    formatted: dict[tuple, str] = {}  # this build's memo: Babel formatting costs ~50 µs a call

    @pass_context
    def date_filter(ctx, value, fmt: str = "long") -> str:
        if not value:
            return ""
        key = (value, locale_of(ctx), fmt)
        if key not in formatted:
            formatted[key] = dates.format_date(value, key[1], fmt, tz)
        return formatted[key]

    @pass_context
    def time_filter(ctx, value, fmt: str = "short") -> str:
        return dates.format_time(value, locale_of(ctx), fmt, tz)

    def iso(value) -> str:
        return value.isoformat() if value else ""

    @pass_context
    def event_when(ctx, event) -> Markup:
        """'2026年8月15日 上午9:30 – 下午4:00' style range for an event block, in the event's own
        time zone (``event.timezone``, default the site's), named when it is not the site's.
        A date, a time, or a same-day range of times is one unbreakable ``<span class="nobr">``:
        UAX #14 allows a break after an en dash, at the space in "오후 5:00" and inside "星期四",
        which left a lone "16:30", "5:00" or "四" on the next line of a phone screen; a range of
        days breaks only after its dash."""
        import datetime as dt

        from babel.dates import get_timezone_name  # CLDR zone names ("韩国时间", "한국 시간")

        def nobr(text: str) -> Markup:
            return Markup('<span class="nobr">%s</span>') % text

        start, end = event["start"], event.get("end", event["start"])
        zone = event.get("timezone") or tz
        loc = locale_of(ctx)
        timed = isinstance(start, dt.datetime)
        text = nobr(dates.format_date(start, loc, "full", zone))
        times = dates.format_time(start, loc, "short", zone) if timed else ""
        if as_datetime(end, zone).astimezone(ZoneInfo(zone)).date() != as_datetime(start, zone).astimezone(ZoneInfo(zone)).date():
            if times:
                text += "\u00a0" + nobr(times)
            text += "\u00a0– " + nobr(dates.format_date(end, loc, "full", zone))  # no line starts with the dash
            if isinstance(end, dt.datetime):
                text += "\u00a0" + nobr(dates.format_time(end, loc, "short", zone))
        else:
            if isinstance(end, dt.datetime) and end != start:
                times += "\u00a0–\u00a0" + dates.format_time(end, loc, "short", zone)
            if times:
                text += "\u00a0" + nobr(times)
        if timed and zone != tz:
            text += f" ({get_timezone_name(ZoneInfo(zone), 'long', locale=loc)})"
        return Markup(text)

    siteurl = settings.get("SITEURL", "")
    sizes: dict[str, int | None] = {}

    @pass_context
    def filesize(ctx, url: str) -> str:
        """The size of the file at ``url`` (this site's) as "1.2 MB" / "35 KB" (a no-break space
        before the unit: "1" alone at a line's end reads as nothing), or "" when it
        is not known: a file already in the output, a file another generator announced in
        ``multilingual.known_sizes`` (the .ics files) or a poster in the posters' cache."""
        rel = url[len(siteurl):] if siteurl and url.startswith(siteurl) else url
        rel = rel.lstrip("/")
        if rel not in sizes:
            sizes[rel] = size_of(ctx, rel)
        n = sizes[rel]
        ml = ctx.get("multilingual")
        if ml is not None and ml.lookups is not None:  # a dependency of the page (incremental builds)
            ml.lookups.append([rel, n])
        if n is None:
            return ""
        if n < 1024 * 1024:
            return f"{max(1, round(n / 1024))}\u00a0KB"
        return f"{n / 1024 / 1024:.1f}\u00a0MB"

    generator.env.filters.update({"date": date_filter, "time": time_filter, "iso": iso, "event_when": event_when,
                                  "filesize": filesize})

    fragments: dict[tuple, Markup] = {}  # this build's memo

    @pass_context
    def include_per_language(ctx, name: str) -> Markup:
        """``{% include name %}`` for a partial that depends only on the page's language and the
        site identity (``view.site``, ``view.sitename``): rendered once per language in a build,
        then the same text on every page (the footer's records run on every one of them)."""
        view = ctx.get("view") or {}
        key = (name, i18n.context_lang(ctx, default), id(view.get("site")), view.get("sitename"))
        if key not in fragments:
            fragments[key] = Markup(ctx.environment.get_template(name).render(ctx.get_all()))
        return fragments[key]

    generator.env.globals["include_per_language"] = include_per_language


def size_of(ctx, rel: str) -> int | None:
    """The size in bytes of the site file ``rel`` (site-relative) as far as this build knows it
    yet, or None; ``ctx``: the template context (``multilingual``, ``posters``)."""
    import os

    ml = ctx.get("multilingual")
    if ml is not None:
        if rel in ml.known_sizes:
            return ml.known_sizes[rel]
        path = os.path.join(ml.output_path, rel)
        if os.path.isfile(path):
            return os.path.getsize(path)
    posters = ctx.get("posters")  # plugins/posters: its files are linked from its cache later
    if posters is not None:
        index = getattr(posters, "_file_index", None)
        if index is None:
            suffix = {"pdf": "pdf", "png": "png", "jpg": "jpg", "cmyk": "cmyk.pdf"}
            index = {path: Path(posters.cache) / f"{job.digest}.{suffix[kind]}"
                     for job in getattr(posters, "jobs", []) for kind, path in job.files(posters.config.cmyk).items()}
            posters._file_index = index
        cached = index.get(rel)
        if cached is not None and cached.is_file():
            return cached.stat().st_size
    return None
