"""``jindallae new``: create a page's files in every site language from the content model."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from .model import COMMON_REQUIRED, FIELDS, model_from_settings
from .settings import load_settings
from .slugs import SLUG_MAX_LENGTH, slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ScaffoldError(Exception):
    """The section is unknown, the slug unusable or a file already exists."""


def scaffold(project: Path, content: Path, section: str, slug_or_title: str, title: str | None = None,
             today: dt.date | None = None) -> list[Path]:
    """Write ``content/<section>/<slug>.<lang>.md`` for every language, status draft.

    ``slug_or_title`` that is not already a slug is slugified (pinyin / Revised Romanization) and
    used as the default-language title.  Returns the created paths; raises :class:`ScaffoldError`
    without writing anything if the section is unknown or any of the files exists.
    """
    settings = load_settings(project)
    model = model_from_settings(settings)
    if section not in model.sections:
        raise ScaffoldError(f"unknown section '{section}'; choose one of: {', '.join(model.sections)}")
    if SLUG_RE.match(slug_or_title):
        slug = slug_or_title
        if len(slug) > SLUG_MAX_LENGTH:
            raise ScaffoldError(f"slug '{slug[:40]}…' has {len(slug)} characters; give one of at most {SLUG_MAX_LENGTH}")
    else:
        slug = slugify(slug_or_title)
        title = title or slug_or_title
        if not slug:
            raise ScaffoldError(f"cannot make a slug from '{slug_or_title}'; give one (lowercase letters, digits, hyphens)")
    existing = [p for p in content.glob(f"*/{slug}.*.md")]
    if existing:
        raise ScaffoldError(f"slug '{slug}' is already used by {existing[0]}; choose another")
    today = today or dt.date.today()
    event_id = str(uuid.uuid4())
    # Every file gets a title (the given one, else the slug) for the translator or editor to
    # replace: drafts may be incomplete, but the model still requires a title, so an empty one
    # made the build fail right after `jindallae new`.
    placeholder = title or slug
    paths = []
    for lang in model.languages:
        path = content / section / f"{slug}.{lang.code}.md"
        paths.append(path)
        lines = ["---", f"title: {_yaml_text(placeholder)}",
                 f"date: {today.isoformat()}", "summary:", "tags: []", "author:", "status: draft"]
        for name in model.sections[section].required:
            if name in ("summary",) or name in COMMON_REQUIRED:
                continue
            if name == "event":
                lines += ["event:", f"  id: {event_id}", f"  start: {today.isoformat()}", f"  end: {today.isoformat()}",
                          "  location:", "  address:"]
            else:
                lines.append(f"{name}:  # {FIELDS[name].doc}")
        if lang != model.default:
            lines.append(f"translated_from:\n  lang: {model.default.code}")
        lines += ["---", "", ""]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as fp:
            fp.write("\n".join(lines))
    return paths


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back unchanged, else double-quoted."""
    import json

    import yaml

    try:
        if yaml.safe_load(text) == text:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)
