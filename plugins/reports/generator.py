"""TranslationReportGenerator: the staff page listing, per section, which pages exist in which
language, which translations are outdated and how old they are.

The data comes from :func:`jindallae.checks.translation_table`, the same translation state that
``jindallae check`` reports (``translated_from.revision`` against the source's current git blob
hash); ages are days before the build's "today" (``SOURCE_DATE_EPOCH`` when set), using the date
of the last commit that touched each file, else its ``updated``/``date`` field.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jinja2
from pelican.generators import Generator

from jindallae.build import SITE_KEY
from jindallae.checks import translation_table
from jindallae.checks.catalogue import LANG_NAMES
from jindallae.dates import build_today

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


class TranslationReportGenerator(Generator):
    """Writes ``REPORTS_TRANSLATIONS_SAVE_AS`` (default ``_reports/translations.html``)."""

    def generate_context(self) -> None:
        self.save_as = self.settings.get("REPORTS_TRANSLATIONS_SAVE_AS", "_reports/translations.html")
        self.queued = False
        ml = self.context.get("multilingual")
        if self.save_as and ml is not None:  # written in the page-writing round, beside the pages
            ml.queue_call(self.write_report)
            self.queued = True

    def generate_output(self, writer) -> None:
        if self.save_as and not self.queued:
            self.write_report()

    def write_report(self) -> None:
        """Write the report and its stylesheet into the output folder."""
        site = self.settings[SITE_KEY]
        model = site.model
        today = build_today(self.settings.get("TIMEZONE", "Asia/Shanghai"))
        sections = translation_table(model, list(site.items.values()), site.root, today)
        rows = [row for s in sections for row in s["rows"]]
        totals = {
            "articles": len(rows),
            "outdated": sum(row["outdated"] for row in rows),
            "missing": {lang.code: sum(row["langs"][lang.code] is None or row["langs"][lang.code]["state"] == "unpublished"
                                       for row in rows) for lang in model.languages},
        }
        css = "/".join(filter(None, [os.path.dirname(self.save_as), "report.css"]))
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                 trim_blocks=True, lstrip_blocks=True)
        html = env.get_template("translations.html").render(
            sections=sections, languages=model.languages, totals=totals, today=today.isoformat(),
            siteurl=self.settings.get("SITEURL", ""), sitename=self.settings.get("SITENAME", ""), names=LANG_NAMES,
            css_url=f"{self.settings.get('SITEURL', '')}/{css}",
        )
        path = os.path.join(self.output_path, self.save_as)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.write(html)
        # its stylesheet beside it (no inline styles: the site allows none)
        shutil.copyfile(STATIC / "report.css", os.path.join(os.path.dirname(path), "report.css"))
