"""cjk_markdown: read ``content/<section>/<slug>.<lang>.md`` (YAML front matter + Markdown).

The pages were already read, validated and rendered by :func:`jindallae.site.prepare_site`;
this plugin hands them to Pelican as Article metadata.  Settings prefix: ``CJK_MARKDOWN_``.
"""

from __future__ import annotations

from pelican import signals

from .reader import JindallaeReader


def settings_schema():
    """``(prefix, {KEY: Option})`` of this plugin's settings (none yet besides the prefix)."""
    return "CJK_MARKDOWN_", {}


def add_reader(readers) -> None:
    readers.reader_classes["md"] = JindallaeReader


def register() -> None:
    signals.readers_init.connect(add_reader)
