"""Which posters a site has, what goes on them, and making them (cached, in parallel).

Shared by the site build (:class:`generator.PostersGenerator`) and ``jindallae posters``: both
call :func:`plan` on the site's pages and :func:`make` on the jobs.

A poster is identified by the page (section, slug), its *variant* (a language code, or
``bilingual``) and its format.  Its files live in the cache under the hash of everything that
goes into it (:func:`digest`): unchanged input -> no work, only a hard link into the output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable

from .formats import DataError, Format, load_formats
from .layout import Template, load_templates
from .render import PosterError, PosterText

VERSION = "4"  # bump when the renderer's output changes: every cache key changes with it
BILINGUAL = "bilingual"
SUFFIXES = ("pdf", "png", "jpg", "json")  # print PDF, preview, page thumbnail, metadata
THUMB_WIDTH = 360  # px, the thumbnail on pages (the PNG preview is linked)


@dataclass
class Config:
    """The POSTERS_* settings and the theme's formats and templates."""

    formats: dict[str, Format]
    templates: dict[str, Template]
    default_formats: list[str]
    default_templates: dict[str, str]
    order: list[str]
    second_scale: float
    min_dpi: int
    cmyk: bool
    profile: str
    intent: str
    quality: int
    preview_height: int
    public_url: str
    timezone: str
    rich_black: tuple[float, float, float, float] | None = None  # fractions; None: black areas stay pure K
    rich_min_mm: float = 20.0
    logo: str | None = None  # file of the emblem/logo in the templates' logo box
    organizers: dict[str, dict[str, str]] = field(default_factory=dict)  # {lang: {host, organizer, support}}

    @classmethod
    def from_settings(cls, settings: dict[str, Any], cmyk: bool | None = None) -> "Config":
        """Read the settings and ``themes/<theme>/posters/``.  Raises :class:`DataError`."""
        folder = Path(settings["THEME"]) / "posters"
        formats = load_formats(folder / "formats.yaml", settings.get("POSTERS_DPI") or {},
                               bleed=settings["POSTERS_BLEED_MM"], slug=settings["POSTERS_SLUG_MM"])
        templates = load_templates(folder, formats, float(settings["POSTERS_BILINGUAL_SCALE"]))
        for name in settings["POSTERS_DEFAULT_FORMATS"]:
            if name not in formats:
                raise DataError("POSTERS_DEFAULT_FORMATS", name, f"no such format; formats: {', '.join(formats)}")
        for orientation, name in settings["POSTERS_TEMPLATES"].items():
            if name not in templates:
                raise DataError("POSTERS_TEMPLATES", orientation, f"no template {name!r} in {folder}")
        rich = settings.get("POSTERS_RICH_BLACK")
        logo = settings.get("POSTERS_LOGO")
        if logo is None:  # default: the theme's emblem, when it has one
            logo = str(folder / "logo.png") if (folder / "logo.png").is_file() else ""
        elif logo:
            found = [p for p in (Path(settings.get("PATH", "content")) / logo, folder / logo, Path(logo)) if p.is_file()]
            if not found:
                raise DataError("POSTERS_LOGO", logo, f"no such file in content/ or {folder}; give the emblem's "
                                                      "path (PNG or JPEG) or \"\" for none")
            logo = str(found[0])
        return cls(formats, templates, list(settings["POSTERS_DEFAULT_FORMATS"]), dict(settings["POSTERS_TEMPLATES"]),
                   list(settings["POSTERS_BILINGUAL_ORDER"]), float(settings["POSTERS_BILINGUAL_SCALE"]),
                   int(settings["POSTERS_MIN_IMAGE_DPI"]), settings["POSTERS_CMYK"] if cmyk is None else cmyk,
                   settings["POSTERS_CMYK_PROFILE"], settings["POSTERS_CMYK_INTENT"], settings["POSTERS_JPEG_QUALITY"],
                   settings["POSTERS_PREVIEW_HEIGHT"], settings["JINDALLAE_PUBLIC_URL"],
                   settings.get("TIMEZONE", "Asia/Shanghai"),
                   tuple(v / 100 for v in rich) if rich else None, float(settings.get("POSTERS_RICH_BLACK_MIN_MM", 20)),
                   logo or None, dict(settings.get("POSTERS_ORGANIZERS") or {}))


