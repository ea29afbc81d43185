"""Blueprint ``content``: the content list (filters, search), new page, edit, live preview.

Permissions (issue #7 item 3, enforced here on the server for every action):

* editor — creates pages and edits originals (pages that are not translations);
* translator — creates and edits translations (a file with ``translated_from``, or a version
  beside the default language's original);
* reviewer — may edit any page (and approve, publish, unpublish: :mod:`cms.workflow`);
* admin — users and roles only (no content rights unless also holding one of the above).

The workflow state (``status``) is not a form field: it changes only through the workflow
actions.

A file the form cannot show (broken front matter: an unclosed quote, the closing ``---``
missing ...) is listed with its error and opened in a text editor (``edit_raw.html``): the
whole file in one field, each error with its line number and that line.  Text that still
cannot be read, or that breaks a rule the form would refuse too, is not saved and stays in the
field; a correction that makes the page published waits for review like every change to a
published page (:func:`save_raw`).

Also shared with the other content blueprints: :func:`get_store`, :func:`author_of`,
:func:`can_edit`, :func:`is_translation`, :func:`render_edit`, :func:`needs_text_editor`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)

from jindallae.markup import LinkContext, NestingTooDeep, render
from jindallae.model import Item, nesting_error
from jindallae.slugs import slugify

from . import forms
from .auth import current_user, login_required, roles_required
from .content_store import (Author, Conflict, ContentStore, Exists, GitFailed, NotFound, Page, StoreError,
                            ValidationFailed, WriteFailed, compose, get_value, keep_status, line_text, merge_texts,
                            os_error_text, revision_of, set_value, side_by_side, unified_diff, unreadable_error)
from .i18n import gettext as _
from .i18n import get_lang

bp = Blueprint("content", __name__)

EDIT_ROLES = ("editor", "translator", "reviewer")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def get_store() -> ContentStore:
    """The app's :class:`ContentStore` (made once per app, kept in ``app.extensions``)."""
    store = current_app.extensions.get("cms_content_store")
    if store is None:
        store = ContentStore.for_project(Path(current_app.config["PROJECT_DIR"]), Path(current_app.config["CONTENT_DIR"]))
        current_app.extensions["cms_content_store"] = store
    return store


def author_of(user: Any) -> Author:
    """The git author for a CMS user (display name and e-mail)."""
    if user is None:
        return Author("Jindallae CMS", "cms@jindallae.invalid")
    return Author(user.name, user.email or f"{user.username}@jindallae.invalid")


def versions(store: ContentStore, rel: str) -> dict[str, str]:
    """``{lang: path}`` of the existing language versions of the page ``rel``."""
    section, slug, _lang = store.model.page_key(rel)
    out = {}
    for lang in store.model.languages:
        other = f"{section}/{slug}.{lang.code}.md"
        if (store.root / other).is_file():
            out[lang.code] = other
    return out


def translated_from(front: Any) -> dict[str, str]:
    """The ``translated_from`` mapping of round-trip front matter as text (``{}`` when absent)."""
    value = get_value(front, "translated_from") if front is not None else None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def is_translation(store: ContentStore, page: Page) -> bool:
    """True when ``page`` is a translation: it records ``translated_from``, or it stands beside
    the default language's version and no version says it is the original (the rule of
    :mod:`jindallae.checks.translations`)."""
    if translated_from(page.front):
        return True
    default = store.model.default.code
    if page.lang == default:
        return False
    others = versions(store, page.path)
    if default not in others:
        return False
    for lang, rel in others.items():
        if lang == page.lang:
            continue
        try:
            if translated_from(store.load(rel).front).get("lang") == page.lang:
                return False
        except NotFound:
            continue
    return True


def can_edit(user: Any, store: ContentStore, page: Page) -> bool:
    """Whether ``user`` may change ``page`` (see the module docstring)."""
    if user is None:
        return False
    if user.can("reviewer"):
        return True
    return user.can("translator") if is_translation(store, page) else user.can("editor")


