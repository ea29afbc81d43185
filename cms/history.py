"""Blueprint ``history``: a page's history (one git commit per save), diffs between any two
revisions (side by side and unified), and restoring an old revision as a new commit
(issue #7 item 8).

Everyone who works on pages or reviews them may read a page's history and diffs (the content
roles and every role a review step may name, :data:`cms.review.VIEW_ROLES`: a proofreader,
department head or leader must see what changed before deciding); restoring needs the right to
edit the page."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .auth import current_user, roles_required
from .content import EDIT_ROLES, author_of, can_edit, get_store, load_or_404, title_of
from .content_store import Conflict, NotFound, StoreError, keep_status, side_by_side, unified_diff
from .i18n import gettext as _
from .i18n import get_lang
from .review import VIEW_ROLES

bp = Blueprint("history", __name__, url_prefix="/history")


@bp.get("/<path:rel>")
@roles_required(*VIEW_ROLES)
def index(rel: str):
    """The commits that changed the page, newest first, with author, Beijing time, message
    (for everyone who may review the page; restoring only for whoever may edit it)."""
    store = get_store()
    page = load_or_404(store, rel)
    revisions = store.history(rel)
    editable = can_edit(current_user(), store, page)
    return render_template("history.html", page=page, title=title_of(page), revisions=revisions,
                           can_restore=editable, can_edit=editable)


@bp.get("/<path:rel>/diff")
@roles_required(*VIEW_ROLES)
def diff(rel: str):
    """The difference between revisions ``a`` and ``b`` (commit ids; ``b`` may be ``current``,
    the file as it is now): a side-by-side table and the unified diff."""
    store = get_store()
    page = load_or_404(store, rel)
    a, b = request.args.get("a", ""), request.args.get("b", "current")
    try:
        old = store.text_at(rel, a)
        new = page.text if b == "current" else store.text_at(rel, b)
    except NotFound:
        abort(404)
    return render_template("diff.html", page=page, title=title_of(page), a=a, b=b, hunks=side_by_side(old, new),
                           unified=unified_diff(old, new, f"{rel} @ {a[:10]}", f"{rel} @ {b[:10]}"))


@bp.post("/<path:rel>/restore")
@roles_required(*EDIT_ROLES)
def restore(rel: str):
    """Write the page as it was in ``commit`` and commit that as a new commit
    ("Restore <path> to <short sha>"); history is kept.  Needs the current revision
    (``base_revision``) so a restore never overwrites a save made meanwhile."""
    store = get_store()
    page = load_or_404(store, rel)
    if not can_edit(current_user(), store, page):
        abort(403)
    commit = request.form.get("commit", "")
    if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        abort(400)
    from . import pending

    user = current_user()
    review = pending.needs_review(user, page)
    try:
        if review:
            # A published page: the old version becomes the pending change (replacing any), for
            # a reviewer to approve; the history page's base is the live file's revision.
            if request.form.get("base_revision", "") != page.revision:
                raise Conflict(page.text, page.revision)
            text = keep_status(store.text_at(rel, commit), page, store)
            row = pending.current(rel)
            pending.save_pending(store, page, text, row["revision"] if row is not None else page.revision, user,
                                 get_lang())
            result = None
        else:
            result = store.restore(rel, commit, request.form.get("base_revision", ""), author_of(user), get_lang())
    except NotFound:
        abort(404)
    except Conflict:
        flash(_("The page changed since you opened its history; nothing was restored. Look at the new version "
                "first."), "error")
    except StoreError as exc:
        flash(_("Nothing was restored: %(detail)s", detail=exc.detail), "error")
    else:
        if review:
            flash(_("Your change awaits review: the page is published, so the change goes live only when a "
                    "reviewer approves it. The live page is unchanged."), "success")
        elif result.commit:
            flash(_("Restored the version %(rev)s as a new save.", rev=commit[:10]), "success")
        else:
            flash(_("That version is the same as the current one; nothing to restore."), "info")
    return redirect(url_for("history.index", rel=rel))
