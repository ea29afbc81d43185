"""multilingual: the bilingual site's pages, UI catalogues and date formatting.

``register()`` only connects signals: ``generator_init`` installs the per-page-language gettext
and the Babel date filters into each generator's Jinja environment; ``get_generators`` adds
:class:`MultilingualGenerator`; ``article_generator_finalized`` empties Pelican's own tag,
category and author lists (see :func:`drop_pelican_lists`).  Settings prefix: ``MULTILINGUAL_``.
"""

from __future__ import annotations

from pelican import signals


def settings_schema():
    """``(prefix, {KEY: Option})``: this plugin's settings with defaults and checks."""
    from jindallae.settings import Option, is_type, positive_int

    return "MULTILINGUAL_", {
        "MULTILINGUAL_PAGE_SIZE": Option(20, positive_int, "Entries per section page"),
        "MULTILINGUAL_SHARE_IMAGE": Option("", is_type(str),
                                           "Share-preview image (og:image) of pages without a cover, "
                                           "a path under content/ (images/x.jpg); empty: none"),
    }


def get_generators(pelican):
    from .generator import MultilingualGenerator

    return MultilingualGenerator


def setup_environment(generator) -> None:
    from .environment import setup

    setup(generator)


def drop_pelican_lists(generator) -> None:
    """Pelican's articles generator keeps tag, category and author lists for pages it would
    write; this site's are written by :class:`MultilingualGenerator` (Pelican's ``*_SAVE_AS``
    are empty).  Emptied here, because before skipping each of those pages Pelican filters every
    article once per tag, category and author: time that grows with the square of the site
    (6 s of a rebuild at 20,000 pages).  The articles keep their own ``tags``."""
    generator.tags.clear()
    generator.categories = []
    generator.authors = []


def register() -> None:
    signals.generator_init.connect(setup_environment)
    signals.get_generators.connect(get_generators)
    signals.article_generator_finalized.connect(drop_pelican_lists)
