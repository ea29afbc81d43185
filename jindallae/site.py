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

from .markup import RENDERER_VERSION, LinkContext, Rendered, render
from .model import ContentError, ContentErrors, Item, Model, iter_content_files

STATIC_DIRS = ("images", "files")


@dataclass
class Site:
    """All pages of one content folder.

    ``items`` by content-relative path; ``rendered`` the HTML of each published body;
    ``url_map`` maps content-relative paths (pages and static files) to root-relative URLs.
    """

    model: Model
    root: Path
    siteurl: str
    items: dict[str, Item]
    url_map: dict[str, str]
    rendered: dict[str, Rendered] = field(default_factory=dict)
    warnings: list[ContentError] = field(default_factory=list)

    def url(self, rel_url: str) -> str:
        """``{SITEURL}/{rel_url}``: root-relative when SITEURL is empty."""
        return f"{self.siteurl}/{rel_url}"


def build_url_map(model: Model, root: Path, items: list[Item], siteurl: str) -> dict[str, str]:
    """Map content-relative paths to URLs: published pages and files under images/ and files/."""
    out: dict[str, str] = {}
    for item in items:
        if item.published:
            out[item.path] = f"{siteurl}/{model.article_url(item.section, item.slug, item.lang)}"
    for top in STATIC_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                rel = (Path(dirpath) / name).relative_to(root).as_posix()
                out[rel] = f"{siteurl}/{rel}"
    return out


def _render_job(url_map: dict[str, str], job: tuple[str, str]) -> tuple[str, Rendered]:
    source, body = job
    return source, render(body, LinkContext(source, url_map.get))


def _parse_job(model: Model, root: Path, path: Path) -> tuple[Item | None, list[ContentError]]:
    return model.parse_file(root, path)


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


POOL_WORKERS = min(os.cpu_count() or 1, 8)
POOL_THRESHOLD = 200  # below this many files, starting processes costs more than it saves


class RenderCache:
    """Rendered bodies kept between builds in ``path`` (a pickle), keyed by the file's content
    hash, the renderer version, SITEURL and the set of linkable paths."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, Rendered] = {}
        self.dirty = False
        if path and path.is_file():
            try:
                with path.open("rb") as fp:
                    self.entries = pickle.load(fp)
            except Exception:  # a corrupt cache is only a slower build
                self.entries = {}

    @staticmethod
    def key(item: Item, context_key: str) -> str:
        return hashlib.sha1(f"{item.digest}\0{item.path}\0{context_key}".encode()).hexdigest()

    def save(self, live: set[str]) -> None:
        if not self.path or not self.dirty:
            return
        self.entries = {k: v for k, v in self.entries.items() if k in live}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as fp:
            pickle.dump(self.entries, fp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


def prepare_site(model: Model, root: Path, siteurl: str = "", cache_path: Path | None = None,
                 progress: Callable[[int], None] | None = None) -> Site:
    """Read, validate and render every page under ``root``.

    Raises :class:`ContentErrors` listing every problem (all files, not only the first).
    Links that resolve to nothing become warnings in ``Site.warnings``.
    """
    files = sorted(iter_content_files(root))
    use_pool = len(files) >= POOL_THRESHOLD and POOL_WORKERS > 1
    with ProcessPoolExecutor(max_workers=POOL_WORKERS) if use_pool else nullcontext() as pool:
        return _prepare(model, root, files, siteurl, cache_path, progress, pool)


def _prepare(model: Model, root: Path, files: list[Path], siteurl: str, cache_path: Path | None,
             progress: Callable[[int], None] | None, pool: ProcessPoolExecutor | None) -> Site:
    items, errors = [], []
    for item, errs in _map(pool, partial(_parse_job, model, root), files):
        errors += errs
        if item is not None:
            items.append(item)
    errors += model.cross_check(items)
    if errors:
        raise ContentErrors(errors)
    url_map = build_url_map(model, root, items, siteurl)
    site = Site(model, root, siteurl, {i.path: i for i in items}, url_map)
    context_key = hashlib.sha1(
        "\0".join([RENDERER_VERSION, siteurl, *sorted(f"{k}={v}" for k, v in url_map.items())]).encode()
    ).hexdigest()
    cache = RenderCache(cache_path)
    jobs, keys = [], {}
    for item in items:
        if not item.published:
            continue
        key = cache.key(item, context_key)
        keys[item.path] = key
        hit = cache.entries.get(key)
        if hit is not None:
            site.rendered[item.path] = hit
        else:
            jobs.append((item.path, item.body))
    if progress:
        progress(len(files) - len(jobs))
    fresh = _map(pool, partial(_render_job, url_map), jobs, progress)
    for path, rendered in fresh:
        site.rendered[path] = rendered
        cache.entries[keys[path]] = rendered
        cache.dirty = True
    cache.save(set(keys.values()))
    for path, rendered in sorted(site.rendered.items()):
        item = site.items[path]
        for target, kind in rendered.missing:
            line = _line_of(item, target)
            site.warnings.append(ContentError(path, line, f"{kind} target '{target}' does not exist",
                                              f"{kind} target '{target}' does not exist; fix the path", "missing_link"))
    return site


def _line_of(item: Item, needle: str) -> int:
    for offset, line in enumerate(item.body.split("\n")):
        if needle in line:
            return item.body_line + offset
    return item.body_line
