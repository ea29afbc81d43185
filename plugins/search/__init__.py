"""search: a static full-text search per language with Pagefind (https://pagefind.app/).

``register()`` connects ``get_generators`` (:class:`SearchPageGenerator` queues ``search/`` and
``ko/search/``, ... with the multilingual generator, so list this plugin after ``multilingual``
in PLUGINS) and ``finalized``: after Pelican has written every page into the build's temporary
folder, the Pagefind binary (the ``pagefind_bin_extended`` package, whose indexer segments
Chinese) indexes that folder into ``pagefind/`` — before the build swaps it into place, so a
failed index fails the build and the old site stays.

An incremental build that updates the previous release in place (``jindallae.build.apply_update``)
writes only the changed pages, so there is no whole tree to index before they go live.
Pagefind cannot update an index page by page (its CLI and Node API index a whole folder), so
the old index stays while the changed pages go live, and ``jindallae.signals.release_updated``
then indexes the live site into a side folder that replaces ``pagefind/`` in one rename: a page
is live a moment before its search entry, never the other way round.  A body patch
(``jindallae.body_patch``: only page bodies changed) sends the same signal.

Pagefind keeps one index per ``<html lang>``: a search page finds pages of its own language
only.  Only the element marked ``data-pagefind-body`` (the article) is indexed, so pages
without it (section lists, tags, 404, the staff reports) are left out.  Settings prefix:
``SEARCH_``.
"""

from __future__ import annotations

from pelican import signals

DEFERRED_KEY = "SEARCH_INDEX_DEFERRED"  # set in the build's settings: index after the update


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
    from jindallae.build import OUTPUTS_KEY, PROGRESS_KEY, RELEASE_KEY
    from jindallae.progress import phase

    from .generator import BUNDLE, run_pagefind

    if not pelican.settings.get("SEARCH_ENABLED", True):
        return
    if pelican.settings.get(RELEASE_KEY) == "update":  # indexed once the pages are live
        pelican.settings[OUTPUTS_KEY].keep_folder(BUNDLE)
        pelican.settings[DEFERRED_KEY] = True
        return
    with phase(pelican.settings.get(PROGRESS_KEY), "search", unit="page") as shown:
        shown.update(run_pagefind(pelican.output_path))
        shown.note = "indexed by Pagefind"


def refresh_index(settings, output) -> str | None:
    """``release_updated``: index the updated site into a side folder and put it in place of
    ``pagefind/`` (``jindallae.build.swap_in``: one rename).  Returns the folder replaced."""
    import os
    import shutil

    from jindallae.build import PROGRESS_KEY, RELEASE_KEY, swap_in
    from jindallae.progress import phase

    from .generator import BUNDLE, run_pagefind

    patched = settings.get(RELEASE_KEY) == "patch" and settings.get("SEARCH_ENABLED", True)  # jindallae.body_patch
    if not settings.get(DEFERRED_KEY) and not patched:  # not a build of a site with this plugin
        return None
    side = output.parent / f"{output.name}.tmp-search-{os.getpid()}"
    shutil.rmtree(side, ignore_errors=True)
    try:
        with phase(settings.get(PROGRESS_KEY), "search", unit="page") as shown:
            try:
                shown.update(run_pagefind(str(output), bundle=side))
            except Exception as exc:
                raise RuntimeError(f"search: the index was not refreshed, so search finds the pages as they "
                                   f"were before this build until the next build succeeds ({exc})") from exc
            shown.note = "indexed by Pagefind after the pages went live"
        swap_in(side, output / BUNDLE)
    finally:
        shutil.rmtree(side, ignore_errors=True)
    return BUNDLE


def register() -> None:
    from jindallae.signals import release_updated

    signals.get_generators.connect(get_generators)
    signals.finalized.connect(index_site)
    release_updated.connect(refresh_index)
