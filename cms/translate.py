"""Blueprint ``translate``: the side-by-side translation editor (issue #7 item 6, case W4).

The source language version is on the left (rendered and raw, read-only), the translation on
the right with the same generated fields as the edit page.  A translation records the source
revision it was made from (``translated_from: {lang, revision}``, the revision being the
source's :attr:`jindallae.model.Item.digest`); when the source has changed since, the page is
marked "source changed" and the source diff since that revision is shown beside the
translation (from git, :mod:`jindallae.checks.translations`).  Either language can be the
source: a Korean-first page is translated into Chinese the same way.

Not translated yet.  "Create the translation" copies the source's fields and text into a draft
and records the source's current revision, so by the revisions alone the new draft would be
"up to date" before a word of it is translated.  For the translator it is work still to do, so
the CMS counts a translation as **not translated yet** (state ``untranslated``,
:func:`cms.content_store.still_untranslated`) while

* it is not published (draft or in review), and
* its text is empty, or still the source's text — as the source is now, or as it was at the
  revision the translation recorded (what was copied); line ends, trailing spaces and blank
  lines at either end do not count.  A page without text on either side counts as translated
  once its title differs from the source's.

It becomes translated as soon as its text is the translator's own (saving it is enough: there
is nothing to mark).  A published translation is never counted so: a reviewer approved it as
it is (a page that is only a picture or a table of figures may well be the same in both
languages).  In the translation list such a page is work of the kind ``missing`` (state
``untranslated``: "not translated yet", next to the versions that do not exist at all); in the
content list its article counts as missing under the translation filter; the translate view
says so instead of "up to date".
"""

from __future__ import annotations

import copy

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from jindallae.checks.translations import read_blobs, translation_states
from jindallae.markup import LinkContext, render
from jindallae.model import split_front_matter

from .auth import current_user, login_required, roles_required
from .content import (EDIT_ROLES, author_of, can_edit, get_store, is_translation, load_or_404, needs_text_editor,
                      preview_resolver, render_edit, save_form, title_of, translated_from, versions)
from .content_store import (COPY_STATES, Conflict, Exists, GitFailed, NotFound, StoreError, ValidationFailed,
                            WriteFailed, get_value, set_value, side_by_side, still_untranslated)
from .i18n import gettext as _
from .i18n import get_lang, list_separator

bp = Blueprint("translate", __name__, url_prefix="/translate")


def source_of(store, rel: str, page=None) -> str | None:
    """The path of the version ``rel`` is (or would be) translated from: its
    ``translated_from.lang``, else the default language's version, else any other version."""
    key = store.model.page_key(rel)
    if key is None:
        return None
    section, slug, lang = key
    others = {k: v for k, v in versions(store, rel).items() if k != lang}
    wanted = translated_from(page.front).get("lang") if page is not None else None
    if wanted and wanted in others:
        return others[wanted]
    if wanted:
        return None
    if store.model.default.code in others:
        return others[store.model.default.code]
    return next(iter(others.values()), None)


def source_context(store, page, source_rel: str | None) -> dict:
    """The left column: the source's text, rendered HTML, state and the diff since the
    recorded revision (unified text and side-by-side hunks)."""
    if source_rel is None:
        return {"source": None}
    source = store.load(source_rel, get_lang())
    try:
        html = render(source.item.body if source.item else source.body, LinkContext(source_rel, preview_resolver(store))).html
    except Exception:  # a body the renderer cannot render: the raw text is still shown
        html = ""
    ctx = {"source": source, "source_html": html, "source_title": title_of(source), "state": "none",
           "diff": None, "hunks": [], "recorded": "", "recorded_state": ""}
    if page is None or page.item is None or source.item is None:
        return ctx
    states = translation_states(store.model, [source.item, page.item], root=store.root, diffs=True)
    st = states.get(page.path)
    tf = translated_from(page.front)
    ctx["recorded"] = tf.get("revision", "")
    if st is not None and st.source is not None and st.source.path == source_rel:
        ctx["state"] = st.state
        ctx["diff"] = st.diff
        if st.state == "outdated":
            old = read_blobs(store.root, [st.revision]).get(st.revision)
            if old is not None:
                ctx["hunks"] = side_by_side(old.decode("utf-8", "replace"), source.text)
    elif tf.get("lang") == source.lang:
        ctx["state"] = "current" if tf.get("revision") == source.item.digest else "outdated"
    if ctx["state"] in COPY_STATES:
        old_body = None
        if ctx["state"] == "outdated" and ctx["recorded"]:
            old = read_blobs(store.root, [ctx["recorded"]]).get(ctx["recorded"])
            split = split_front_matter(old.decode("utf-8", "replace").replace("\r\n", "\n")) if old else "none"
            old_body = None if isinstance(split, str) else split[2]
        if still_untranslated(page.item, source.item, old_body):
            ctx["recorded_state"], ctx["state"] = ctx["state"], UNTRANSLATED
    return ctx


