"""PostersGenerator: the posters of the site's pages, their links on the pages, /posters/ lists.

It runs after :class:`multilingual.generator.MultilingualGenerator` and reuses it: its
per-language article lists, page views, page writer (pages queued with :meth:`write_page`,
files with :meth:`queue_call`, all written in its one parallel round) and its sitemap.
Templates reach the posters of a page as ``article.posters`` and the list pages get
``poster_pages``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from jindallae.build import CACHE_KEY, PROGRESS_KEY
from jindallae.progress import phase

from .formats import DataError
from .jobs import BILINGUAL, Config, Job, link_files, make, plan, problems_of

logger = logging.getLogger("pelican.posters")  # collected by the build: errors fail it


def display_root(root: Path) -> str:
    """The content folder as the user would type it (relative to the current folder when inside)."""
    try:
        return root.resolve().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return root.as_posix()


class PostersGenerator(Generator):
    """Makes the posters (cached, in parallel) and queues their files and list pages."""

    def generate_context(self) -> None:
        ml = self.context.get("multilingual")
        if ml is None:
            raise RuntimeError("posters needs the multilingual plugin: list it before posters in PLUGINS")
        self.ml = ml
        self.model = ml.model
        self.jobs: list[Job] = []
        cache_root = self.settings.get(CACHE_KEY)
        if cache_root:
            self.cache, self.temporary = Path(cache_root) / "posters", False
        else:  # build(cache=False): leave .cache alone
            self.cache, self.temporary = Path(tempfile.mkdtemp(prefix="jindallae-posters-")), True
        try:
            self.config = Config.from_settings(self.settings)
        except (DataError, FileNotFoundError) as exc:
            logger.error("%s", exc)
            return
        root = Path(ml.site.root)
        # every page, published or not: plan() makes posters of the published ones and says
        # when a bilingual poster waits for a translation in draft or review
        items = [a.item for lang in self.model.languages for a in ml.by_lang[lang.code]]
        items += [i for i in ml.site.items.values() if not i.published and i.path not in ml.site.left_out]
        jobs, problems = plan(self.model, root, items, self.config)
        with phase(self.settings.get(PROGRESS_KEY), "posters", total=len(jobs), unit="poster") as shown:
            rendered = make(jobs, self.config, self.cache, shown.update)
            shown.note = f"{rendered} rendered, {len(jobs) - rendered} from .cache/posters"
        problems += problems_of(jobs)
        prefix = display_root(root)
        for p in problems:
            (logger.error if p.error else logger.warning)("%s", p.line(prefix))
        self.jobs = [job for job in jobs if "error" not in job.result]
        self.attach()
        self.queue_pages()
        ml.queue_call(partial(self.write_files))
        self.context["posters"] = self

    # page data -------------------------------------------------------------------------------
    def group(self, jobs: list[Job]) -> dict[str, Any]:
        """One variant of one page's posters: thumbnail, preview and a download per format."""
        first = jobs[0]
        files = first.files(self.config.cmyk)
        meta = first.result
        return {
            "variant": first.variant, "langs": first.langs,
            "hreflangs": [self.model.by_code[c].hreflang for c in first.langs],
            "thumb_url": self.ml.url(files["jpg"]), "thumb_size": meta.get("thumb", [0, 0]),
            "preview_url": self.ml.url(files["png"]), "preview_size": meta.get("preview", [0, 0]),
            "preview_format": first.fmt.key,
            "headlines": [t.headline for t in first.texts],
            "formats": [{"key": j.fmt.key, "name": j.fmt.name, "names": j.fmt.names, "width": j.fmt.width, "height": j.fmt.height,
                         "dpi": j.fmt.dpi, "pdf_url": self.ml.url(j.files(self.config.cmyk)["pdf"]),
                         "cmyk_url": self.ml.url(j.files(True)["cmyk"]) if self.config.cmyk else None}
                        for j in jobs],
        }

    def attach(self) -> None:
        """``article.posters``: the poster groups each page shows (its language's, bilingual)."""
        by_page: dict[tuple[str, str, str], list[Job]] = {}
        for job in self.jobs:
            by_page.setdefault((job.section, job.slug, job.variant), []).append(job)
        self.pages: dict[str, list[tuple[Any, list[dict[str, Any]]]]] = {lang.code: [] for lang in self.model.languages}
        for lang in self.model.languages:
            for a in self.ml.by_lang[lang.code]:
                groups = [self.group(by_page[(a.section, a.slug, v)]) for v in (lang.code, BILINGUAL)
                          if (a.section, a.slug, v) in by_page]
                if groups:
                    a.posters = groups
                    self.pages[lang.code].append((a, groups))

    def queue_pages(self) -> None:
        """Queue ``/posters/`` per language (posters of the language and bilingual ones)."""
        from jindallae import i18n

        translations = i18n.load_translations(Path(self.settings["THEME"]), list(self.model.by_code),
                                              self.model.default.code)
        versions = {c: self.model.by_code[c].url("posters/") for c in self.model.by_code}
        for lang in self.model.languages:
            rel = lang.url("posters/")
            title = translations[lang.code].gettext("Posters")
            view = self.ml.view(lang, rel, title, "", versions, crumbs=[(title, self.ml.url(rel))], kind="posters")
            self.ml.write_page(None, rel, "posters", view, versions, poster_pages=self.pages[lang.code])

    # output ----------------------------------------------------------------------------------
    def write_files(self) -> None:
        """Link the cached files into the output (queued: runs in the page-writing round)."""
        for job in self.jobs:
            link_files(job, self.config, self.cache, Path(self.output_path))

    def generate_output(self, writer) -> None:
        # The files were linked in the multilingual generator's round (its generate_output runs
        # before this one); only a temporary cache is left to remove.
        if getattr(self, "temporary", False):
            shutil.rmtree(self.cache, ignore_errors=True)