@dataclass
class Job:
    """One poster file set to make.  ``source``: content path of the page that asked for it
    (errors name it); ``out_dir``: site-relative folder of its files; ``stem``: file name
    without suffix; ``langs``: the languages on it, in order; ``sources``: content path of each
    language version whose texts are on it (an error in the Korean headline of a bilingual
    poster names the Korean file)."""

    section: str
    slug: str
    variant: str
    fmt: Format
    template: Template
    texts: list[PosterText]
    url: str
    image: str | None
    image_rel: str | None
    focus: tuple[float, float]
    source: str
    source_lang: str
    out_dir: str
    langs: tuple[str, ...]
    sources: dict[str, str] = field(default_factory=dict)
    digest: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    date: str = ""  # the page's date as a PDF date (D:YYYYMMDD), for CreationDate/ModDate

    @property
    def stem(self) -> str:
        return f"poster-{self.variant}-{self.fmt.key}"

    def files(self, cmyk: bool) -> dict[str, str]:
        """``{kind: site-relative path}`` of the files this job puts in the output."""
        out = {"pdf": f"{self.out_dir}{self.stem}.pdf", "png": f"{self.out_dir}{self.stem}.png",
               "jpg": f"{self.out_dir}{self.stem}.thumb.jpg"}
        if cmyk:
            out["cmyk"] = f"{self.out_dir}{self.stem}.cmyk.pdf"
        return out


@dataclass
class Problem:
    """An error or warning about one page's poster: ``path: field: message``."""

    source: str
    field: str
    message: str
    error: bool = True

    def line(self, prefix: str = "") -> str:
        path = f"{prefix}/{self.source}" if prefix else self.source
        return f"{path}: {self.field}: {self.message}"


MESSAGES = {
    "unknown_format": {
        "zh": "没有名为“{value}”的版式；可用版式：{choices}",
        "ko": "'{value}'(이)라는 판형이 없습니다. 쓸 수 있는 판형: {choices}",
        "en": "no format named '{value}'; formats: {choices}",
    },
    "unknown_template": {
        "zh": "没有名为“{value}”的模板；可用模板：{choices}",
        "ko": "'{value}'(이)라는 서식이 없습니다. 쓸 수 있는 서식: {choices}",
        "en": "no template named '{value}'; templates: {choices}",
    },
    "template_format": {
        "zh": "模板“{value}”不适用于版式 {format}（它适用于 {choices}）；请换模板或删去 template 字段",
        "ko": "서식 '{value}'은(는) 판형 {format}에 맞지 않습니다({choices}용). 서식을 바꾸거나 template 항목을 지우세요",
        "en": "template '{value}' does not suit format {format} (it is made for {choices}); choose another or remove template",
    },
    "translation_unpublished": {
        "zh": "双语海报要等本页的{other}版本发布后才会生成（它现在是 {status}）",
        "ko": "이중 언어 포스터는 이 페지의 {other} 판이 발행된 뒤에 만들어집니다(지금은 {status})",
        "en": "the bilingual poster will be made once the page's {other} version is published (it is {status} now)",
    },
    "no_translation": {
        "zh": "双语海报需要本页的{other}版本；请先添加译文，或从 language 中删去 bilingual",
        "ko": "이중 언어 포스터에는 이 페지의 {other} 판이 있어야 합니다. 번역을 먼저 추가하거나 language에서 bilingual을 지우세요",
        "en": "a bilingual poster needs the page's {other} version; add the translation first or remove bilingual from language",
    },
}


def message(code: str, lang: str, **kw: Any) -> str:
    """``local (english)`` from :data:`MESSAGES`."""
    texts = MESSAGES[code]
    local, english = texts.get(lang, texts["en"]).format(**kw), texts["en"].format(**kw)
    return local if local == english else f"{local} ({english})"


