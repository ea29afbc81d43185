"""Blueprint ``importer``: a Word document as a new draft page, and "clean up pasted text".

Both use :mod:`jindallae.importers` (which knows nothing of the CMS); this module adds what the
web needs: roles, limits, one git commit, messages in the editor's interface language.

* ``POST /import/docx`` (editors; the form on **New page**): multipart ``file`` (.docx),
  ``section``, ``lang``, optional ``slug``.  The document is converted in memory; nothing is
  written unless it converted completely and the page is valid.  Then the pictures
  (``content/images/<year>/``) and the page (``status: draft``) are written and committed in
  **one** commit with the user as author, the import is written to the audit log, and the
  browser goes to the new page's editor, with notes (pictures to describe, styles not
  recognised) and what the checks found (Traditional characters: reported, not converted) shown
  at the top.  A refusal (not a .docx, password, damage, zip bomb, over ``UPLOAD_MAX_BYTES``)
  goes back to **New page** with the reason; nothing is left behind.
* ``POST /import/clean`` (anyone who edits; the editor's "clean up pasted text" button): JSON
  ``{text, html?, lang}`` → ``{markdown, changed, notes}``.  Nothing is saved: the editor sees
  the result and accepts it or not.  With ``html`` (the clipboard's HTML of the last paste)
  its structure is used; otherwise the text is cleaned line by line.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for

from .auth import current_user, roles_required
from .db import audit
from .i18n import BEIJING, format_size, get_lang
from .i18n import gettext as _

bp = Blueprint("importer", __name__, url_prefix="/import")

CLEAN_MAX_CHARS = 2_000_000  # characters of text or HTML sent to "clean up pasted text"


def _back(section: str, lang: str):
    return redirect(url_for("content.new", section=section, lang=lang))


def _display_name(filename: str) -> str:
    """The uploaded file's name for messages: its last path component only, never a path."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    return name[:120] or "document.docx"


def _stream_size(stream) -> int | None:
    """Bytes in an uploaded file's stream (Werkzeug spools it to memory or a temporary file)."""
    try:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        return size
    except (OSError, AttributeError, ValueError):
        return None


@bp.errorhandler(413)
def _too_large(_exc):
    """The request itself is over the app's limit: say it about the document."""
    limit = format_size(int(current_app.config["UPLOAD_MAX_BYTES"]))
    message = _("The Word document is larger than %(size)s and was not imported. Compress its pictures in Word "
                "(Picture Format > Compress Pictures) or split it, then try again.", size=limit)
    if request.endpoint == "importer.clean":
        return jsonify(error=message), 413
    flash(message, "error")
    return _back(request.args.get("section", "news"), request.args.get("lang", ""))