def load_or_404(store: ContentStore, rel: str) -> Page:
    """``store.load(rel)`` with messages in the UI language; a 404 response for a missing page."""
    try:
        return store.load(rel, get_lang())
    except NotFound:
        abort(404)


def title_of(page: Page) -> str:
    """The page's title as written, or its path when it has none."""
    title = get_value(page.front, "title") if page.front is not None else None
    return str(title) if title else page.path


def edit_message(verb: str, rel: str, title: str) -> str:
    """A readable commit message: ``Edit news/x.zh.md: 标题``."""
    return f"{verb} {rel}: {title}" if title else f"{verb} {rel}"


def merge_view(theirs: str, yours: str, base: Page | None = None, fields: list[forms.FormField] | None = None
               ) -> dict[str, Any]:
    """The W1 merge context: both texts, a unified diff and side-by-side hunks; and, when the
    text the editor started from is known and the two changes do not overlap, the combined
    text (``git merge-file``) with the form values to fill in (``combined_form``)."""
    out: dict[str, Any] = {"theirs": theirs, "yours": yours, "hunks": side_by_side(theirs, yours),
                           "unified": unified_diff(theirs, yours, "current", "yours"), "combined": None}
    if base is None or not fields:
        return out
    merged = merge_texts(base.text, yours, theirs)
    if merged is None or merged in (theirs, yours):
        return out
    page = get_store().page_from_text(base.path, merged, revision_of(merged.encode("utf-8", "surrogateescape")))
    if page.front is None:
        return out
    values: dict[str, str] = {}
    for name, text in forms.form_values(fields, page.front).items():
        field = next(f for f in fields if f.name == name)
        if field.widget != "readonly":
            values.update(forms.input_values(field, text))
    values["body"] = page.body
    out["combined"] = merged
    out["combined_form"] = values
    return out


def error_context(store: ContentStore, rel: str, text: str, errors: list, fields: list[forms.FormField]) -> dict[str, Any]:
    """Errors split by form field (by the line each points at in ``text``) and the rest."""
    item, _errs = store.model.parse_text(store.root, rel, text)
    by_field, other = forms.errors_by_field(errors, item, {f.name for f in fields})
    return {"field_errors": by_field, "form_errors": other}


def fields_for(store: ContentStore, rel: str) -> list[forms.FormField]:
    """The edit form's fields for the page ``rel``: its section's (:func:`forms.page_fields`)
    and, when the site makes posters, the poster panel's with the configured formats."""
    from .posters import poster_choices

    section, _slug, lang = store.model.page_key(rel)
    return forms.page_fields(store.model, section, poster_choices(lang))


def render_edit(template: str, page: Page, *, values: dict[str, str] | None = None, body: str | None = None,
                base_revision: str | None = None, status: int = 200, **extra: Any):
    """Render the edit form (``edit.html`` or ``translate.html``) for ``page``, filled with
    ``values``/``body`` (the submitted ones after a failed save, W6).

    For a published page and a user without the reviewer role the form shows the page's
    pending revision when it has one (:mod:`cms.pending`), with a notice; a reviewer sees the
    live file and a link to the pending change."""
    from . import pending

    store = get_store()
    user = current_user()
    live = page
    row = pending.current(page.path) if pending.page_status(page) == "published" else None
    gated = pending.needs_review(user, page)
    if gated:
        page = pending.editing_page(store, live, row, get_lang())
    section = store.model.page_key(page.path)[0]
    fields = fields_for(store, page.path)
    shown = forms.form_values(fields, page.front)
    if values:
        shown.update(values)
    from .posters import panel_context
    context = {
        "page": page, "fields": fields, "values": shown, "body": page.body if body is None else body,
        "base_revision": base_revision or page.revision, "title": title_of(page),
        "status": (page.item.status if page.item else get_value(page.front, "status") or "published"),
        "status_labels": forms.STATUS_LABELS, "lang": page.lang, "section": section,
        "unknown_fields": [k for k in (page.front or {}) if k not in forms.FIELDS],
        "field_errors": {}, "form_errors": [], "merge": None, "posters": poster_links(page),
        "existing_errors": [forms.with_labels(e.message) for e in page.errors],
        "other_versions": versions(store, page.path), "translation": is_translation(store, page),
        "lang_names": {lang.code: lang.name for lang in store.model.languages},
        "just_saved": bool(request.args.get("saved") or request.args.get("discard")),
        "pending_row": row, "pending_gated": gated, "live_revision": live.revision,
        "pending_rejected": pending.last_rejection(page.path) if gated and row is None else None,
        "poster_panel": panel_context(page, fields),
    }
    context.update(extra)
    return render_template(template, **context), status


