"""reports: pages for staff, not for the public — the translation report
(``_reports/translations.html``).

``register()`` only connects ``get_generators``; the generator writes the report with its own
small template (``templates/``) in the theme's look.  The page carries
``<meta name="robots" content="noindex">``, is not listed in sitemap.xml (only the multilingual
generator writes that) and no public page links to it.  Settings prefix: ``REPORTS_``.
"""

from __future__ import annotations

from pelican import signals


def _save_as(v) -> str | None:
    if not isinstance(v, str):
        return "must be a path relative to the output folder, or '' to switch the report off"
    if v and (v.startswith("/") or ".." in v.split("/") or not v.endswith(".html")):
        return "must be a relative path ending in .html (e.g. '_reports/translations.html'), or ''"
    return None


def settings_schema():
    """``(prefix, {KEY: Option})`` of this plugin's settings."""
    from jindallae.settings import Option

    return "REPORTS_", {
        "REPORTS_TRANSLATIONS_SAVE_AS": Option("_reports/translations.html", _save_as,
                                               "Where the translation report for staff is written ('' = not at all)"),
    }


def get_generators(pelican):
    from .generator import TranslationReportGenerator

    return TranslationReportGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