# Translation states that are work for a translator: the source changed since the translation
# (outdated), or nobody recorded which source revision it matches (unrecorded, source-missing).
OUTDATED_STATES = ("outdated", "unrecorded", "source-missing")
# ... and a translation that exists but is not translated yet: work of the kind "missing".
UNTRANSLATED = "untranslated"


def translation_work(store, lang: str = "", kind: str = "") -> list[dict]:
    """The translator's list: one row per article with something to translate — a language
    version that does not exist yet or is not translated yet (``missing``, state ``missing`` or
    ``untranslated``: see the module docstring) or a translation whose source changed since
    (``outdated``: :data:`OUTDATED_STATES`) — with the versions to work on (``work``:
    ``{kind, state, lang, path}``) and the version to translate from.  ``lang`` keeps only work
    in that language, ``kind`` only ``missing`` or ``outdated`` work."""
    items, _errors = store.items()
    states = store.states(items)
    codes = [language.code for language in store.model.languages]
    groups: dict[tuple[str, str], dict] = {}
    for item in items:
        groups.setdefault(item.key, {})[item.lang] = item
    rows = []
    for (section, slug), langs in sorted(groups.items()):
        work = []
        for code in codes:
            if lang and code != lang:
                continue
            item = langs.get(code)
            if item is None:
                work.append({"kind": "missing", "state": "missing", "lang": code, "path": f"{section}/{slug}.{code}.md"})
                continue
            st = states.get(item.path)
            if st is not None and st.state == UNTRANSLATED:
                work.append({"kind": "missing", "state": UNTRANSLATED, "lang": code, "path": item.path,
                             "status": item.status})
            elif st is not None and st.state in OUTDATED_STATES:
                work.append({"kind": "outdated", "state": st.state, "lang": code, "path": item.path,
                             "status": item.status})
        if kind:
            work = [w for w in work if w["kind"] == kind]
        if not work:
            continue
        todo = {w["lang"] for w in work}
        present = [langs[c] for c in codes if c in langs]
        source = next((i for i in present if i.lang not in todo), present[0])
        rows.append({"section": section, "slug": slug, "work": work, "source": source,
                     "title": str(source.fields.get("title") or slug)})
    return rows


@bp.get("/")
@roles_required(*EDIT_ROLES)
def index():
    """Translation work: every article with a language version still missing or a translation
    whose source changed since it was made (filters: ``lang``, ``state`` = missing | outdated)."""
    store = get_store()
    f_lang = request.args.get("lang", "")
    f_state = request.args.get("state", "")
    if f_lang not in {language.code for language in store.model.languages}:
        f_lang = ""
    if f_state not in ("missing", "outdated"):
        f_state = ""
    rows = translation_work(store, f_lang, f_state)
    user = current_user()
    return render_template("translate_index.html", rows=rows, model=store.model, filters={"lang": f_lang, "state": f_state},
                           counts={k: sum(1 for r in rows for w in r["work"] if w["kind"] == k)
                                   for k in ("missing", "outdated")},
                           can_translate=user.can("translator") or user.can("editor") or user.can("reviewer"))


