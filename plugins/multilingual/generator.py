"""MultilingualGenerator: every page of the bilingual site, in one Pelican pass.

Per language: article pages, home, section indexes (paginated), tag index and tag pages,
archives, an Atom feed; for the whole site: sitemap.xml with ``xhtml:link`` alternates and a
404 page.  Translations are linked by (section, slug); a page without a translation links its
language switcher to the other language's section index, where a notice explains (I6).
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import re
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from jinja2 import TemplateNotFound, TemplateSyntaxError
from pelican.generators import Generator

from jindallae.build import OUTPUTS_KEY, SITE_KEY
from jindallae.dates import build_today
from jindallae.model import Language, as_datetime
from jindallae.slugs import slugify

logger = logging.getLogger("pelican.multilingual")  # collected by the build: errors fail it
PARALLEL_THRESHOLD = 400  # pages; below this, forking costs more than it saves
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass
class TagPage:
    """A tag in one language: its name, slug (unique within the language) and articles."""

    name: str
    slug: str
    url: str
    articles: list[Any] = field(default_factory=list)


def unique_tag_slugs(names: list[str], slug_of: Callable[[str], str] = slugify) -> dict[str, str]:
    """Slug each tag name (with ``slug_of``), keeping slugs distinct and non-empty (I8): a second tag
    with the same slug gets ``-2``, in sorted order of names so the result is stable across builds."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        base = slug_of(name) or "tag"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        out[name] = slug
    return out


def og_locale(lang: Language) -> str:
    """The Open Graph locale (``language_TERRITORY``) of a site language: its CLDR locale without
    the script (``zh_Hans_CN`` -> ``zh_CN``, ``ko_KR``); a locale without a territory gets
    Babel's likely one (``ko`` -> ``ko_KR``)."""
    from babel import Locale

    loc = Locale.parse(lang.locale)
    if not loc.territory:
        from babel.core import get_global

        likely = get_global("likely_subtags").get(loc.language)
        if likely:
            loc = Locale.parse(likely)
    return f"{loc.language}_{loc.territory}" if loc.territory else loc.language


class RelatedIndex:
    """The "related pages" of the pages of one language.

    ``related(a)`` lists the most shared tags first, then the same section, newest first (then by
    slug); never ``a`` itself, never a page with nothing in common (score ``2 × shared tags +
    same section`` is 0).  A bit set of page positions per tag and per section, with bit-sliced
    counters for the shared-tag counts, makes each lookup cost a few big-integer operations per
    tag of ``a`` instead of a pass over every page: a site of 20,000 pages spends milliseconds
    here, where comparing all pairs took time growing with the square of the site.
    """

    def __init__(self, pages: list[Any]):
        self.pages = sorted(pages, key=lambda o: (-o.date.timestamp(), o.slug, o.section))
        self.position = {id(o): i for i, o in enumerate(self.pages)}
        self.by_tag: dict[str, int] = defaultdict(int)
        self.by_section: dict[str, int] = defaultdict(int)
        for i, o in enumerate(self.pages):
            for name in {t.name for t in getattr(o, "tags", [])}:
                self.by_tag[name] |= 1 << i
            self.by_section[o.section] |= 1 << i
        self.everyone = (1 << len(self.pages)) - 1

    def related(self, a: Any, limit: int = 4) -> list[Any]:
        """Up to ``limit`` pages for ``a`` (a page of this index), best first."""
        tags = {t.name for t in getattr(a, "tags", [])}
        planes: list[int] = []  # planes[k]: the pages whose shared-tag count has bit k set
        for name in tags:
            carry = self.by_tag.get(name, 0)
            for k in range(len(planes)):
                planes[k], carry = planes[k] ^ carry, planes[k] & carry
                if not carry:
                    break
            if carry:
                planes.append(carry)
        others = self.everyone & ~(1 << self.position[id(a)])
        section = self.by_section.get(a.section, 0)
        out: list[Any] = []
        for shared in range(len(tags), -1, -1):
            exact = others
            for k, plane in enumerate(planes):
                exact &= plane if shared >> k & 1 else ~plane
            groups = (exact & section, exact & ~section) if shared else (exact & section,)
            for bits in groups:  # score 2·shared + 1, then 2·shared
                while bits and len(out) < limit:
                    low = bits & -bits
                    out.append(self.pages[low.bit_length() - 1])
                    bits ^= low
            if len(out) >= limit:
                break
        return out


