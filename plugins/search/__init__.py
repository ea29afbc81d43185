"""search: a static full-text search per language with Pagefind (https://pagefind.app/).

``register()`` connects ``get_generators`` (:class:`SearchPageGenerator` queues ``search/`` and
``ko/search/``, ... with the multilingual generator, so list this plugin after ``multilingual``
in PLUGINS) and ``finalized``: after Pelican has written every page into the build's temporary
folder, the Pagefind binary (the ``pagefind_bin_extended`` package, whose indexer segments
Chinese) indexes that folder into ``pagefind/`` — before the build swaps it into place, so a
failed index fails the build and the old site stays.

Pagefind keeps one index per ``<html lang>``: a search page finds pages of its own language
only.  Only the element marked ``data-pagefind-body`` (the article) is indexed, so pages
without it (section lists, tags, 404, the staff reports) are left out.  Settings prefix:
``SEARCH_``.
"""

from __future__ import annotations

from pelican import signals


def settings_schema():
    """``(prefix, {KEY: Option})`` of this plugin's settings."""
    from jindallae.settings import Option, is_type

    return "SEARCH_", {
        "SEARCH_ENABLED": Option(True, is_type(bool),
                                 "Build the search index, the search pages and the header search box"),
    }


def get_generators(pelican):
    from .generator import SearchPageGenerator

    return SearchPageGenerator


def index_site(pelican) -> None:
    from jindallae.build import PROGRESS_KEY
    from jindallae.progress import phase

    from .generator import run_pagefind

    if pelican.settings.get("SEARCH_ENABLED", True):
        with phase(pelican.settings.get(PROGRESS_KEY), "search", unit="page") as shown:
            shown.update(run_pagefind(pelican.output_path))
            shown.note = "indexed by Pagefind"


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(index_site)