# ---------------------------------------------------------------------------------------------
# texts


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to 。！？ or . ! ? followed by a space), for a subline."""
    m = re.search(r"[。！？]|[.!?](?=\s)", text)
    return text[: m.end()].rstrip("。.") if m else text


def when_text(event: dict[str, Any], locale: str, tz: str) -> str:
    """The event's date (and times) for a poster, in ``locale``, with one weekday style
    throughout (CLDR skeleton ``yMMMEd`` and interval formats, via Babel):
    ``2027年8月15日周日``, ``2027年4月28日周三至5月3日周一``,
    ``2027年6月17日周四 上午9:30–下午4:30``, ``2027년 4월 28일 (수)~5월 3일 (월)``.
    Times are in the event's own time zone; a time never breaks from its 上午/오후 (no-break
    space)."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_interval, format_skeleton
    from babel.dates import format_time as _format_time

    start, end = event["start"], event.get("end", event["start"])
    zone = ZoneInfo(event.get("timezone") or tz)

    def format_time(value) -> str:  # "오후 5:00" never breaks inside: no-break space
        return _format_time(value, "short", locale=locale).replace(" ", "\u00a0").replace("\u202f", "\u00a0")

    timed = isinstance(start, dt.datetime)
    if timed:
        start, end = start.astimezone(zone), end.astimezone(zone)
    sday = start.date() if timed else start
    eday = end.date() if timed else end
    if not timed:
        if eday == sday:
            return format_skeleton("yMMMEd", sday, locale=locale)
        return format_interval(sday, eday, "yMMMEd", locale=locale)
    text = format_skeleton("yMMMEd", sday, locale=locale) + " " + format_time(start.timetz())
    if eday != sday:
        text += " – " + format_skeleton("MMMEd" if eday.year == sday.year else "yMMMEd", eday, locale=locale)
        text += " " + format_time(end.timetz())
    elif end != start:
        text += "–" + format_time(end.timetz())
    return text


ORGANIZER_LABELS = {  # the roles of the 主办/承办 lines, in poster order
    "host": {"zh": "主办", "ko": "주최"},
    "organizer": {"zh": "承办", "ko": "주관"},
    "support": {"zh": "协办", "ko": "후원"},
}


def organizer_lines(lang: str, host: str, site: dict[str, str] | None) -> list[str]:
    """The 主办/承办/协办 (주최/주관/후원) lines of a poster in ``lang``: the host is the page's
    (``event.organizer``, else its author) or else the site's; the other roles come from the
    site settings (POSTERS_ORGANIZERS[lang]), e.g. ``["主办：延边州人口计生委",
    "承办：延吉市人口文化促进会"]``."""
    site = site or {}
    names = {"host": host or site.get("host", ""), "organizer": site.get("organizer", ""),
             "support": site.get("support", "")}
    colon = "：" if lang.startswith("zh") else ": "
    return [f"{labels.get(lang[:2], labels['zh'])}{colon}{names[role]}"
            for role, labels in ORGANIZER_LABELS.items() if names[role]]


def poster_text(page: Any, lang: str, sitename: str, locale: str, tz: str,
                organizers: dict[str, str] | None = None) -> PosterText:
    """The texts of ``page`` (an object with ``fields``: the validated front matter) for its
    poster; ``organizers``: the site's 主办/承办 names in ``lang`` (POSTERS_ORGANIZERS)."""
    fields = page.fields
    block = fields.get("poster") or {}
    event = fields.get("event") or {}
    organizer = event.get("organizer") or fields.get("author") or ""
    return PosterText(
        lang=lang,
        headline=block.get("headline") or fields["title"],
        subline=block.get("subline") if "subline" in block else first_sentence(fields.get("summary", "")),
        points=list(block.get("points") or []),
        when=when_text(event, locale, tz) if event.get("start") else "",
        where=event.get("location", ""),
        organizer=organizer,
        sitename=sitename,
        organizers=organizer_lines(lang, event.get("organizer") or (organizers or {}).get("host") or fields.get("author") or "",
                                   organizers),
    )


# ---------------------------------------------------------------------------------------------
# planning


