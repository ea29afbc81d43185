"""Pelican reader returning the prepared page for a content file."""

from __future__ import annotations

import logging
import os
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape
from pelican.readers import BaseReader, ensure_metadata_list
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime

from jindallae.build import SITE_KEY
from jindallae.model import as_datetime

logger = logging.getLogger("pelican.cjk_markdown")  # collected by the build: shown as a warning


def _safe_datetime(value, tz: str) -> SafeDatetime:
    d = as_datetime(value, tz).astimezone(ZoneInfo(tz))
    return SafeDatetime(d.year, d.month, d.day, d.hour, d.minute, d.second, tzinfo=d.tzinfo)


class JindallaeReader(BaseReader):
    """Reads ``*.md`` through :class:`jindallae.site.Site` (YAML front matter, CJK Markdown)."""

    enabled = True
    file_extensions = ["md"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wrappers: dict[tuple[str, str], Any] = {}  # (kind, name) -> Pelican URLWrapper

    def _wrapper(self, kind: str, name: str):
        """Pelican's ``Category``/``Tag``/``Author`` of ``name`` (what ``process_metadata`` makes),
        one object per name for the whole build: each computes its slug once (Pelican slugifies
        on first use), not once per page."""
        found = self.wrappers.get((kind, name))
        if found is None:
            found = self.wrappers[(kind, name)] = {"category": Category, "tag": Tag, "author": Author}[kind](name, self.settings)
        return found

    def read(self, source_path: str):
        site = self.settings[SITE_KEY]
        # Pelican passes os.path.abspath(PATH/rel); PATH is site.root (already resolved), so the
        # content-relative path is a string slice (Path.resolve() costs ~0.15 ms a file).
        rel = os.path.relpath(source_path, site.root).replace(os.sep, "/")
        item = site.items.get(rel)
        if item is None:
            # saved after this build read the content folder: left for the next build, which
            # runs because the folder changed (jindallae.build fingerprints it before reading)
            logger.warning("%s: saved while the build was running; the next build includes it", rel)
            return "", {"status": "skip"}
        rendered = site.rendered.get(rel)
        fields = item.fields
        tz = self.settings.get("TIMEZONE", "Asia/Shanghai")
        url = site.model.article_url(item.section, item.slug, item.lang)
        meta = {
            "title": fields["title"],
            "date": _safe_datetime(fields["date"], tz),
            "slug": item.slug,
            "lang": item.lang,
            "category": self._wrapper("category", item.section.strip()),
            "status": "published" if item.published else "draft",
            "url": url,
            "save_as": "",  # written by MultilingualGenerator, with the page view
            "section": item.section,
            "editorial_status": item.status,
            "item": item,
            "toc": rendered.toc if rendered else [],
            "summary": str(escape(fields.get("summary", ""))),
            "plain_summary": fields.get("summary", ""),
        }
        if "updated" in fields:
            meta["modified"] = _safe_datetime(fields["updated"], tz)
        tags = ensure_metadata_list(fields.get("tags") or [])
        if tags:  # as process_metadata("tags", ...), whose objects it shares
            meta["tags"] = [self._wrapper("tag", name) for name in tags]
        if fields.get("author") and fields["author"].strip():
            meta["author"] = self._wrapper("author", fields["author"].strip())
        for key in ("cover", "cover_alt", "featured", "event", "translated_from"):
            if key in fields:
                meta[key] = fields[key]
        return (rendered.html if rendered else ""), meta