def _built_folder() -> Path:
    """The folder of the last CMS publish's build (the deploy target's production build, or
    ``OUTPUT_DIR``; :func:`cms.publish.published_output`)."""
    try:
        from .publish import published_output
    except ImportError:
        return Path(current_app.config["OUTPUT_DIR"])
    return published_output()


def poster_links(page: Page) -> list[tuple[str, str]]:
    """``[(file name, URL)]`` of the built posters of the page (``plugins/posters`` writes
    ``poster-<variant>-<format>.png`` into the page's output folder; a bilingual poster into
    the default language's folder) when the posters plugin is present; an empty list hides
    the poster preview.  They show the last publish, not unsaved changes."""
    project = Path(current_app.config["PROJECT_DIR"])
    if not (project / "plugins" / "posters").is_dir():
        return []
    output = _built_folder()
    model = get_store().model
    key = model.page_key(page.path)
    if key is None:
        return []
    section, slug, lang = key
    found = []
    folders = [(output / model.article_url(section, slug, lang), "poster-*.png")]
    if lang != model.default.code:
        folders.append((output / model.article_url(section, slug, model.default.code), "poster-bilingual-*.png"))
    for folder, pattern in folders:
        for png in sorted(folder.glob(pattern)):
            found.append((png.name, url_for("content.built_file", rel=png.relative_to(output).as_posix())))
    return found


def poster_blockers(store: ContentStore, rel: str, text: str, fields: list[forms.FormField]) -> dict[str, list[str]]:
    """``{form field: [messages]}``: what would stop the build's posters of the published page
    ``rel`` if its file read ``text`` (:func:`cms.posters.save_problems`), each message on the
    poster field it is about (the panel's on/off box when the form has no such field)."""
    from .posters import save_problems

    names = {f.name for f in fields}
    out: dict[str, list[str]] = {}
    for field, message in save_problems(store, rel, text):
        name = field if field in names else "poster" if "poster" in names else ""
        if message not in out.get(name, []):
            out.setdefault(name, []).append(message)
    return out


