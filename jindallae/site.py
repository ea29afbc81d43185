"""The prepared site: every content file read, validated and rendered, before Pelican runs.

This is the "content model -> multilingual grouping" stage of the pipeline (design.md): the
Pelican reader of ``plugins/cjk_markdown`` looks pages up here instead of parsing them again,
and ``jindallae check`` and the CMS can use it without Pelican.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import nullcontext
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from .markup import RENDERER_VERSION, LinkContext, NestingTooDeep, Rendered, render
from .model import (ContentError, ContentErrors, Item, Model, iter_content_files, make_error, nesting_error,
                    stray_files)

STATIC_DIRS = ("images", "files")


@dataclass
class Site:
    """All pages of one content folder.

    ``items`` by content-relative path; ``rendered`` the HTML of each published body;
    ``url_map`` maps content-relative paths (pages and static files) to root-relative URLs;
    ``findings`` the link and image targets of published pages that are missing or not
    published, as ``jindallae check`` reports them (:mod:`jindallae.checks.links`: same rule,
    same check ids and severities).
    """

    model: Model
    root: Path
    siteurl: str
    items: dict[str, Item]
    url_map: dict[str, str]
    rendered: dict[str, Rendered] = field(default_factory=dict)
    warnings: list[ContentError] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # unpublished pages with errors (reported)
    findings: list[Any] = field(default_factory=list)  # jindallae.checks.report.Finding
    tag_slugs: dict[str, str] = field(default_factory=dict)  # every published page's tags -> slugify()
    facets: dict[str, str] = field(default_factory=dict)  # path -> page_facet() of every file read

    def slug(self, text: str) -> str:
        """:func:`jindallae.slugs.slugify` of ``text``, from :attr:`tag_slugs` when it is a tag."""
        found = self.tag_slugs.get(text)
        if found is None:
            from .slugs import slugify

            found = slugify(text)
        return found



def build_url_map(model: Model, root: Path, pages: list[tuple[str, str, str, str]], siteurl: str) -> dict[str, str]:
    """Map content-relative paths to URLs: the given pages ``(path, section, slug, lang)`` and the
    files under images/ and files/."""
    out: dict[str, str] = {}
    for path, section, slug, lang in pages:
        out[path] = f"{siteurl}/{model.article_url(section, slug, lang)}"
    for top in STATIC_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                rel = (Path(dirpath) / name).relative_to(root).as_posix()
                out[rel] = f"{siteurl}/{rel}"
    return out


def _page_job(model: Model, root: Path, url_map: dict[str, str], job: tuple[str, str | None]) -> PageResult:
    """Parse and validate one page and, when it is published, render its body and list its
    links (:class:`PageResult`)."""
    rel, text = job
    item, errors = model.parse_text(root, rel, text)
    rendered = links = None
    if item is not None and item.published and not errors:
        from .checks.scan import scan_body

        links = LinksOnly(scan_body(item.body).links)
        try:
            rendered = render(item.body, LinkContext(rel, url_map.get))
        except NestingTooDeep as exc:
            errors = [nesting_error(rel, item.body_line, item.lang, exc)]
        except Exception as exc:  # a renderer fault: still a path:line message, never a traceback
            errors = [make_error(rel, item.body_line, "render_failed", item.lang, detail=type(exc).__name__)]
    return PageResult(item, errors, rendered, links, page_facet(item, errors, rendered, links))


def page_facet(item: Item | None, errors: list[ContentError], rendered: Rendered | None, links: LinksOnly | None) -> str:
    """Digest of everything about a read file except its body text: what other outputs may show
    of it (fields, slug, language, section, status, errors, headings, link targets).  Two
    versions of a file with the same facet differ only in what their own page's body shows
    (:mod:`jindallae.body_patch`).  Built from ``repr`` (the values are dataclasses, strings,
    numbers, dates, lists and dicts in file order)."""
    from dataclasses import replace

    # links by what they are, not where: a sentence added above a link does not move it in
    # any other output (a page whose links have findings is never patched: body_patch)
    parts = (replace(item, body="", digest="") if item is not None else None, errors,
             (rendered.toc, rendered.missing, rendered.links) if rendered is not None else None,
             [(ln.url, ln.kind, ln.text, ln.form, ln.has_alt) for ln in links.links] if links is not None else None)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _map(pool: ProcessPoolExecutor | None, fn: Callable, jobs: list, progress: Callable[[int], None] | None = None) -> list:
    """``[fn(j) for j in jobs]``, on the pool's processes when there is one (order kept)."""
    if pool is None:
        out = []
        for job in jobs:
            out.append(fn(job))
            if progress:
                progress(1)
        return out
    chunk = max(8, len(jobs) // (POOL_WORKERS * 8))
    out = []
    for result in pool.map(fn, jobs, chunksize=chunk):
        out.append(result)
        if progress:
            progress(1)
    return out


def _code_key() -> str:
    """Hash of the code a :class:`PageResult` comes from (the parser, validator, renderer and
    scanner sources, and the Python-Markdown release): a new release reads every file again."""
    import markdown

    here = Path(__file__).resolve().parent
    h = hashlib.sha1(f"{RENDERER_VERSION}\0{markdown.__version__}".encode())
    for name in ("model.py", "markup.py", "site.py", "slugs.py", "recurrence.py", "checks/scan.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


POOL_WORKERS = min(os.cpu_count() or 1, 8)
POOL_THRESHOLD = 200  # below this many files, starting processes costs more than it saves


@dataclass
class LinksOnly:
    """The links of a body (``jindallae.checks.scan.Scan.links``): what the build's link check
    needs of a scan, kept between builds."""

    links: list[Any]


@dataclass
class PageResult:
    """One file read: its item (None when it could not be parsed), its errors, and for a
    published page its rendered body (against the provisional URL map) and its links."""

    item: Item | None
    errors: list[ContentError]
    rendered: Rendered | None
    links: LinksOnly | None
    facet: str = ""  # page_facet()


class PageCache:
    """Each file's :class:`PageResult` kept between builds in ``path`` (a pickle), keyed by the
    file's bytes and path, the renderer version, SITEURL, the content model and the set of
    linkable paths: a file whose key is unchanged is neither parsed nor rendered again."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, PageResult] = {}
        self.slugs: dict[str, str] = {}  # tag -> slug (pinyin takes a quarter second to load)
        self.dirty = False
        if path and path.is_file():
            try:
                with path.open("rb") as fp:
                    data = pickle.load(fp)
                self.entries, self.slugs = data["entries"], data["slugs"]
            except Exception:  # a corrupt or older cache is only a slower build
                self.entries, self.slugs = {}, {}

    def save(self, live: set[str]) -> None:
        if not self.path or not self.dirty:
            return
        self.entries = {k: v for k, v in self.entries.items() if k in live}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as fp:
            pickle.dump({"entries": self.entries, "slugs": self.slugs}, fp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


def prepare_site(model: Model, root: Path, siteurl: str = "", cache_path: Path | None = None,
                 progress: Callable[[int], None] | None = None, public_url: str = "") -> Site:
    """Read, validate and render every page under ``root``.

    One pass over the files, on all cores for a large site: each worker parses a page and renders
    its body against the URL map that the file names give (every page assumed published); the
    few pages that link to an unpublished page are then rendered again with the final map.
    Raises :class:`ContentErrors` listing every problem (all files, not only the first) — except
    those of pages that are not published (draft, review): they become ``Site.warnings``, so one
    broken draft does not stop the site from being published.
    Links and images whose targets are missing become ``Site.findings``, judged as ``jindallae
    check`` judges them (``public_url``: ``JINDALLAE_PUBLIC_URL``, links to it are the site's own).
    """
    rels = sorted(p.relative_to(root).as_posix() for p in iter_content_files(root))
    keys = {rel: model.page_key(rel) for rel in rels}
    provisional = build_url_map(model, root, [(r, *k) for r, k in keys.items() if k], siteurl)
    context_key = hashlib.sha1(
        "\0".join([RENDERER_VERSION, siteurl, *sorted(f"{k}={v}" for k, v in provisional.items())]).encode()
    ).hexdigest()
    context_key = hashlib.sha1(f"{context_key}\0{model!r}\0{_code_key()}".encode()).hexdigest()
    cache = PageCache(cache_path)
    jobs, cache_keys, results = [], {}, {}
    for rel in rels:
        try:
            raw = (root / rel).read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raw, text = b"", None  # parse_text reads it again and reports the problem
        cache_keys[rel] = hashlib.sha1(raw + b"\0" + rel.encode() + b"\0" + context_key.encode()).hexdigest()
        hit = cache.entries.get(cache_keys[rel]) if text is not None else None
        if hit is not None:
            results[rel] = hit
        else:
            jobs.append((rel, text))
    if progress and len(results):
        progress(len(results))
    use_pool = len(jobs) >= POOL_THRESHOLD and POOL_WORKERS > 1
    if use_pool:
        from .slugs import slugify

        slugify("预热")  # load pypinyin and the romanizer once, before worker processes fork
    with ProcessPoolExecutor(max_workers=POOL_WORKERS) if use_pool else nullcontext() as pool:
        fresh = dict(zip((rel for rel, _text in jobs), _map(pool, partial(_page_job, model, root, provisional),
                                                             jobs, progress)))
    results.update(fresh)
    items, errors = [], stray_files(model, root)
    held: list[ContentError] = []  # problems of pages that are not published: reported, not fatal
    left_out: list[str] = []  # those pages
    for rel in rels:
        result = results[rel]
        item, errs = result.item, result.errors
        if errs and item is not None and not item.published:
            held += errs  # a broken draft must not stop everyone's publishing (case D6)
            left_out.append(rel)
            items.append(item)  # read as a draft (never written); plugins skip Site.left_out
            continue
        errors += errs
        if item is not None:
            items.append(item)
    errors += model.cross_check(items)
    if errors:
        raise ContentErrors(errors)
    url_map = build_url_map(model, root, [(i.path, i.section, i.slug, i.lang) for i in items if i.published], siteurl)
    site = Site(model, root, siteurl, {i.path: i for i in items}, url_map)
    site.warnings += held
    site.left_out = left_out
    live = set()
    for rel in rels:  # every file's result is kept: an unchanged broken draft is not read again
        result = results[rel]
        site.facets[rel] = result.facet
        live.add(cache_keys[rel])
        if rel in fresh:
            cache.entries[cache_keys[rel]] = result
            cache.dirty = True
        item = result.item
        if item is None or not item.published or result.rendered is None:
            continue
        if any(target not in url_map for target in result.rendered.links):
            # it links to a page that is not published: render against the final map, uncached
            site.rendered[item.path] = render(item.body, LinkContext(item.path, url_map.get))
            continue
        site.rendered[item.path] = result.rendered
    tags = {t for i in items if i.published for t in i.fields.get("tags", []) if isinstance(t, str)}
    if not tags <= cache.slugs.keys():
        from .slugs import slugify

        cache.slugs.update((t, slugify(t)) for t in tags - cache.slugs.keys())
        cache.dirty = True
    site.tag_slugs = {t: cache.slugs[t] for t in tags}
    if len(cache.slugs) > 2 * len(tags) + 100:  # forget tags no page has any more
        cache.slugs = dict(site.tag_slugs)
        cache.dirty = True
    cache.dirty = cache.dirty or set(cache.entries) != live
    cache.save(live)
    from .checks.links import LinkTargets, link_findings  # the rule `jindallae check` applies

    targets = LinkTargets(model, root, items, siteurl, public_url, slug=site.slug)
    for path in sorted(site.rendered):
        site.findings += link_findings(targets, site.items[path], results[path].links)
    return site