def plan(model: Any, root: Path, items: Iterable[Any], config: Config, only: set[str] | None = None,
         formats: set[str] | None = None, langs: set[str] | None = None) -> tuple[list[Job], list[Problem]]:
    """The poster jobs of the published pages among ``items`` (:class:`jindallae.model.Item`)
    and the problems found (unknown format or template, a bilingual poster without translation:
    an error; with a translation still in draft or review: a warning, the poster waits).

    ``only`` (slugs), ``formats`` (format keys) and ``langs`` (variants) narrow the jobs.
    """
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    pending: dict[tuple[str, str], dict[str, Any]] = {}  # versions in draft or review
    for item in items:
        (by_key if item.published else pending).setdefault(item.key, {})[item.lang] = item
    jobs: list[Job] = []
    problems: list[Problem] = []
    bilingual_done: set[tuple[str, str]] = set()
    for key in sorted(by_key):
        versions = by_key[key]
        for code in [lang.code for lang in model.languages if lang.code in versions]:
            item = versions[code]
            block = item.fields.get("poster")
            if block is None:
                continue
            if only and item.slug not in only:
                continue
            for variant in block.get("language") or [code]:
                if variant == BILINGUAL:
                    if key in bilingual_done:
                        continue
                    bilingual_done.add(key)
                    order = [c for c in config.order if c in model.by_code] or [lang.code for lang in model.languages]
                    others = [c for c in order if c != code]
                    missing = [c for c in others[:1] if c not in versions]
                    if missing:
                        waiting = pending.get(key, {}).get(missing[0])
                        if waiting is not None:
                            problems.append(Problem(item.path, "poster.language", message(
                                "translation_unpublished", code, other=model.by_code[missing[0]].name,
                                status=waiting.status), error=False))
                        else:
                            problems.append(Problem(item.path, "poster.language", message(
                                "no_translation", code, other=model.by_code[missing[0]].name)))
                        continue
                    pair = [c for c in order if c in (code, others[0])][:2]
                    wanted = _bilingual_formats(block, versions[others[0]], config, problems)
                else:
                    pair = [code]
                    wanted = None
                if langs and variant not in langs:
                    continue
                jobs += _jobs_for(model, root, item, versions, variant, pair,
                                  dict(block, formats=wanted) if wanted else block, config, formats, problems)
    return jobs, problems


def _bilingual_formats(block: dict[str, Any], other: Any, config: Config, problems: list[Problem]) -> list[str]:
    """The formats of a bilingual poster: those of ``block`` (the version planned first) and,
    when the ``other`` language version asks for the bilingual poster too, its formats after
    them (one bilingual poster per page, in every format either version asks for).  An unknown
    format only the other version's bilingual request names is reported on its file."""
    wanted = list(block.get("formats") or config.default_formats)
    oblock = other.fields.get("poster")
    if oblock is None or BILINGUAL not in (oblock.get("language") or []):
        return wanted
    for name in oblock.get("formats") or config.default_formats:
        if name in wanted:
            continue
        if name in config.formats:
            wanted.append(name)
        elif other.lang not in (oblock.get("language") or []):  # else its own poster reports it
            problems.append(Problem(other.path, "poster.formats", message(
                "unknown_format", other.lang, value=name, choices=", ".join(config.formats))))
    return wanted


def _jobs_for(model, root, item, versions, variant, pair, block, config: Config, only_formats, problems) -> list[Job]:
    out = []
    names = block.get("formats") or config.default_formats
    texts = [poster_text(versions[c], c, model.by_code[c].sitename, model.by_code[c].locale, config.timezone,
                         config.organizers.get(c))
             for c in pair]
    url_page = versions[pair[0]]
    url = f"{config.public_url}/{model.article_url(url_page.section, url_page.slug, url_page.lang)}"
    image_rel = block.get("image") or item.fields.get("cover")
    for name in names:
        if name not in config.formats:
            problems.append(Problem(item.path, "poster.formats", message(
                "unknown_format", item.lang, value=name, choices=", ".join(config.formats))))
            continue
        if only_formats and name not in only_formats:
            continue
        fmt = config.formats[name]
        tname = block.get("template") or config.default_templates.get(fmt.orientation, "")
        if tname not in config.templates:
            problems.append(Problem(item.path, "poster.template", message(
                "unknown_template", item.lang, value=tname, choices=", ".join(config.templates))))
            break
        template = config.templates[tname]
        if name not in template.formats:
            problems.append(Problem(item.path, "poster.template", message(
                "template_format", item.lang, value=tname, format=name, choices=", ".join(template.formats))))
            continue
        out_dir = model.article_url(item.section, item.slug, model.default.code if variant == BILINGUAL else variant)
        job = Job(item.section, item.slug, variant, fmt, template, texts, url,
                  str(root / image_rel) if image_rel else None, image_rel, tuple(block.get("focus") or (0.5, 0.5)),
                  item.path, item.lang, out_dir, tuple(pair), {c: versions[c].path for c in pair})
        date = item.fields.get("date")
        job.date = f"D:{date.strftime('%Y%m%d')}000000Z" if hasattr(date, "strftime") else ""
        job.digest = digest(job, config)
        out.append(job)
    return out