def save_form(page: Page, template: str, ok_endpoint: str, verb: str, extra_changes: dict[str, Any] | None = None,
              **extra: Any):
    """Handle a submitted edit form for ``page``: apply the changed fields and body, save with
    the base revision, and on success redirect (the page then clears the browser draft).  On
    failure the form is shown again with everything the editor typed and what went wrong:
    409 + merge view for a stale base (W1), 422 for validation errors, 500 for a write or git
    failure (W6)."""
    from . import pending

    store = get_store()
    fields = fields_for(store, page.path)
    submitted = forms.read_form(fields, request.form)
    body = request.form.get("body", "")
    base = request.form.get("base_revision", "")
    user = current_user()
    problems = forms.control_problems(fields, request.form)
    if problems:  # a choice half made (a lunar month without its day ...): nothing is saved
        return render_edit(template, page, values=submitted, body=body, base_revision=base or None, status=422,
                           save_failed=_("Not saved: please correct the fields marked below."), field_errors=problems,
                           **extra)
    gated = pending.needs_review(user, page)  # published page, no reviewer role: a pending revision
    live = page
    if gated:
        page = pending.editing_page(store, live, pending.current(live.path), get_lang())
    basis = page
    if base and base != page.revision:
        # Build "yours" on the text the editor loaded (its blob is in git: every save commits;
        # a pending text is in the pending table).
        from jindallae.checks.translations import read_blobs

        old = read_blobs(store.root, [base]).get(base)
        old_text = old.decode("utf-8", "surrogateescape") if old is not None else (
            pending.text_by_revision(page.path, base) if gated else None)
        if old_text is not None:
            basis = store.page_from_text(page.path, old_text, base)
    new_front, changed = forms.apply_form(fields, basis.front, submitted)
    for key, value in (extra_changes or {}).items():
        set_value(new_front, key, value)
        changed = True
    text = store.text_for(basis, new_front, body, changed)
    title = str(get_value(new_front, "title") or "")
    blocked = poster_blockers(store, page.path, text, fields)
    if blocked:  # a published page whose posters the build could not make: nothing is written
        return render_edit(template, live, values=submitted, body=body, base_revision=base or None, status=422,
                           save_failed=_("Not saved: this page is published and its posters could not be made. "
                                         "Please correct the poster fields marked below."), field_errors=blocked,
                           **extra)
    try:
        if gated:
            saved = pending.save_pending(store, live, text, base, user, get_lang())
        else:
            result = store.save_text(page.path, text, base, author_of(user), edit_message(verb, page.path, title),
                                     get_lang())
    except Conflict as exc:
        flash_now = _("Someone else saved this page after you opened it. Nothing of yours was saved and nothing "
                      "was lost: their version is on the left, your text is still in the form. Copy their changes "
                      "into your text, then save again.")
        merge = merge_view(exc.current_text, text, basis if basis is not page else None, fields)
        return render_edit(template, live, values=submitted, body=body, base_revision=exc.current_revision,
                           status=409, merge=merge, form_errors=[flash_now], **extra)
    except ValidationFailed as exc:
        ctx = error_context(store, page.path, text, exc.errors, fields)
        return render_edit(template, live, values=submitted, body=body, base_revision=base, status=422,
                           save_failed=_("Not saved: please correct the fields marked below."), **ctx, **extra)
    except WriteFailed as exc:
        return render_edit(template, live, values=submitted, body=body, base_revision=base, status=500,
                           save_failed=_("Not saved: the file could not be written (%(detail)s). Your text is "
                                         "kept below; try again later or tell an administrator.", detail=exc.detail),
                           **extra)
    except GitFailed as exc:
        return render_edit(template, live, values=submitted, body=body, base_revision=base, status=500,
                           save_failed=_("Not saved: the change could not be recorded in the history (git: "
                                         "%(detail)s). The file was left as it was and your text is kept below; "
                                         "try again in a moment.", detail=exc.detail), **extra)
    if gated:
        if saved.changed:
            flash(_("Your change awaits review: the page is published, so the change goes live only when a "
                    "reviewer approves it. The live page is unchanged."), "success")
        else:
            flash(_("No changes to save."), "info")
        return redirect(url_for(ok_endpoint, rel=page.path, saved=saved.revision[:12]))
    if result.commit:
        flash(_("Saved."), "success")
    else:
        flash(_("No changes to save."), "info")
    return redirect(url_for(ok_endpoint, rel=page.path, saved=result.revision[:12]))


# ---------------------------------------------------------------------------------------------
# List


def _search_key(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text).casefold()


