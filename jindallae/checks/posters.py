"""The ``poster`` checks: what the posters plugin would stop at, found before a build.

``jindallae check`` already reports a malformed ``poster:`` block through the content model
(``front-matter``).  These checks ask the plugin (plugins/posters, when it is in ``PLUGINS``)
about the rest without drawing anything: an unknown format or template, a bilingual poster
without its translation, a picture that cannot be read (missing, corrupt, a decompression
bomb) and characters the poster fonts cannot draw.  A headline too long for its box is found
only by rendering (``jindallae posters``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jindallae.model import Item, Model

from .report import Finding


def check_posters(settings: dict[str, Any] | None, model: Model, items: list[Item], chosen: set[str],
                  root: Path) -> list[Finding]:
    """Findings ``poster`` (error) and ``poster-pending`` (warning: a bilingual poster waits for
    its translation to be published) for the files in ``chosen``; ``[]`` when the posters
    plugin is not enabled in ``settings`` (``PLUGINS``).  A broken theme poster folder
    (``themes/<theme>/posters/``) is one ``poster`` finding on the first chosen page with a
    ``poster:`` block."""
    if not settings or "posters" not in (settings.get("PLUGINS") or []):
        return []
    from posters.formats import DataError  # the plugin folder is on sys.path (load_settings)
    from posters.jobs import Config, plan, preflight

    with_block = [i for i in items if i.fields.get("poster") is not None]
    if not any(i.path in chosen for i in with_block):
        return []
    try:
        config = Config.from_settings(settings)
    except DataError as exc:
        first = next(i for i in with_block if i.path in chosen)
        return [Finding("poster", "error", first.path, first.line_of("poster"), 1, str(exc), str(exc), lang=first.lang)]
    by_path = {i.path: i for i in items}
    jobs, problems = plan(model, root, items, config)
    findings: list[Finding] = []
    reported: set[tuple[str, str, str]] = set()

    def add(source: str, field: str, local: str, english: str, error: bool,
            texts: dict[str, str] | None = None) -> None:
        item = by_path.get(source)
        if source not in chosen or item is None:
            return

        def strip(text: str) -> str:
            return re.sub(rf"^{re.escape(field)}\s*[:：]\s*", "", text)

        local, english = strip(local), strip(english)
        if (source, field, local) in reported:  # the same problem from a page's zh and bilingual posters
            return
        reported.add((source, field, local))
        line = item.lines.get(field, item.line_of("poster"))
        shown = {lang: f"{field}: {strip(text)}" for lang, text in (texts or {}).items()}  # every language's text
        findings.append(Finding("poster" if error else "poster-pending", "error" if error else "warning", source,
                                line, 1, f"{field}: {local}", f"{field}: {english}",
                                lang=item.lang, excerpt=field, texts=shown))

    for p in problems:
        add(p.source, p.field, p.message, p.message, p.error)
    pictures: dict[str, Any] = {}
    seen: set[tuple[str, str, str]] = set()
    for job in jobs:
        if not any(path in chosen for path in (job.sources or {job.source_lang: job.source}).values()):
            continue
        for error in preflight(job, pictures):
            lang = error["lang"] if error["lang"] in job.sources else job.source_lang
            source = job.sources.get(lang, job.source)
            msgs = error["messages"]
            key = (source, error["field"], msgs["en"])
            if key in seen:  # the same text on several formats: once
                continue
            seen.add(key)
            local_lang = by_path[source].lang if source in by_path else lang
            add(source, error["field"], msgs.get(local_lang, msgs["en"]), msgs["en"], True, msgs)
    return findings