def _file_hash(path: str | None) -> str:
    if not path:
        return ""
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _font_identity(template: Template, langs: tuple[str, ...]) -> str:
    """Which font files (path, size, mtime) the template's text uses in ``langs``."""
    from .fonts import FontNotFound, find_face

    parts = []
    for e in template.elements:
        if e.kind != "text":
            continue
        for lang in langs:
            try:
                face = find_face(lang, e.family, e.weight)
                st = os.stat(face.path)
                parts.append(f"{face.path}:{face.index}:{st.st_size}:{st.st_mtime_ns}")
            except (FontNotFound, OSError):
                parts.append(f"{lang}:{e.family}:{e.weight}:none")
    return "|".join(sorted(set(parts)))


def digest(job: Job, config: Config) -> str:
    """Hash of every input of ``job``: texts, picture bytes, focus, format, template file, the
    theme's word list (posters/words.txt), fonts,
    settings that change the output, the renderer version; the picture's path as written too,
    since messages (cached with the files) name it."""
    h = hashlib.sha1()
    for part in (VERSION, repr(job.fmt), job.template.digest, _file_hash(str(job.template.path.parent / "words.txt")),
                 repr(job.texts), job.url, _file_hash(job.image), job.image_rel or "",
                 repr(job.focus), repr((config.second_scale, config.min_dpi, config.quality, config.preview_height)),
                 repr((config.cmyk, _file_hash(config.profile) if config.cmyk else "", config.intent,
                       config.rich_black, config.rich_min_mm)),
                 _file_hash(config.logo), job.date,
                 _font_identity(job.template, job.langs)):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# making