@bp.get("/")
@login_required
def index():
    """The content list: every article with its language versions, filtered by section,
    language, status and translation state (missing — a version that does not exist or is not
    translated yet, :mod:`cms.translate` — / outdated / current), searched by title
    (case-insensitive substring, NFKC-normalised so full-width Latin matches too).  A file the
    content model cannot read is listed with its error and a link to the text editor, whatever
    the status and translation filters."""
    store = get_store()
    items, errors = store.items()
    states = store.states(items)
    unreadable = store.unreadable(items, errors, get_lang())
    f_section = request.args.get("section", "")
    f_lang = request.args.get("lang", "")
    f_status = request.args.get("status", "")
    f_state = request.args.get("state", "")
    query = request.args.get("q", "").strip()
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        groups.setdefault(item.key, {})[item.lang] = item
    for rel, error in unreadable.items():
        section, slug, code = store.model.page_key(rel)
        groups.setdefault((section, slug), {})[code] = error
    rows = []
    codes = [lang.code for lang in store.model.languages]
    for (section, slug), langs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if f_section and section != f_section:
            continue
        cells = {}
        for code in codes:
            item = langs.get(code)
            if item is None:
                cells[code] = {"state": "missing", "path": f"{section}/{slug}.{code}.md"}
                continue
            if not isinstance(item, Item):  # a file the model cannot read: its error, to be fixed
                cells[code] = {"state": "unreadable", "path": item.path, "error": item, "title": slug}
                continue
            st = states.get(item.path)
            cells[code] = {"state": st.state if st else "original", "path": item.path, "status": item.status,
                           "title": str(item.fields.get("title") or slug)}
        present = [c for c in cells.values() if c["state"] != "missing"]
        broken = any(c["state"] == "unreadable" for c in present)
        art_state = ("unreadable" if broken else
                     "missing" if len(present) < len(codes) or any(c["state"] == "untranslated" for c in present) else
                     "outdated" if any(c["state"] in ("outdated", "unrecorded", "source-missing") for c in present)
                     else "current")
        if f_lang and (f_lang not in langs):
            continue
        # A file that cannot be read has no status or translation state to filter by, and it
        # stops every publish until it is fixed: it stays in the list whatever those filters.
        if f_status and not broken and not any(c.get("status") == f_status and (not f_lang or p == f_lang)
                                               for p, c in cells.items()):
            continue
        if f_state and not broken and art_state != f_state:
            continue
        titles = [c["title"] for c in present if c["state"] != "unreadable"] or [slug]
        if query and not any(_search_key(query) in _search_key(t) for t in titles):
            continue
        rows.append({"section": section, "slug": slug, "cells": cells, "state": art_state, "title": titles[0]})
    user = current_user()
    from . import pending

    pending_paths = {row["path"]: row["id"] for row in pending.queue()}  # changes of published pages
    return render_template("content_list.html", rows=rows, codes=codes, model=store.model, pending_paths=pending_paths,
                           filters={"section": f_section, "lang": f_lang, "status": f_status, "state": f_state, "q": query},
                           status_labels=forms.STATUS_LABELS, can_create=user.can("editor"),
                           can_translate=user.can("translator") or user.can("editor"),
                           can_review=user.can("reviewer"))


# ---------------------------------------------------------------------------------------------
# New page


def new_page_text(store: ContentStore, section: str, lang: str, values: dict[str, str], body: str,
                  fields: list[forms.FormField]) -> str:
    """The text of a new page: the form's fields in the model's order, ``status: draft``, an
    event id for events (the iCalendar UID, assigned once)."""
    from ruamel.yaml.comments import CommentedMap

    front = CommentedMap()
    if section == "events":
        front["event"] = CommentedMap([("id", str(uuid.uuid4()))])
    new, _changed = forms.apply_form(fields, front, values)
    set_value(new, "status", "draft")
    text = compose("", new, "\n" + body.replace("\r\n", "\n").lstrip("\n"), "\n")
    return text