class BodySpan:
    """A page template that notes where the page's body ended up in what it rendered, for
    :mod:`jindallae.body_patch`: ``embeds`` is ``[[source, start, end, "html"]]`` (character
    offsets), or ``[[source, None, None, "html"]]`` when the body is not found exactly once."""

    def __init__(self, template: Any, article: Any):
        self.template, self.article, self.embeds = template, article, []

    def render(self, context: dict[str, Any]) -> str:
        out = self.template.render(context)
        body = self.article.content  # what the template printed (pelican.contents.Content.content)
        start = out.find(body) if body else -1
        found = start >= 0 and out.find(body, start + 1) < 0
        self.embeds = [[self.article.item.path, start if found else None, start + len(body) if found else None, "html"]]
        return out


def body_shown_once(env: Any, name: str) -> bool:
    """True when the templates page ``name`` renders with (itself and what it extends, includes
    and imports, followed through Jinja's AST) read the page's body in one place only, as
    ``article.content``: the rest of the page then does not depend on the body, which a body
    patch relies on (:mod:`jindallae.body_patch`).  A name computed at render time: False."""
    from jinja2 import meta, nodes

    seen: set[str] = set()
    todo: list[str | None] = [name + ".html"]
    uses = 0
    while todo:
        current = todo.pop()
        if current is None:
            return False
        if current in seen:
            continue
        seen.add(current)
        ast = env.parse(env.loader.get_source(env, current)[0])
        for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
            attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if attr in ("content", "_content", "get_content"):
                if not (attr == "content" and isinstance(node.node, nodes.Name) and node.node.name == "article"):
                    return False
                uses += 1
        todo += list(meta.find_referenced_templates(ast))
    return uses == 1


class MultilingualGenerator(Generator):
    """Writes the per-language pages and the sitemap (see module docstring)."""

    def generate_context(self) -> None:
        site = self.settings[SITE_KEY]
        self.site = site
        self.model = site.model
        self.public_url = self.settings["JINDALLAE_PUBLIC_URL"]
        self.page_size = self.settings["MULTILINGUAL_PAGE_SIZE"]
        # og:image of pages without a cover, when the content has that file (it is copied as is)
        share = self.settings.get("MULTILINGUAL_SHARE_IMAGE", "").strip("/")
        found = share and (Path(self.settings["PATH"]) / share).is_file()
        self.share_image = self.absolute(share) if found else ""
        # Every page Pelican read, translations included, keyed by source path.
        articles = [a for a in self.context["generated_content"].values()
                    if getattr(a, "status", "") == "published" and getattr(a, "item", None) is not None]
        articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
        self.by_lang: dict[str, list[Any]] = {lang.code: [] for lang in self.model.languages}
        self.groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
        for a in articles:
            self.by_lang[a.lang].append(a)
            self.groups[(a.section, a.slug)][a.lang] = a
        self.tags: dict[str, dict[str, TagPage]] = {}
        for lang in self.model.languages:
            names = sorted({t.name for a in self.by_lang[lang.code] for t in getattr(a, "tags", [])})
            slugs = unique_tag_slugs(names, site.slug)
            self.tags[lang.code] = {n: TagPage(n, s, self.url(lang.url(f"tags/{s}/"))) for n, s in slugs.items()}
            for a in self.by_lang[lang.code]:
                for t in getattr(a, "tags", []):
                    self.tags[lang.code][t.name].articles.append(a)
        self.today = build_today(self.settings.get("TIMEZONE", "Asia/Shanghai"))
        self.identity = {lang.code: self.site_identity(lang) for lang in self.model.languages}
        self.og_locales = {lang.code: og_locale(lang) for lang in self.model.languages}
        self.navs = {lang.code: [{"key": s.key, "name": s.name(lang.code),
                                  "url": self.url(self.model.section_url(s.key, lang.code))}
                                 for s in self.model.sections.values()] for lang in self.model.languages}
        self.article_views: dict[str, dict[str, Any]] = {}
        self.known_sizes: dict[str, int] = {}  # site-relative path -> bytes, of files written later
        for a in articles:
            lang = self.model.by_code[a.lang]
            a.page_url = self.url(a.url)
            a.section_name = self.model.sections[a.section].name(a.lang)
            a.tag_links = [self.tags[a.lang][t.name] for t in getattr(a, "tags", [])]
            a.visit = a.item.fields.get("visit")  # a park's practical information (jindallae.model)
            versions = self.groups[(a.section, a.slug)]
            a.translation_links = [(self.model.by_code[code], v) for code, v in versions.items() if code != a.lang]
            # kept beside the page, not on it: a page's view is its own page's context only (what
            # a list shows of a page is digested with the page: jindallae.incremental)
            self.article_views[a.source_path] = self.view(
                lang, a.url, a.title, getattr(a, "plain_summary", ""),
                {code: v.url for code, v in versions.items()},
                crumbs=[(a.section_name, self.url(self.model.section_url(a.section, a.lang)))],
                missing_target={code: self.model.section_url(a.section, code) for code in self.model.by_code},
                kind="article",
            )
        self.related_index: dict[str, RelatedIndex] = {}
        for a in articles:
            a.related = self.related(a)
        self.context["multilingual"] = self
        self.sitemap: list[tuple[str, dict[str, str], str | None]] = []
        # Pages queued by write_page(), written together by run_jobs() in generate_output.  Other
        # plugins' generators (listed after this one) queue their pages in their generate_context,
        # so every page of the site is written in one parallel round.
        self.jobs: list[tuple[str, str, dict[str, Any]]] = []
        self.lookups: list[list[Any]] | None = None  # what the page being rendered looked up
        self.body_once: dict[str, bool] = {}  # template -> body_shown_once()

    # helpers ---------------------------------------------------------------------------------
    def related(self, a: Any, limit: int = 4) -> list[Any]:
        """Pages of the same language to show beside ``a`` (:class:`RelatedIndex`)."""
        if a.lang not in self.related_index:
            self.related_index[a.lang] = RelatedIndex(self.by_lang[a.lang])
        return self.related_index[a.lang].related(a, limit)

    def site_identity(self, lang: Language) -> dict[str, Any]:
        """The SITE_* settings (jindallae.settings.SITE_SCHEMA) for pages in ``lang``: texts in
        that language (or the default language's, marked with its ``lang``), image URLs.  A
        missing image file is a build error naming the setting."""
        s = self.settings
        zh = next((o for o in self.model.languages if o.code == "zh"), None)

        def text(value: Any) -> dict[str, str] | None:
            if not value:
                return None
            if isinstance(value, str):
                return {"text": value, "lang": ""}
            code = lang.code if lang.code in value else self.model.default.code if self.model.default.code in value \
                else next(iter(value))
            other = self.model.by_code.get(code)
            return {"text": value[code], "lang": other.hreflang if code != lang.code and other else ""}

        def image(key: str, path: str) -> str:
            theme = Path(s["THEME"]) / "static"
            found = (theme / path[len("theme/"):]).is_file() if path.startswith("theme/") \
                else (Path(s["PATH"]) / path).is_file()
            if not found:
                logger.error("settings: %s: the image %s is neither under content/ nor in the theme's static/ "
                             "folder (theme/...)", key, path)
            return self.url(path)

        chinese = zh.hreflang if zh and zh.code != lang.code else ""  # record numbers are Chinese
        out: dict[str, Any] = {"office": text(s.get("SITE_OFFICE")), "organizer": text(s.get("SITE_ORGANIZER")),
                               "operator": text(s.get("SITE_OPERATOR")), "record_lang": chinese,
                               "icp": s.get("SITE_ICP") or "", "gov_code": s.get("SITE_GOV_CODE") or ""}
        emblem = s.get("SITE_EMBLEM") or {}
        out["emblem"] = {"src": image("SITE_EMBLEM", emblem["image"]),
                         "alt": (text(emblem.get("alt")) or {"text": ""})["text"]} if emblem else None
        out["banner"] = image("SITE_BANNER", s["SITE_BANNER"]) if s.get("SITE_BANNER") else ""
        contact = s.get("SITE_CONTACT") or {}
        out["contact"] = {k: text(contact.get(k)) for k in ("phone", "email", "address") if contact.get(k)}
        if out["contact"].get("phone"):
            out["contact"]["tel"] = "tel:" + re.sub(r"[^0-9+]", "", out["contact"]["phone"]["text"])
        psb = s.get("SITE_PSB") or {}
        out["psb"] = {"number": psb["number"], "url": psb["url"],
                      "icon": image("SITE_PSB", psb.get("icon") or "theme/img/psb-icon.svg")} if psb else None
        badge = s.get("SITE_GOV_BADGE") or {}
        out["badge"] = {"src": image("SITE_GOV_BADGE", badge["image"]), "url": badge["url"],
                        "alt": (text(badge.get("alt")) or {"text": ""})["text"]} if badge else None
        return out

    def url(self, rel: str) -> str:
        """Root-relative (or SITEURL-prefixed) URL of a site-relative path."""
        return f"{self.settings.get('SITEURL', '')}/{rel}"

    def absolute(self, rel: str) -> str:
        return f"{self.public_url}/{rel}"

    def view(self, lang: Language, rel_url: str, title: str, description: str, versions: dict[str, str],
             crumbs: list[tuple[str, str]] = (), missing_target: dict[str, str] | None = None,
             kind: str = "page") -> dict[str, Any]:
        """The page-level template data: language, switcher, hreflang alternates, breadcrumbs.

        ``versions`` maps language code to the site-relative URL of each equivalent page;
        ``missing_target`` gives, per language, where the switcher goes when there is none.
        """
        alternates = []
        if len(versions) > 1:
            for other in self.model.languages:
                if other.code in versions:
                    alternates.append((other.hreflang, self.absolute(versions[other.code])))
            default = self.model.default.code
            if default in versions:
                alternates.append(("x-default", self.absolute(versions[default])))
        switcher = []
        for other in self.model.languages:
            if other.code in versions:
                target, available = versions[other.code], True
            elif missing_target and other.code in missing_target:
                target, available = missing_target[other.code] + "#no-translation", False
            else:
                # No listing that explains the missing version (the 404 page): the other
                # language's home page, which has no "#no-translation" notice to point at.
                target, available = other.url(""), False
            switcher.append({"code": other.code, "name": other.name, "hreflang": other.hreflang,
                             "url": self.url(target), "available": available, "current": other.code == lang.code})
        return {
            "lang": lang.code, "language": lang, "html_lang": lang.hreflang, "title": title,
            "description": description, "url": self.url(rel_url), "canonical": self.absolute(rel_url),
            "alternates": alternates, "switcher": switcher, "kind": kind,
            "breadcrumbs": [(None, self.url(lang.url("")))] + list(crumbs),
            "sitename": lang.sitename, "home_url": self.url(lang.url("")),
            "feed_url": self.url(lang.url("atom.xml")), "tags_url": self.url(lang.url("tags/")),
            "archives_url": self.url(lang.url("archives/")),
            # Open Graph (share previews): og:locale is language_TERRITORY (zh_CN, ko_KR)
            "og_locale": self.og_locales[lang.code], "share_image": self.share_image, "site": self.identity[lang.code],
            "og_locale_alternates": [self.og_locales[o.code] for o in self.model.languages
                                     if o.code != lang.code and o.code in versions],
            "nav": self.navs[lang.code],  # one list per language, shared by its pages (read only)
        }

    def write_page(self, writer, rel_url: str, template: str, view: dict[str, Any], versions: dict[str, str] | None,
                   **context: Any) -> None:
        """Write ``rel_url`` (a folder URL or a file name) and list it in the sitemap with its
        language ``versions`` (``None``: not in the sitemap)."""
        name = rel_url + "index.html" if rel_url.endswith("/") or rel_url == "" else rel_url
        self.jobs.append((name, template, dict(context, view=view, lang=view["lang"])))
        if versions is not None:
            article = context.get("article")
            lastmod = (getattr(article, "modified", None) or article.date).date().isoformat() if article else None
            self.sitemap.append((rel_url, versions, lastmod))

    def queue_call(self, make: Any) -> None:
        """Queue other output (``make()`` writes it, e.g. a .ics file) for the same parallel
        round as the pages."""
        self.jobs.append(("", make, {}))

    def run_jobs(self, writer) -> None:
        """Render the queued pages, on all cores: Jinja rendering is CPU-bound and the pages are
        independent, so forked workers each take a share (every ``n``-th page).

        With the build's output cache (``jindallae.incremental.OutputCache`` in the settings), a
        page whose key (its template and everything its context holds) and recorded lookups are
        those of the previous release is kept instead of rendered.  The workers compute the keys
        too (digesting the contexts is the larger part of a rebuild after a small change)."""
        jobs, self.jobs = self.jobs, []
        outputs = self.settings.get(OUTPUTS_KEY)
        pages = sum(1 for job in jobs if job[0])
        workers = min(os.cpu_count() or 1, 8) if pages >= PARALLEL_THRESHOLD else 1
        digest = None
        if outputs is not None:
            from jindallae.incremental import ContextDigest, TemplateKeys, tree_digest

            digest = ContextDigest()
            page_templates = {self.get_template(t).name: t for t in {job[1] for job in jobs if job[0]}}
            theme_templates = Path(self.settings["THEME"]) / "templates"
            keys = TemplateKeys(self.env, page_templates, lambda: tree_digest([theme_templates]))
            self.template_keys = {t: f"{t}\0{keys.key(name)}" for name, t in page_templates.items()}
            if workers > 1:  # what nearly every page's key reads, digested once before the fork
                digest.prime(self.context["generated_content"].values(), workers)
            for template in {job[1] for job in jobs if job[0] and "article" in job[2]}:
                self.body_patchable(template)  # once, before the fork
        if workers == 1:
            done, kept = self._write_share(writer, jobs, outputs, digest)
        else:
            self.compile_templates({job[1] for job in jobs if job[0]})  # once, not in every worker
            ctx = multiprocessing.get_context("fork")
            children = []
            for k in range(1, workers):
                receiver, sender = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=self._child, args=(writer, jobs[k::workers], outputs, digest, sender), daemon=True)
                proc.start()
                sender.close()
                children.append((proc, receiver))
            done, kept = self._write_share(writer, jobs[0::workers], outputs, digest)
            failures = []
            for proc, receiver in children:
                try:
                    failure, written, reused = receiver.recv()
                except EOFError:
                    failure, written, reused = "a page-writing worker died", [], []
                proc.join()
                if failure:
                    failures.append(failure)
                done += written
                kept += reused
            if failures:
                raise RuntimeError("writing pages failed:\n" + "\n".join(failures))
        if outputs is not None:
            for name in kept:
                outputs.kept(name)
            for name, key, lookups, embeds in done:
                outputs.record(name, key, lookups, embeds)

    def compile_templates(self, names: set[str]) -> None:
        """Load the page templates ``names`` and every other template of the environment (the
        partials they import), so that forked workers inherit them compiled."""
        for name in sorted(names):
            self.get_template(name)
        try:
            others = self.env.list_templates(extensions=["html"])
        except TypeError:  # a loader that cannot list its templates: they load when used
            return
        for name in others:
            try:
                self.env.get_template(name)
            except (TemplateNotFound, TemplateSyntaxError):  # reported if a page uses it
                continue

    def lookups_hold(self, lookups: list[list[Any]]) -> bool:
        """True when every file size a page showed when it was rendered is still the same
        (``[[site-relative path, bytes or None], ...]``, recorded by the ``filesize`` filter)."""
        from .environment import size_of

        return all(size_of(self.context, rel) == size for rel, size in lookups)

    def body_patchable(self, template: str) -> bool:
        """:func:`body_shown_once` of ``template``, worked out once per build."""
        if template not in self.body_once:
            self.body_once[template] = body_shown_once(self.env, template)
        return self.body_once[template]

    def _write_share(self, writer, jobs, outputs, digest) -> tuple[list[tuple[str, str, list[Any], list[Any]]], list[str]]:
        """Write ``jobs`` (or keep them, see :meth:`run_jobs`; ``digest``: the build's
        ``ContextDigest``, None without an output cache); returns ``(name, key, lookups, embeds)``
        of each page written (``embeds``: where its body is, :class:`BodySpan`) and the names of
        the pages kept."""
        done: list[tuple[str, str, list[Any]]] = []
        kept: list[str] = []
        for name, template, context in jobs:
            if not name:
                template()  # queued with queue_call
                continue
            key = ""
            if digest is not None:
                key = outputs.key(name, self.template_keys[template], digest.of(context))  # with its templates
                if outputs.reuse(name, key, self.lookups_hold):
                    kept.append(name)
                    continue
            self.lookups = []
            try:
                page = self.get_template(template)
                if outputs is not None and "article" in context and self.body_patchable(template):
                    page = BodySpan(page, context["article"])  # where its body is (body patches)
                writer.write_file(name, page, self.context, **context)
                done.append((name, key, self.lookups, page.embeds if isinstance(page, BodySpan) else []))
            finally:
                self.lookups = None
        return done, kept

    def _child(self, writer, jobs, outputs, digest, sender) -> None:
        try:
            written, kept = self._write_share(writer, jobs, outputs, digest)
            sender.send((None, written, kept))
        except BaseException:  # report to the parent, which fails the build
            sender.send((traceback.format_exc(), [], []))
        finally:
            sender.close()

    def upcoming(self, lang: str, limit: int | None = None) -> list[Any]:
        """Events (any page with an ``event`` block) not yet over, soonest first."""
        out = []
        for a in self.by_lang[lang]:
            event = getattr(a, "event", None)
            if event and as_datetime(event.get("end", event["start"])).date() >= self.today:
                out.append(a)
        out.sort(key=lambda a: (as_datetime(a.event["start"]), a.slug))
        return out[:limit] if limit else out

    # output ----------------------------------------------------------------------------------
    def generate_output(self, writer) -> None:
        for lang in self.model.languages:
            for a in self.by_lang[lang.code]:
                self.write_page(writer, a.url, "article", self.article_views[a.source_path],
                                {c: v.url for c, v in self.groups[(a.section, a.slug)].items()}, article=a)
            self.write_home(writer, lang)
            self.write_sections(writer, lang)
            self.write_tags(writer, lang)
            self.write_archives(writer, lang)
            self.write_feed(writer, lang)
        self.write_404(writer)
        self.run_jobs(writer)
        self.write_sitemap()

    def same_everywhere(self, path: str) -> dict[str, str]:
        return {lang.code: lang.url(path) for lang in self.model.languages}

    def write_home(self, writer, lang: Language) -> None:
        """The home page: upcoming events (the calendar's block when plugins/event_calendar is
        on), news, featured parks, and "more articles" — pages not already shown above, so
        nothing is listed twice."""
        code = lang.code
        calendar = self.context.get("event_calendar")
        block = calendar.home(code) if calendar is not None else None
        upcoming = [] if block else self.upcoming(code, 4)
        news = [a for a in self.by_lang[code] if a.section == "news"][:5]
        parks = [a for a in self.by_lang[code] if a.section == "parks"]
        featured = [a for a in parks if getattr(a, "featured", False)][:3] or parks[:3]
        shown = {id(o.article) for o in block["upcoming"]} if block else {id(a) for a in upcoming}
        shown |= {id(a) for a in news + featured}
        latest = [a for a in self.by_lang[code] if id(a) not in shown][:6]
        view = self.view(lang, lang.url(""), "", "", self.same_everywhere(""), kind="home")
        self.write_page(writer, lang.url(""), "home", view, self.same_everywhere(""), news=news, featured=featured,
                        upcoming=upcoming, calendar_block=block, latest=latest)

    def paginate(self, entries: list[Any]) -> list[list[Any]]:
        size = self.page_size
        return [entries[i:i + size] for i in range(0, len(entries), size)] or [[]]

    def write_sections(self, writer, lang: Language) -> None:
        code = lang.code
        for section in self.model.sections.values():
            entries = [a for a in self.by_lang[code] if a.section == section.key]
            if section.key == "events":
                upcoming = self.upcoming(code)
                entries = upcoming + [a for a in entries if a not in upcoming]
            pages = self.paginate(entries)
            name = section.name(code)
            for number, chunk in enumerate(pages, 1):
                rel = self.model.section_url(section.key, code) + ("" if number == 1 else f"page/{number}/")
                versions = {c: self.model.section_url(section.key, c) for c in self.model.by_code}
                first = self.url(self.model.section_url(section.key, code))
                view = self.view(lang, rel, name, "", versions, crumbs=[(name, first)],
                                 kind="section" if number == 1 else "paginated")
                self.write_page(writer, rel, "section", view, versions if number == 1 else None, section=section, section_name=name, entries=chunk,
                                  pagination=self.pagination(number, len(pages), self.model.section_url(section.key, code)))

    def pagination(self, number: int, total: int, base: str) -> dict[str, Any]:
        def page_url(n: int) -> str:
            return self.url(base if n == 1 else f"{base}page/{n}/")

        return {"number": number, "total": total,
                "prev": page_url(number - 1) if number > 1 else None,
                "next": page_url(number + 1) if number < total else None}

    def write_tags(self, writer, lang: Language) -> None:
        code = lang.code
        rel = lang.url("tags/")
        tags = sorted(self.tags[code].values(), key=lambda t: (-len(t.articles), t.slug))
        view = self.view(lang, rel, "", "", self.same_everywhere("tags/"), kind="tags")
        self.write_page(writer, rel, "tags", view, self.same_everywhere("tags/"), tags=tags)
        for tag in self.tags[code].values():
            tag_rel = lang.url(f"tags/{tag.slug}/")
            view = self.view(lang, tag_rel, tag.name, "", {code: tag_rel},
                             crumbs=[(None, self.url(rel)), (tag.name, tag.url)],
                             missing_target=self.same_everywhere("tags/"), kind="tag")
            self.write_page(writer, tag_rel, "tag", view, {code: tag_rel}, tag=tag, entries=tag.articles)

    def write_archives(self, writer, lang: Language) -> None:
        code = lang.code
        rel = lang.url("archives/")
        years: dict[int, list[Any]] = defaultdict(list)
        for a in self.by_lang[code]:
            years[a.date.year].append(a)
        view = self.view(lang, rel, "", "", self.same_everywhere("archives/"), kind="archives")
        self.write_page(writer, rel, "archives", view, self.same_everywhere("archives/"), years=sorted(years.items(), reverse=True))

    def write_feed(self, writer, lang: Language) -> None:
        """Atom feed of this language's pages only (I5), with absolute URLs."""
        context = dict(self.context, SITEURL=self.public_url, FEED_DOMAIN=self.public_url, SITENAME=lang.sitename)
        feed = writer.write_feed(self.by_lang[lang.code], context, None, url=lang.url("atom.xml"), feed_type="atom")
        # Pelican gives every feed the site root as its alternate link and id, so the Korean feed
        # claimed the Chinese home page and shared the Chinese feed's atom:id (RFC 4287 wants a
        # unique id per feed).  Use this language's home page for both.
        home = self.absolute(lang.url(""))
        feed.feed["link"] = feed.feed["id"] = home
        feed.feed["language"] = lang.hreflang  # <feed xml:lang="ko">
        if not self.by_lang[lang.code]:
            # feedgenerator dates an empty feed "now", so two builds of the same content differed;
            # the newest page of the site (or the build's day) dates it instead
            newest = max((a.date for pages in self.by_lang.values() for a in pages), default=None)
            stamp = newest or dt.datetime.combine(self.today, dt.time(), ZoneInfo(self.settings.get("TIMEZONE", "Asia/Shanghai")))
            feed.latest_post_date = lambda: stamp
        text = feed.writeString("utf-8")
        name = lang.url("atom.xml")
        outputs = self.settings.get(OUTPUTS_KEY)
        if outputs is not None:  # where each entry's body is (jindallae.body_patch)
            embeds, at, opening, closing = [], 0, '<content type="html">', "</content>"
            for a in self.by_lang[lang.code][: self.settings["FEED_MAX_ITEMS"]]:
                body = xml_escape(a.get_content(self.public_url))
                start = text.find(opening + body + closing, at)
                if start < 0:
                    embeds.append([a.item.path, None, None, "xml"])
                    continue
                start += len(opening)
                at = start + len(body)
                embeds.append([a.item.path, start, at, "xml"])
            outputs.embedded(name, embeds)
        path = os.path.join(self.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.write(text)

    def write_404(self, writer) -> None:
        """``404.html`` per language (``/404.html``, ``/ko/404.html``): the web server shows the
        one of the language folder asked for (``jindallae deploy --nginx-config``)."""
        versions = {lang.code: lang.url("404.html") for lang in self.model.languages}
        for lang in self.model.languages:
            rel = lang.url("404.html")
            view = self.view(lang, rel, "", "", versions, kind="404")
            self.write_page(writer, rel, "404", view, None)

    def write_sitemap(self) -> None:
        """sitemap.xml (sitemaps.org 0.9) with an ``xhtml:link`` per language version and
        x-default (Google's hreflang-in-sitemap convention, I7)."""
        seen: set[str] = set()
        rows = [f'<?xml version="1.0" encoding="UTF-8"?>',
                f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">']
        for rel, versions, lastmod in self.sitemap:
            if rel in seen:
                continue
            seen.add(rel)
            rows.append("<url>")
            rows.append(f"<loc>{xml_escape(self.absolute(rel))}</loc>")
            if lastmod:
                rows.append(f"<lastmod>{lastmod}</lastmod>")
            if len(versions) > 1:
                for lang in self.model.languages:
                    if lang.code in versions:
                        rows.append(f'<xhtml:link rel="alternate" hreflang="{lang.hreflang}" '
                                    f'href={quoteattr(self.absolute(versions[lang.code]))}/>')
                default = self.model.default.code
                if default in versions:
                    rows.append(f'<xhtml:link rel="alternate" hreflang="x-default" '
                                f'href={quoteattr(self.absolute(versions[default]))}/>')
            rows.append("</url>")
        rows.append("</urlset>\n")
        path = self.output_path + "/sitemap.xml"
        with open(path, "w", encoding="utf-8") as fp:
            fp.write("\n".join(rows))