@bp.route("/<path:rel>", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def view(rel: str):
    """Side by side: source left, translation right (GET), or save the translation (POST).
    A translation that does not exist yet shows the source and a button to create it."""
    store = get_store()
    if store.model.page_key(rel) is None:
        abort(404)
    user = current_user()
    if not store.exists(rel):
        source_rel = source_of(store, rel)
        if source_rel is None:
            abort(404)
        ctx = source_context(store, None, source_rel)
        return render_template("translate.html", missing=True, rel=rel, lang=rel.rsplit(".", 2)[-2],
                               can_create=user.can("translator") or user.can("editor") or user.can("reviewer"),
                               sources=[v for k, v in versions(store, rel).items()], **ctx)
    page = load_or_404(store, rel)
    if not can_edit(user, store, page):
        abort(403)
    if request.method == "GET" and needs_text_editor(user, page):
        return redirect(url_for("content.edit", rel=rel))  # a file that cannot be read: fixed as text
    source_rel = source_of(store, rel, page)
    ctx = source_context(store, page, source_rel)
    if request.method == "POST":
        extra = {}
        if request.form.get("mark_current") and ctx.get("source") is not None and ctx["source"].item is not None:
            extra = {"translated_from.lang": ctx["source"].lang, "translated_from.revision": ctx["source"].item.digest}
        return save_form(page, "translate.html", "translate.view", "Translate", extra_changes=extra, missing=False,
                         rel=rel, **ctx)
    return render_edit("translate.html", page, missing=False, rel=rel, **ctx)


@bp.post("/<path:rel>/create")
@roles_required(*EDIT_ROLES)
def create(rel: str):
    """Create the translation ``rel`` from the source version given in the form (``source``):
    its fields and text copied (the translator replaces them), ``status: draft`` and
    ``translated_from: {lang, revision}`` of the source as it is now."""
    store = get_store()
    user = current_user()
    if not (user.can("translator") or user.can("editor") or user.can("reviewer")):
        abort(403)
    key = store.model.page_key(rel)
    if key is None:
        abort(404)
    source_rel = request.form.get("source") or source_of(store, rel)
    if not source_rel or store.model.page_key(source_rel) is None or store.model.page_key(source_rel)[:2] != key[:2] \
            or source_rel == rel:
        abort(400)
    try:
        source = store.load(source_rel)
    except NotFound:
        abort(404)
    if source.front is None or source.item is None:
        flash(_("The source page cannot be read; fix it first."), "error")
        return redirect(url_for("content.edit", rel=source_rel))
    front = copy.deepcopy(source.front)
    for name in ("slug", "lang", "translated_from"):
        set_value(front, name, None)
    set_value(front, "status", "draft")
    set_value(front, "translated_from.lang", source.lang)
    set_value(front, "translated_from.revision", source.item.digest)
    from .content_store import compose

    text = compose(source.text, front, source.body, source.newline)
    title = str(get_value(front, "title") or "")
    try:
        store.save_text(rel, text, None, author_of(user), f"Translate {source_rel} into {key[2]}: {title}",
                        get_lang(), create=True, allow_errors=False)
    except Exists:
        flash(_("This translation exists already."), "info")
    except ValidationFailed as exc:
        flash(_("The translation could not be created: %(detail)s", detail=list_separator(";").join(e.message for e in exc.errors)),
              "error")
        return redirect(url_for("translate.view", rel=rel))
    except (WriteFailed, GitFailed) as exc:
        flash(_("The translation could not be created: %(detail)s", detail=exc.detail), "error")
        return redirect(url_for("translate.view", rel=rel))
    else:
        flash(_("Translation created as a draft. Replace the copied text with the translation."), "success")
    return redirect(url_for("translate.view", rel=rel))


@bp.post("/<path:rel>/mark")
@roles_required(*EDIT_ROLES)
def mark(rel: str):
    """Record that the translation matches the source as it is now: ``translated_from.revision``
    becomes the source's current revision (everything else in the file stays as it was)."""
    store = get_store()
    page = load_or_404(store, rel)
    if not can_edit(current_user(), store, page):
        abort(403)
    source_rel = source_of(store, rel, page)
    if source_rel is None:
        abort(404)
    source = store.load(source_rel)
    from . import pending

    user = current_user()
    gated = pending.needs_review(user, page)  # a published translation: the mark waits for review too
    live = page
    if gated:
        page = pending.editing_page(store, live, pending.current(rel), get_lang())
    if source.item is None or page.front is None:
        abort(400)
    front = copy.deepcopy(page.front)
    set_value(front, "translated_from.lang", source.lang)
    set_value(front, "translated_from.revision", source.item.digest)
    text = store.text_for(page, front, None, True)
    try:
        if gated:
            pending.save_pending(store, live, text, request.form.get("base_revision", ""), user, get_lang())
        else:
            store.save_text(rel, text, request.form.get("base_revision", ""), author_of(user),
                            f"Mark {rel} as translated from {source_rel} @ {source.item.digest[:10]}", get_lang())
    except Conflict:
        flash(_("The page changed since you opened it; look at the new version and mark it again."), "error")
    except StoreError as exc:
        flash(_("Not saved: %(detail)s", detail=exc.detail), "error")
    else:
        flash(_("Your change awaits review: the page is published, so the change goes live only when a "
                "reviewer approves it. The live page is unchanged.") if gated
              else _("Marked as up to date with the source."), "success")
    return redirect(url_for("translate.view", rel=rel))