@bp.route("/new", methods=["GET", "POST"])
@roles_required("editor")
def new():
    """Create a page in one language (status draft); the translation is made from its page.
    The title is required: without one the form says so on the title field (the address name,
    made from the title when left empty, is then not blamed); what was typed stays."""
    store = get_store()
    model = store.model
    section = request.values.get("section", "news")
    if section not in model.sections:
        section = "news"
    lang = request.values.get("lang", model.default.code)
    if lang not in model.by_code:
        lang = model.default.code
    fields = forms.page_fields(model, section)
    values = forms.read_form(fields, request.form) if request.method == "POST" else {}
    body = request.form.get("body", "")
    slug = request.form.get("slug", "").strip()
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and request.form.get("step") == "create":
        title = values.get("title", "")
        field_errors.update(forms.control_problems(fields, request.form))
        if not title.strip():
            # The title is required, and an empty address name is made from it: say so on the
            # title field, not as a slug error the editor did not cause.
            field_errors["title"] = [_("The title is required: write the page's title in the Title field.")]
        slug = slug or slugify(title)
        if not slug and not title.strip():
            pass  # nothing typed in either field: the title error says what to do
        elif not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug or ""):
            field_errors["slug"] = [_("The address name may contain only lowercase letters, digits and hyphens.")]
        elif any(store.root.glob(f"*/{slug}.*.md")):
            field_errors["slug"] = [_("The address name %(slug)s is already used by another page; choose another.",
                                      slug=slug)]
        if not field_errors:
            rel = f"{section}/{slug}.{lang}.md"
            text = new_page_text(store, section, lang, values, body, fields)
            try:
                store.save_text(rel, text, None, author_of(current_user()), edit_message("Create", rel, title),
                                get_lang(), create=True)
            except ValidationFailed as exc:
                ctx = error_context(store, rel, text, exc.errors, fields)
                field_errors, errors = ctx["field_errors"], ctx["form_errors"]
            except Exists:
                field_errors["slug"] = [_("The address name %(slug)s is already used by another page; choose "
                                          "another.", slug=slug)]
            except (WriteFailed, GitFailed) as exc:
                errors = [_("Not saved: %(detail)s. Your text is kept below; try again.", detail=exc.detail)]
            except OSError as exc:  # anything else of the file system on the way: the form stays
                errors = [_("Not saved: %(detail)s. Your text is kept below; try again.",
                            detail=os_error_text(exc))]
            else:
                flash(_("Page created as a draft."), "success")
                return redirect(url_for("content.edit", rel=rel, saved="new"))
        status = 422
    if not values.get("date") and request.method == "GET":
        values["date"] = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    return render_template("new.html", fields=fields, values=values, body=body, slug=slug, section=section,
                           lang=lang, model=model, form_errors=errors, field_errors=field_errors), status


# ---------------------------------------------------------------------------------------------
# Edit


