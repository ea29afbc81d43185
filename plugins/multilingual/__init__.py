"""multilingual: the bilingual site's pages, UI catalogues and date formatting.

``register()`` only connects signals: ``generator_init`` installs the per-page-language gettext
and the Babel date filters into each generator's Jinja environment; ``get_generators`` adds
:class:`MultilingualGenerator`.  Settings prefix: ``MULTILINGUAL_``.
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


def register() -> None:
    signals.generator_init.connect(setup_environment)
    signals.get_generators.connect(get_generators)