def commit_draft(store, draft, user) -> list[Path]:
    """Write ``draft`` (pictures and page, :func:`jindallae.importers.write_draft`) and commit
    exactly those files in one commit with ``user`` as author, under the store's writers' lock.
    On a git failure the files are removed and the index reset; raises
    :class:`cms.content_store.GitFailed` then (or :class:`ImportFailed` from the write)."""
    from jindallae.importers import write_draft

    from .content import author_of, edit_message
    from .content_store import COMMITTER_EMAIL, COMMITTER_NAME, GitFailed, git_safe, run_git

    author = author_of(user)
    title = str(draft.item.fields.get("title") or "")
    message = edit_message("Import", draft.rel, title) + f" (from {draft.source})"
    env = {"GIT_COMMITTER_NAME": COMMITTER_NAME, "GIT_COMMITTER_EMAIL": COMMITTER_EMAIL,
           "GIT_AUTHOR_NAME": git_safe(author.name) or "CMS user",
           "GIT_AUTHOR_EMAIL": git_safe(author.email) or "unknown@jindallae.invalid"}
    with store.locked():
        created = write_draft(store.root, draft)
        paths = [p.resolve().relative_to(store.top).as_posix() for p in created]
        try:
            for args in (("add", "--", *paths),
                         ("commit", "-q", "--author", author.git(), "-m", git_safe(message), "--only", "--", *paths)):
                proc = run_git(store.top, *args, env=env)
                if proc.returncode != 0:
                    raise GitFailed((proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()[:300])
        except (GitFailed, OSError, ValueError, subprocess.SubprocessError) as exc:
            for p in created:
                p.unlink(missing_ok=True)
            head = run_git(store.top, "rev-parse", "--verify", "-q", "HEAD")
            if head.returncode == 0:
                run_git(store.top, "reset", "-q", "HEAD", "--", *paths)
            else:
                run_git(store.top, "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths)
            if isinstance(exc, GitFailed):
                raise
            raise GitFailed(str(exc)) from exc
    return created


def _flash_findings(findings) -> None:
    """The check findings of the new page, summarised (a Traditional report can have a finding
    on every line)."""
    traditional = [f for f in findings if f.id == "traditional"]
    if traditional:
        flash(_("%(count)s line(s) of the imported text contain Traditional characters; they were not converted. "
                "Correct them (the checks block publishing until then), for example: %(example)s",
                count=len(traditional), example=traditional[0].message), "warning")
    others = [f for f in findings if f.id not in ("traditional", "alt-missing")]
    if others:
        flash(_("The checks report %(count)s more problem(s) in the imported page, for example: %(example)s",
                count=len(others), example=others[0].message), "warning")


@bp.post("/docx")
@roles_required("editor")
def docx():
    """Import the uploaded Word document as a new draft (see the module docstring)."""
    from jindallae.importers import ImportFailed, draft_findings, import_docx, make_draft
    from jindallae.importers.docx import human_size

    from .content import get_store
    from .content_store import GitFailed

    store = get_store()
    model = store.model
    # section and lang come in the form's address too, so a refusal before the form is read (413)
    # can still go back to the right New page
    section = request.values.get("section", "news")
    lang = request.values.get("lang", model.default.code)
    slug = request.form.get("slug", "").strip() or None
    ui = get_lang()
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    file = request.files.get("file")
    name = _display_name(file.filename if file else "")
    if file is None or not file.filename:
        flash(_("Choose a Word document (.docx) to import."), "error")
        return _back(section, lang)
    try:
        size = _stream_size(file.stream)
        if size is not None and size > limit:  # said with the real size, and never read into memory
            raise ImportFailed("too_large", path=name, size=human_size(size), limit=human_size(limit))
        data = file.read(limit + 1)
        imported = import_docx(data, name, lang if lang in model.by_code else model.default.code, max_bytes=limit)
        today = dt.datetime.now(BEIJING).date()
        draft = make_draft(model, store.root, imported, section, lang, slug, today=today)
        created = commit_draft(store, draft, current_user())
    except ImportFailed as exc:
        audit("import_refused", name, exc.text("en")[:300])
        flash(exc.text(ui), "error")
        return _back(section, lang)
    except GitFailed as exc:
        flash(_("Not imported: the new page could not be recorded in the history (git: %(detail)s); nothing was "
                "kept. Try again in a moment.", detail=exc.detail), "error")
        return _back(section, lang)
    audit("import", draft.rel, f"from {name!r}, {len(created) - 1} picture(s)")
    flash(_("%(name)s was imported as a draft. Check the headings, tables and pictures before sending it to review.",
            name=name), "success")
    for note in draft.notes:
        flash(note.text(ui), "warning")
    try:
        _flash_findings(draft_findings(Path(current_app.config["PROJECT_DIR"]), store.root, draft.rel))
    except Exception:  # the checks are advice here; the page is saved either way
        current_app.logger.exception("checks after import of %s", draft.rel)
    return redirect(url_for("content.edit", rel=draft.rel, saved="new"))


@bp.post("/clean")
@roles_required("editor", "translator", "reviewer")
def clean():
    """JSON ``{text, html?, lang}`` → ``{markdown, changed, notes}`` (see the module docstring);
    400 for a request without text, 413 above :data:`CLEAN_MAX_CHARS`."""
    from jindallae.importers import clean_paste

    from .content import get_store

    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text", ""), str):
        return jsonify(error=_("Nothing to clean up: send the text of the editor.")), 400
    text = data.get("text") or ""
    html = data.get("html") if isinstance(data.get("html"), str) else None
    if len(text) + len(html or "") > CLEAN_MAX_CHARS:
        return jsonify(error=_("The text is too long to clean up at once (more than %(count)s characters); "
                               "select a part of it and try again.", count=format(CLEAN_MAX_CHARS, ","))), 413
    model = get_store().model
    lang = data.get("lang") if data.get("lang") in model.by_code else model.default.code
    result = clean_paste(text, lang, html, notes_lang=get_lang(), source=_("Pasted text"))
    return jsonify(markdown=result.markdown, changed=result.changed, notes=result.notes)