def render_job(job: Job, config: Config, cache: Path) -> dict[str, Any]:
    """Render ``job`` into ``cache/<digest>.*`` (atomic renames); return its metadata:
    ``{"warnings": [{lang: text}], "image_dpi", "preview": [w, h], "thumb": [w, h], "qr": ...}``
    or ``{"error": {"field", "messages", "lang"}}`` (also for an unexpected exception while
    drawing: the page's error, never a traceback).  Never leaves a half-written file under the
    final name."""
    from PIL import Image

    from . import cmyk as cmyk_mod
    from .pdf import write_pdf
    from .render import preview, render

    base = cache / job.digest
    tmp = lambda suffix: base.with_name(f".{base.name}.{os.getpid()}.{suffix}")  # noqa: E731
    try:
        scene = render(job.fmt, job.template, job.texts, job.url, job.image, job.focus, config.second_scale,
                       min(config.min_dpi, job.fmt.dpi), job.image_rel, config.logo)
        title = " / ".join(t.headline for t in job.texts)
        if config.cmyk:
            write_pdf(tmp("cmyk.pdf"), scene, title, config.quality, cmyk={
                "profile": config.profile, "intent": config.intent, "name": cmyk_mod.profile_name(config.profile),
                "rich_black": config.rich_black, "rich_min_px": job.fmt.px(config.rich_min_mm)}, date=job.date or None)
        write_pdf(tmp("pdf"), scene, title, config.quality, date=job.date or None)
        small = preview(scene, config.preview_height)
    except PosterError as exc:
        return {"error": {"field": exc.field, "messages": exc.messages, "lang": exc.lang}}
    except Exception as exc:  # noqa: BLE001 - a renderer or template bug: this page's error, not a traceback
        what = f"{type(exc).__name__}: {exc}"
        return {"error": {"field": "poster", "lang": None, "messages": {
            "zh": f"无法绘制 {job.fmt.key} 海报（模板 {job.template.name}；{what}）；这是模板或程序的问题，请连同本页报告",
            "ko": f"{job.fmt.key} 포스터를 그릴 수 없습니다(서식 {job.template.name}, {what}). 서식이나 프로그램의 문제이니 "
                  f"이 페지와 함께 알려 주세요",
            "en": f"the {job.fmt.key} poster could not be drawn (template {job.template.name}; {what}); a template "
                  f"or renderer bug: please report it with this page"}}}
    small.save(tmp("png"), "PNG", compress_level=6)
    thumb = small.resize((THUMB_WIDTH, max(1, round(small.height * THUMB_WIDTH / small.width))), Image.LANCZOS)
    thumb.save(tmp("jpg"), "JPEG", quality=82, optimize=True, progressive=True)
    meta = {
        "warnings": [w.messages for w in scene.warnings],
        "image_dpi": scene.image_dpi,
        "preview": list(small.size),
        "thumb": list(thumb.size),
        "qr": {"box": scene.qr_box, "modules": scene.qr_modules, "module_px": scene.qr_module_px},
        "text_boxes": scene.text_boxes,
        "sizes_mm": scene.sizes,
    }
    tmp("json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    suffixes = ["pdf", "png", "jpg"] + (["cmyk.pdf"] if config.cmyk else []) + ["json"]  # json last: marks complete
    for suffix in suffixes:
        os.replace(tmp(suffix), base.with_name(f"{base.name}.{suffix}"))
    return meta


def _render_one(args: tuple) -> dict[str, Any]:
    return render_job(*args)


def cached(job: Job, config: Config, cache: Path) -> dict[str, Any] | None:
    """The metadata of ``job`` when its files are complete in ``cache``, else ``None``."""
    meta = cache / f"{job.digest}.json"
    if not meta.is_file():
        return None
    needed = ["pdf", "png", "jpg"] + (["cmyk.pdf"] if config.cmyk else [])
    if not all((cache / f"{job.digest}.{s}").is_file() for s in needed):
        return None
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def warm_up(jobs: list[Job], config: Config) -> None:
    """Load once what every poster of ``jobs`` needs, before the worker processes are forked
    (they share it): the word-segmentation dictionary, the fonts' faces, character maps, CFF
    tables and HarfBuzz fonts, and the CMYK transform.  Errors are left for the render to
    report."""
    from .cff import CFFError, load
    from .fonts import FontNotFound, _cmap, em_box, find_face
    from .text import _hb_font, break_opportunities, word_boundaries

    break_opportunities("长白山（人口）文化节 2027 행복한 가정", "zh")  # UAX #14 tables, regexes
    seen: set[tuple[str, str, str]] = set()
    for job in jobs:
        words = job.template.path.parent / "words.txt"
        word_boundaries("长白山", str(words) if words.is_file() else None)
        for e in job.template.elements:
            for lang in job.langs:
                if e.kind != "text" or (lang, e.family, e.weight) in seen:
                    continue
                seen.add((lang, e.family, e.weight))
                try:
                    face = find_face(lang, e.family, e.weight)
                    _cmap(face.path, face.index)
                    em_box(face)
                    load(face.path, face.index)
                    _hb_font(face.path, face.index)
                except (FontNotFound, CFFError, OSError, ValueError):
                    continue
    if config.cmyk and jobs:
        from . import cmyk

        try:
            cmyk.profile_name(config.profile)
            cmyk.colour("#808080", config.profile, config.intent)
        except cmyk.ProfileError:
            pass


def make(jobs: list[Job], config: Config, cache: Path, progress: Callable[[int], None] | None = None,
         force: bool = False, workers: int | None = None) -> int:
    """Make every job's files in ``cache`` unless they are there already (``force``: always);
    set ``job.result``.  Jobs are rendered on all cores (a process pool, forked) when more
    than one needs it.  Returns the number of posters rendered."""
    cache.mkdir(parents=True, exist_ok=True)
    todo: dict[str, list[Job]] = {}
    for job in jobs:
        hit = None if force else cached(job, config, cache)
        if hit is not None:
            job.result = hit
            if progress:
                progress(1)
        else:
            todo.setdefault(job.digest, []).append(job)
    first = [group[0] for group in todo.values()]
    if first:
        warm_up(first, config)
    workers = min(workers or os.cpu_count() or 1, len(first))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            results = pool.map(_render_one, [(job, config, cache) for job in first])
            for job, result in zip(first, results):
                for same in todo[job.digest]:
                    same.result = result
                if progress:
                    progress(len(todo[job.digest]))
    else:
        for job in first:
            result = render_job(job, config, cache)
            for same in todo[job.digest]:
                same.result = result
            if progress:
                progress(len(todo[job.digest]))
    return len(first)


def link_files(job: Job, config: Config, cache: Path, output: Path) -> list[Path]:
    """Hard-link (or copy) ``job``'s cached files to their places under ``output``."""
    import shutil

    written = []
    suffix_of = {"pdf": "pdf", "png": "png", "jpg": "jpg", "cmyk": "cmyk.pdf"}
    for kind, rel in job.files(config.cmyk).items():
        target = output / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        source = cache / f"{job.digest}.{suffix_of[kind]}"
        if target.exists():
            target.unlink()
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        written.append(target)
    return written


def problems_of(jobs: list[Job]) -> list[Problem]:
    """Errors and warnings from the jobs' results, in the language of the page that asked."""
    out = []
    for job in jobs:
        error = job.result.get("error")
        if error:
            msgs = error["messages"]
            # the file whose text it is (a bilingual poster's other language), in its language
            lang = error.get("lang") if error.get("lang") in job.sources else job.source_lang
            source = job.sources.get(lang, job.source)
            local, english = msgs.get(lang, msgs["en"]), msgs["en"]
            text = local if local == english else f"{local} ({english})"
            out.append(Problem(source, error["field"], text))
        for w in job.result.get("warnings", []):
            local, english = w.get(job.source_lang, w["en"]), w["en"]
            out.append(Problem(job.source, "poster.image", local if local == english else f"{local} ({english})",
                               error=False))
    seen, unique = set(), []
    for p in out:  # one message per page and text (a bilingual poster's problem once)
        if (p.source, p.field, p.message) not in seen:
            seen.add((p.source, p.field, p.message))
            unique.append(p)
    return unique


# ---------------------------------------------------------------------------------------------
# checking without drawing (``jindallae check``)


def preflight(job: Job, pictures: dict[str, dict[str, Any] | None] | None = None) -> list[dict[str, Any]]:
    """The errors a render of ``job`` would stop at, found without drawing it: a picture that
    cannot be read (missing, corrupt, a decompression bomb) and characters the template's fonts
    cannot draw (the same coverage test as :func:`plugins.posters.fonts.check_coverage`).
    Each error is ``{"field", "messages": {zh, ko, en}, "lang"}`` like a render's
    ``result["error"]``; ``lang`` is the language whose text it is.  Text that does not fit its
    box is found only by rendering (``jindallae posters`` or the build).

    ``pictures``: a dict shared between calls so each picture is decoded once per run
    (path → error or ``None``)."""
    from .fonts import FontNotFound, MissingGlyphs, find_face, missing_characters
    from .render import PosterError, element_text, open_image

    errors: list[dict[str, Any]] = []
    pictures = {} if pictures is None else pictures
    if job.image:
        if job.image not in pictures:
            try:
                open_image(job.image, label=job.image_rel, reduced=True).close()
                pictures[job.image] = None
            except PosterError as exc:
                pictures[job.image] = {"field": exc.field, "messages": exc.messages, "lang": None}
        if pictures[job.image]:
            errors.append(pictures[job.image])
    captions = job.template.texts.get("qr_caption", {})
    for element in job.template.elements:
        if element.kind != "text":
            continue
        for t in job.texts:
            value = element_text(element, t, captions)
            try:
                face = find_face(t.lang, element.family, element.weight)
            except FontNotFound as exc:
                errors.append({"field": f"poster.{element.field}", "lang": t.lang,
                               "messages": {code: exc.message(code) for code in ("zh", "ko", "en")}})
                continue
            missing = missing_characters(value, face)
            if missing:
                exc = MissingGlyphs(missing, f"poster.{element.field}", face.family)
                errors.append({"field": f"poster.{element.field}", "lang": t.lang,
                               "messages": {code: exc.message(code) for code in ("zh", "ko", "en")}})
    unique, seen = [], set()
    for e in errors:  # one report per field and language, whichever elements show it
        key = (e["field"], e["lang"], e["messages"]["en"])
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique
