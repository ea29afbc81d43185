"""The one rule for link and image targets, shared by the build and ``jindallae check``.

Both read the links of a page from its source (:func:`jindallae.checks.scan.scan_body`: inline
links and images, reference definitions, autolinks, raw ``<a href>``/``<img src>``), judge each
with :meth:`LinkTargets.judge` and report the problems as findings of the catalogue
(:data:`jindallae.checks.catalogue.CHECKS`, the one severity table): so the build lists exactly
the missing targets ``check`` reports, with the same check id, severity and message.

What a URL is judged as (``LinkTargets.judge``):

* a content reference (``../policy/x.zh.md``, ``images/a.jpg``): resolved by the renderer's own
  rule, :func:`jindallae.markup.resolve_reference` (relative to the page, then to content/),
  against the published pages and the files under images/ and files/ (a draft page: against
  every page).  Nothing there: ``link-broken`` (``image-missing`` for a picture); only an
  unpublished page there: ``link-unpublished``;
* a URL of this site (``/policy/x/``, ``/ko/...``, the public URL ``https://.../policy/x/``):
  judged against the pages the build writes (articles, sections, tags, archives, feeds, files);
  when the site lives under a sub-path (``SITEURL`` or ``JINDALLAE_PUBLIC_URL`` ending in
  ``/zt/rkwh``), only URLs under it are ours: ``/xxgk/...`` is another page of the same host and
  is listed with the external links;
* anything else with a scheme or ``//host``: external, listed (``check --links``), never fetched;
  ``mailto:``, ``tel:``, ``data:`` and ``#fragment`` are not judged.

Kept free of heavy imports: the build loads it for every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable
from urllib.parse import unquote, urlsplit

from jindallae.markup import is_content_reference, resolve_reference

from .report import Finding, make_finding

if TYPE_CHECKING:
    from jindallae.model import Item, Model

    from .scan import Link, Scan

STATIC_DIRS = ("images", "files")


@dataclass(frozen=True)
class Target:
    """What one link leads to.  ``state`` is ``ok``, ``missing``, ``unpublished``, ``external``
    or ``skip``; ``path`` the content path it resolves to (a page, or a file under images/ or
    files/), ``item`` the unpublished page (state ``unpublished``)."""

    state: str
    path: str | None = None
    item: Any = None

    def check(self, kind: str) -> str | None:
        """The check id of a problem (``link-broken``, ``image-missing``, ``link-unpublished``),
        ``None`` when the link is fine or not judged."""
        if self.state == "missing":
            return "image-missing" if kind == "image" else "link-broken"
        if self.state == "unpublished":
            return "link-unpublished"
        return None


def url_map(model: "Model", root, pages: Iterable[tuple[str, str, str, str]], siteurl: str = "") -> dict[str, str]:
    """Content paths -> site URLs: the pages ``(path, section, slug, lang)`` and the files under
    images/ and files/ (:func:`jindallae.site.build_url_map`, the build's own map)."""
    from jindallae.site import build_url_map

    return build_url_map(model, root, list(pages), siteurl)


class LinkTargets:
    """Every target a link can have on one site: built once from all pages ``items`` (published or
    not) of the content folder ``root``; ``siteurl`` and ``public_url`` tell which absolute and
    root-relative URLs are the site's own; ``slug``: the slug function for tags (default
    :func:`jindallae.slugs.slugify`; the build passes its memo, ``Site.slug``)."""

    def __init__(self, model: "Model", root, items: Iterable["Item"], siteurl: str = "", public_url: str = "",
                 slug: "Callable[[str], str] | None" = None):
        self.model, self.root = model, root
        self.slug = slug
        self.items = {i.path: i for i in items}
        pub = [(i.path, i.section, i.slug, i.lang) for i in self.items.values() if i.published]
        self.published = url_map(model, root, pub)
        self.all = dict(self.published)
        for i in self.items.values():
            self.all.setdefault(i.path, "/" + model.article_url(i.section, i.slug, i.lang))
        self.site_paths = {url.lstrip("/") for url in self.published.values()}
        self.prefixes = {lang.prefix: lang.code for lang in model.languages if lang.prefix}
        for lang in model.languages:
            for extra in ("", "tags/", "archives/", "atom.xml"):
                self.site_paths.add(lang.url(extra))
            for section in model.sections:
                self.site_paths.add(model.section_url(section, lang.code))
        self.site_paths |= {"sitemap.xml", "404.html"}
        self.unpublished = {(i.lang, i.section, i.slug): i for i in self.items.values() if not i.published}
        self._tag_slugs: dict[str, set[str]] | None = None
        self.siteurl = (siteurl or "").rstrip("/")
        self.public = (public_url or "").rstrip("/")
        self.site_prefix = urlsplit(self.siteurl).path.rstrip("/") if self.siteurl else ""
        self.public_prefix = urlsplit(self.public).path.rstrip("/") if self.public else ""

    @property
    def tag_slugs(self) -> dict[str, set[str]]:
        """Tag slugs per language (computed on first use: pinyin is slow to load)."""
        if self._tag_slugs is None:
            from jindallae.slugs import slugify

            slugify = self.slug or slugify
            self._tag_slugs = {}
            for i in self.items.values():
                if i.published:
                    self._tag_slugs.setdefault(i.lang, set()).update(slugify(t) for t in i.fields.get("tags", []))
        return self._tag_slugs

    def classify(self, url: str) -> tuple[str, str]:
        """``("content", url)``, ``("site", path)``, ``("external", url)`` or ``("skip", url)``."""
        if not url or url.startswith("#"):
            return ("skip", url) if url else ("content", url)
        if is_content_reference(url):
            return "content", url
        low = url.lower()
        if low.startswith(("http://", "https://")):
            if self.public and (url == self.public or url.startswith(self.public + "/")):
                return "site", self.public_prefix + url[len(self.public):] or "/"
            if self.siteurl.startswith("http") and (url == self.siteurl or url.startswith(self.siteurl + "/")):
                return "site", self.site_prefix + url[len(self.siteurl):] or "/"
            return "external", url
        if url.startswith("//"):
            return "external", url
        if url.startswith("/"):
            prefixes = [p for p in (self.site_prefix, self.public_prefix) if p]
            path = urlsplit(url).path
            if prefixes and not any(path == p or path.startswith(p + "/") for p in prefixes):
                return "external", url  # another page of the host the site lives on
            return "site", url
        return "skip", url  # mailto:, tel:, data:

    def site_target(self, path: str) -> tuple[str, "Item | None", str | None]:
        """``("ok"|"broken"|"unpublished", unpublished item, static file)`` for a site path."""
        p = unquote(urlsplit(path).path)
        for prefix in (self.site_prefix, self.public_prefix):
            if prefix and (p == prefix or p.startswith(prefix + "/")):
                p = p[len(prefix):]
        p = p.lstrip("/")
        if p in self.site_paths or (p + "/") in self.site_paths or p.endswith("index.html") and p[:-10] in self.site_paths:
            static = p if p.split("/", 1)[0] in STATIC_DIRS else None
            return "ok", None, static
        segs = [s for s in p.split("/") if s]
        lang = self.model.default.code
        if segs and segs[0] in self.prefixes:
            lang = self.prefixes[segs[0]]
            segs = segs[1:]
        if not segs:
            return "ok", None, None
        if segs[0] == "tags" and len(segs) == 2:
            slug = re.sub(r"-\d+$", "", segs[1])
            known = self.tag_slugs.get(lang, set())
            return ("ok" if segs[1] in known or slug in known else "broken"), None, None
        if segs[0] in self.model.sections:
            if len(segs) == 2 and "." not in segs[1] and segs[1] != "page":
                draft = self.unpublished.get((lang, segs[0], segs[1]))
                return ("unpublished", draft, None) if draft else ("broken", None, None)
            return "ok", None, None  # pages the build generates below a section (pagination, calendar)
        if segs[0] == "theme":
            return "ok", None, None
        return "broken", None, None

    def judge(self, page: "Item", url: str) -> Target:
        """What ``url``, found in ``page``, leads to (see the module docstring)."""
        kind, value = self.classify(url)
        if kind in ("external", "skip"):
            return Target(kind)
        if kind == "content":
            resolver = self.published if page.published else self.all
            found = resolve_reference(page.path, url, resolver.get) if url else None
            if found is not None:
                return Target("ok", found[0])
            other = resolve_reference(page.path, url, self.all.get) if url and page.published else None
            if other is not None and other[0] in self.items:
                return Target("unpublished", other[0], self.items[other[0]])
            return Target("missing")
        state, draft, static = self.site_target(value)
        if state == "unpublished":
            return Target("unpublished", draft.path, draft) if page.published else Target("ok")
        return Target("ok", static) if state == "ok" else Target("missing")


def judge_links(targets: LinkTargets, page: "Item", scan: "Scan | None" = None) -> list[tuple["Link", Target]]:
    """Every link of ``page`` (scanned from its body unless ``scan`` is given) with its target.
    A URL typed as text (form ``bare``) is only ever external or not judged."""
    from .scan import scan_body

    scan = scan if scan is not None else scan_body(page.body)
    out = []
    for link in scan.links:
        target = targets.judge(page, link.url)
        if link.form == "bare" and target.state != "external":
            target = Target("skip")
        out.append((link, target))
    return out


def link_finding(page: "Item", link: "Link", target: Target) -> Finding | None:
    """The finding for a link whose target is a problem (``None`` when it is not)."""
    check = target.check(link.kind)
    if check is None:
        return None
    line, col = page.body_line + link.line, link.col + 1
    if check == "link-unpublished":
        return make_finding(check, page.path, line, col, page.lang, excerpt=link.url, url=link.url,
                            target=target.item.path, status=target.item.status)
    return make_finding(check, page.path, line, col, page.lang, excerpt=link.url, url=link.url, src=link.url)


def link_findings(targets: LinkTargets, page: "Item", scan: "Scan | None" = None) -> list[Finding]:
    """The link problems of one page: what the build lists and ``check`` reports for links
    (``scan``: the page's :func:`~jindallae.checks.scan.scan_body`, scanned here when None)."""
    out = []
    for link, target in judge_links(targets, page, scan):
        finding = link_finding(page, link, target)
        if finding is not None:
            out.append(finding)
    return out