@bp.route("/edit/<path:rel>", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit(rel: str):
    """Edit one page through the generated fields (GET shows, POST saves: see :func:`save_form`)."""
    store = get_store()
    page = load_or_404(store, rel)
    user = current_user()
    if not can_edit(user, store, page):
        abort(403)
    if request.method == "POST" and "raw_text" in request.form:
        return save_raw(page)
    if needs_text_editor(user, page):
        if request.method == "POST":  # the form of a page that has become unreadable since it was opened
            return render_raw(page, status=409, merge=merge_view(page.text, request.form.get("body", "")),
                              save_failed=_("Not saved: the file was changed meanwhile and cannot be read now. "
                                            "Your text is kept under “Your version”; correct the file where the "
                                            "message points, copy your text into it, then save."))
        return render_raw(page)
    if request.method == "POST":
        return save_form(page, "edit.html", "content.edit", "Edit")
    return render_edit("edit.html", page)


# ---------------------------------------------------------------------------------------------
# The text editor for a file the content model cannot read


def needs_text_editor(user: Any, page: Page) -> bool:
    """True when ``page`` must be fixed as text: the content model cannot read it (no or
    unclosed front matter, YAML that does not parse ...), so the form has nothing to show.
    Not when the user edits a pending change of the page (that text can be read)."""
    from . import pending

    if unreadable_error(page) is None:
        return False
    return not (pending.needs_review(user, page) and pending.current(page.path) is not None)


def problems_of(page_text: str, errors: list) -> list[dict[str, Any]]:
    """The errors of a file text for the text editor: ``{line, message, text}`` with the text
    of the line each points at (line 0: the whole file)."""
    return [{"line": e.line, "message": e.message, "text": line_text(page_text, e.line) if e.line else ""}
            for e in sorted(errors, key=lambda e: e.line)]


def render_raw(page: Page, *, text: str | None = None, errors: list | None = None, base_revision: str | None = None,
               status: int = 200, **extra: Any):
    """The text editor (``edit_raw.html``) for ``page``: the whole file in one text field, the
    content model's errors with their line numbers and lines — of the file, or of ``text``
    (what the user typed, after a refused save: it stays as typed) unless ``errors`` are
    given."""
    from . import pending

    shown = page.text if text is None else text
    if errors is None:  # the errors of the text in the field (the user's, after a refused save)
        errors = page.errors if text is None else get_store().page_from_text(
            page.path, text, revision_of(text.encode("utf-8", "surrogateescape")), get_lang()).errors
    context = {
        "page": page, "text": shown, "base_revision": base_revision or page.revision,
        "problems": problems_of(shown, errors),
        "lang": page.lang, "merge": None, "save_failed": None,
        "reviewer": bool(current_user() and current_user().can("reviewer")),
        "pending_row": pending.current(page.path),
    }
    context.update(extra)
    return render_template("edit_raw.html", **context), status


def save_raw(page: Page):
    """Save the text editor's ``raw_text`` as the file of ``page`` (W1: against the revision
    the editor loaded).  Text the content model still cannot read is refused with its errors,
    as are new errors the form would refuse (422); the typed text is always shown again.  A
    correction whose status is ``published`` (written, or by default) by a user without the
    reviewer role becomes a pending change that a reviewer approves, as every change to a
    published page does (:mod:`cms.pending`); otherwise the file is written and committed."""
    from . import pending

    store = get_store()
    user = current_user()
    text = request.form.get("raw_text", "").replace("\r\n", "\n")
    if page.newline == "\r\n":
        text = text.replace("\n", "\r\n")
    base = request.form.get("base_revision", "")
    # A page that can be read keeps its status (it changes only through the workflow actions);
    # for one that cannot, the status written in the correction is the first one it has.
    text = keep_status(text, page, store)
    new = store.page_from_text(page.path, text, revision_of(text.encode("utf-8", "surrogateescape")), get_lang())
    if unreadable_error(new) is not None:
        return render_raw(page, text=text, errors=new.errors, base_revision=base or None, status=422,
                          save_failed=_("Not saved: the file still cannot be read. Correct the line named below, "
                                        "then save again; your text is kept."))
    blocked = poster_blockers(store, page.path, text, [])
    if blocked:  # a published page whose posters the build could not make: nothing is written
        from .i18n import list_separator

        return render_raw(page, text=text, base_revision=base or None, status=422,
                          save_failed=_("Not saved: this page is published and its posters could not be made "
                                        "(%(problems)s). Your text is kept.",
                                        problems=list_separator("; ").join(m for ms in blocked.values() for m in ms)))
    gated = not user.can("reviewer") and new.item.status == "published"
    try:
        if gated:
            saved = pending.save_pending(store, page, text, base, user, get_lang())
        else:
            result = store.save_text(page.path, text, base, author_of(user),
                                     edit_message("Edit", page.path, str(new.item.fields.get("title") or "")),
                                     get_lang())
    except Conflict as exc:
        return render_raw(page, text=text, base_revision=exc.current_revision, status=409,
                          merge=merge_view(exc.current_text, text),
                          save_failed=_("Someone else saved this page after you opened it. Nothing of yours was "
                                        "saved and nothing was lost: their version is on the left, your text is "
                                        "still in the form. Copy their changes into your text, then save again."))
    except ValidationFailed as exc:
        return render_raw(page, text=text, errors=exc.errors, base_revision=base or None, status=422,
                          save_failed=_("Not saved: please correct the lines named below; your text is kept."))
    except WriteFailed as exc:
        return render_raw(page, text=text, base_revision=base or None, status=500,
                          save_failed=_("Not saved: the file could not be written (%(detail)s). Your text is "
                                        "kept below; try again later or tell an administrator.", detail=exc.detail))
    except GitFailed as exc:
        return render_raw(page, text=text, base_revision=base or None, status=500,
                          save_failed=_("Not saved: the change could not be recorded in the history (git: "
                                        "%(detail)s). The file was left as it was and your text is kept below; "
                                        "try again in a moment.", detail=exc.detail))
    if gated:
        flash(_("Your change awaits review: the page is published, so the change goes live only when a "
                "reviewer approves it. The live page is unchanged."), "success")
        return redirect(url_for("content.edit", rel=page.path, saved=saved.revision[:12]))
    flash(_("Saved.") if result.commit else _("No changes to save."), "success" if result.commit else "info")
    return redirect(url_for("content.edit", rel=page.path, saved=result.revision[:12]))


# ---------------------------------------------------------------------------------------------
# Preview


def preview_resolver(store: ContentStore):
    """A ``LinkContext.resolve`` for the preview: content images and files are served by
    :func:`content_file`; links to other pages go to their site URL."""

    def resolve(rel: str) -> str | None:
        """URL for the content path ``rel`` (``None`` outside content/ or when missing)."""
        path = store.root / rel
        try:
            path.resolve().relative_to(store.root)
        except ValueError:
            return None
        if not path.is_file():
            return None
        key = store.model.page_key(rel)
        if key:
            return "/" + store.model.article_url(*key)
        return url_for("content.content_file", rel=rel)

    return resolve


@bp.post("/preview")
@roles_required(*EDIT_ROLES)
def preview():
    """Render Markdown with the site's own renderer (jindallae.markup: CJK line breaks,
    anchors, nh3 sanitising).  JSON in ``{path, body}``, out ``{html, missing}``; the HTML is
    sanitised, and shown under the CMS's CSP (no inline script can run)."""
    data = request.get_json(silent=True) or {}
    body = str(data.get("body", ""))
    rel = str(data.get("path", "")) or "news/preview.zh.md"
    store = get_store()
    if store.model.page_key(rel) is None:
        rel = "news/preview.zh.md"
    try:
        rendered = render(body.replace("\r\n", "\n"), LinkContext(rel, preview_resolver(store)))
    except NestingTooDeep as exc:  # the build would refuse it too: say where and why
        problem = nesting_error(rel, 1, get_lang(), exc)
        return jsonify(html="", error=_("The preview cannot be shown (%(detail)s); the text is kept as it is.",
                                        detail=_("line %(line)s of the text: %(problem)s", line=problem.line,
                                                 problem=problem.message)))
    except Exception as exc:  # e.g. RecursionError on absurd nesting: say so, keep the editor working
        return jsonify(html="", error=_("The preview cannot be shown (%(detail)s); the text is kept as it is.",
                                        detail=type(exc).__name__))
    return jsonify(html=rendered.html, missing=[m[0] for m in rendered.missing])


@bp.get("/preview/theme.css")
@login_required
def theme_css():
    """The site theme's stylesheet for the preview, with ``:root``/``html``/``body`` rules
    applied to the preview's shadow host (``:host``) so they style the preview only, never the
    CMS page around it."""
    project = Path(current_app.config["PROJECT_DIR"])
    css = (project / "themes" / "jindallae" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    css = re.sub(r"(^|[\s,}])(?::root|html|body)(?=[\s,{])", r"\1:host", css)
    response = current_app.response_class(css, mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/content-file/<path:rel>")
@login_required
def content_file(rel: str):
    """An image or file from content/images or content/files (for the preview)."""
    store = get_store()
    if rel.split("/", 1)[0] not in ("images", "files"):
        abort(404)
    path = (store.root / rel).resolve()
    try:
        path.relative_to(store.root)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path)


@bp.get("/built/<path:rel>")
@login_required
def built_file(rel: str):
    """A file of the built site (the poster preview)."""
    output = _built_folder().resolve()
    path = (output / rel).resolve()
    try:
        path.relative_to(output)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path)
