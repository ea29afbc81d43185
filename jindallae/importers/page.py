"""From a converted document to a draft page on disk.

:func:`make_draft` builds the file ``<section>/<slug>.<lang>.md`` — front matter like
``jindallae new`` writes it (``status: draft``, the section's required fields as placeholders,
``translated_from`` when the page is the translation of an existing one) and the Markdown body —
and reads it back with :meth:`jindallae.model.Model.parse_text`, so the draft carries the same
:class:`~jindallae.model.Item` the site's reader produces.  :func:`write_draft` writes the
pictures and the page all or nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jindallae.model import COMMON_REQUIRED, FIELDS, Item, Model

from .images import ExtractedImage, ImageSink
from .messages import ImportFailed, Note

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80  # characters; longer slugs made from a title are cut at a hyphen


@dataclass
class Imported:
    """A converted document, not yet a page: its ``title`` (``""`` when it has none), the
    Markdown ``body`` (pictures as placeholders until :meth:`ImageSink.resolve`), the pictures,
    notes for the editor, and ``source``, the name of what was imported (a path, a file name or
    ``-``)."""

    source: str
    title: str
    body: str
    images: ImageSink | None = None
    notes: list[Note] = field(default_factory=list)


@dataclass
class Draft:
    """A page ready to be written: ``rel`` (content-relative path), the file ``text``, the
    ``item`` the reader makes of it, the pictures to write (content-relative ``path`` set) and
    the notes of the import."""

    rel: str
    text: str
    item: Item
    images: list[ExtractedImage]
    notes: list[Note]
    source: str


def slug_for(title: str) -> str:
    """The slug ``jindallae new`` would make from ``title`` (pinyin / romanised), at most
    :data:`SLUG_MAX` characters (cut at a hyphen); ``""`` when nothing sluggable is left."""
    from jindallae.slugs import slugify

    slug = slugify(title)
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX + 1].rsplit("-", 1)[0].strip("-")
    return slug


def _yaml_text(text: str) -> str:
    from jindallae.scaffold import _yaml_text as scaffold_text  # the same quoting as `jindallae new`

    return scaffold_text(text)


def front_matter(model: Model, section: str, lang: str, title: str, today: dt.date, source_lang: str | None) -> str:
    """The front matter (with its ``---`` lines) of an imported page: the fields ``jindallae
    new`` writes, ``status: draft``, and ``translated_from`` naming ``source_lang`` when given."""
    lines = ["---", f"title: {_yaml_text(title)}", f"date: {today.isoformat()}", "summary:", "tags: []", "author:",
             "status: draft"]
    for name in model.sections[section].required:
        if name == "summary" or name in COMMON_REQUIRED:
            continue
        if name == "event":
            lines += ["event:", f"  id: {uuid.uuid4()}", f"  start: {today.isoformat()}", f"  end: {today.isoformat()}",
                      "  location:", "  address:"]
        else:
            lines.append(f"{name}:  # {FIELDS[name].doc}")
    if source_lang:
        lines += ["translated_from:", f"  lang: {source_lang}"]
    return "\n".join(lines + ["---", ""])


def make_draft(model: Model, root: Path, imported: Imported, section: str, lang: str, slug: str | None = None,
               title: str | None = None, today: dt.date | None = None) -> Draft:
    """The draft page for ``imported`` in ``root`` (the content folder).

    ``title`` overrides the document's; without either, the source's file name is the title.
    ``slug`` defaults to :func:`slug_for` the title.  Raises :class:`ImportFailed` for an
    unknown section or language, an unusable slug, a page that exists already, a slug another
    section uses, or a text the content model refuses.  Writes nothing."""
    path = imported.source
    if section not in model.sections:
        raise ImportFailed("unknown_section", path=path, section=section, sections=", ".join(model.sections))
    if lang not in model.by_code:
        raise ImportFailed("unknown_lang", path=path, lang=lang, langs=", ".join(model.by_code))
    today = today or dt.date.today()
    stem = re.sub(r"\.(docx|html?|txt|md)$", "", os.path.basename(path), flags=re.I)
    page_title = " ".join((title or imported.title or ("" if stem in ("-", "") else stem)).split())
    if not page_title:
        page_title = {"zh": "导入的文档", "ko": "가져온 문서"}.get(lang, "Imported document")
    if slug:
        if not SLUG_RE.match(slug):
            raise ImportFailed("bad_slug", path=path, slug=slug)
    else:
        slug = slug_for(page_title)
        if not slug:
            raise ImportFailed("no_slug", path=path, title=page_title)
    rel = f"{section}/{slug}.{lang}.md"
    if (root / rel).exists():
        raise ImportFailed("exists", path=path, target=f"{root.name}/{rel}")
    others = sorted(p for p in root.glob(f"*/{slug}.*.md") if p.parent.name != section)
    if others:
        other = others[0].relative_to(root).as_posix()
        raise ImportFailed("slug_taken", path=path, slug=slug, other=f"{root.name}/{other}")
    source_lang = None
    if lang != model.default.code and (root / section / f"{slug}.{model.default.code}.md").is_file():
        source_lang = model.default.code  # the translation of an existing page
    body = imported.body
    images: list[ExtractedImage] = []
    notes = list(imported.notes)
    if imported.images is not None:
        body = imported.images.resolve(body, slug, today.year)
        images = list(imported.images.images)
        notes += imported.images.notes
        if images:
            notes.append(Note("images_alt", {"path": path, "count": len(images),
                                             "folder": f"{root.name}/images/{today.year}/"}))
    remote = re.findall(r"!\[TODO[^\]]*\]\((https?://[^)\s]+)\)", body)
    if remote:
        notes.append(Note("image_remote", {"path": path, "count": len(remote), "example": remote[0][:80]}))
    text = front_matter(model, section, lang, page_title, today, source_lang) + "\n" + body
    item, errors = model.parse_text(root, rel, text)
    if item is None or errors:
        detail = "; ".join(e.english for e in errors)[:300] or "unreadable"
        raise ImportFailed("invalid_page", path=path, detail=detail)
    return Draft(rel, text, item, images, notes, path)


def write_draft(root: Path, draft: Draft) -> list[Path]:
    """Write the pictures, then the page, into ``root``; returns the files created.

    All or nothing: each file is created exclusively (an existing page is never overwritten: a
    page that appeared meanwhile raises :class:`ImportFailed` ``exists``); a picture already on
    disk with the same bytes is reused, not rewritten; on any failure every file created here is
    removed again and :class:`ImportFailed` (``write_failed``) is raised."""
    created: list[Path] = []
    try:
        for image in draft.images:
            target = root / image.path
            if target.is_file() and target.read_bytes() == image.data:
                continue
            _create(target, image.data)
            created.append(target)
        page = root / draft.rel
        _create(page, draft.text.encode("utf-8"))
        created.append(page)
    except FileExistsError as exc:
        _remove(created)
        raise ImportFailed("exists", path=draft.source, target=_shown(root, exc.filename, draft.rel)) from None
    except OSError as exc:
        _remove(created)
        raise ImportFailed("write_failed", path=draft.source, target=_shown(root, exc.filename, draft.rel),
                           detail=exc.strerror or type(exc).__name__) from None
    except BaseException:
        _remove(created)
        raise
    return created


def _create(target: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``target`` (its folder made as needed): a temporary file in
    the same folder, flushed, then linked to the name (fails if it exists) — never a
    half-written file under the final name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError as exc:
            exc.filename = str(target)
            raise
    finally:
        tmp.unlink(missing_ok=True)


def _shown(root: Path, filename: object, default: str) -> str:
    """``content/<rel>`` for a file under ``root`` named in an OSError (else ``default``)."""
    try:
        rel = Path(str(filename)).relative_to(root).as_posix() if filename else default
    except ValueError:
        rel = default
    return f"{root.name}/{rel}"


def _remove(paths: list[Path]) -> None:
    for p in reversed(paths):
        try:
            p.unlink()
        except OSError:
            pass


def draft_findings(project: Path, root: Path, rel: str, settings: dict[str, Any] | None = None) -> list:
    """The findings of ``jindallae check`` for the written page ``rel`` (Traditional
    characters, picture alt texts, paste debris, …) except the translation ones a new page
    always has; sorted by place."""
    from jindallae.checks import run_checks

    if settings is not None:
        from jindallae.model import model_from_settings

        report = run_checks(model_from_settings(settings), root, [rel], settings)
    else:
        report = run_checks(project, root, [rel])
    return [f for f in report.findings if f.path == rel and not f.id.startswith("translation-")]
