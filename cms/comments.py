"""Comments on a page in review (issue "Government editorial workflow", item 2): a reviewer
writes what must change, attached to the version they read (its git blob revision) and to a
line of it (or to the page as a whole); everyone working on the page sees them — on the edit
and translate pages and on the review page ``/review/<path>`` — and whoever may edit the page
marks them resolved.  A step that returns a page writes its comment here too.

Kept for good: ``review_comments`` and ``review_comment_resolutions`` are append-only (rows can
be neither changed nor deleted; a resolution is a row of its own), and every comment and
resolution is audited (``comment_add``, ``comment_resolve``).  Resolved comments stay listed,
folded, with who resolved them and when.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from .auth import roles_required, safe_next
from .i18n import gettext as _
from .review import VIEW_ROLES

bp = Blueprint("comments", __name__, url_prefix="/comments")
MAX_LENGTH = 4000

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_comments (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,               -- content-relative file, news/x.zh.md
    revision TEXT NOT NULL,           -- git blob hash of the version commented on
    line INTEGER,                     -- 1-based line of that version (NULL: the page as a whole)
    excerpt TEXT NOT NULL DEFAULT '', -- that line's text then (shown when the page changed since)
    body TEXT NOT NULL,
    author_id INTEGER,                -- users.id
    at TEXT NOT NULL,                 -- ISO 8601 UTC
    step TEXT NOT NULL DEFAULT '',    -- the review step the page waited at ('' outside review)
    decision_id INTEGER               -- the review_decisions row (a return) it explains, if any
);
CREATE INDEX IF NOT EXISTS review_comments_path ON review_comments (path, id);
CREATE TABLE IF NOT EXISTS review_comment_resolutions (
    comment_id INTEGER PRIMARY KEY,   -- review_comments.id
    user_id INTEGER,                  -- who resolved it
    at TEXT NOT NULL
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the comment tables (append-only) when missing; idempotent."""
    from .db import append_only

    conn.executescript(SCHEMA + append_only("review_comments") + append_only("review_comment_resolutions"))


def _db() -> sqlite3.Connection:
    from .db import get_db

    return get_db()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def add(path: str, revision: str, body: str, user: Any, line: int | None = None, excerpt: str = "",
        step: str = "", decision_id: int | None = None) -> int:
    """Store a comment (audited ``comment_add``); returns its id."""
    from .db import audit

    cur = _db().execute("INSERT INTO review_comments (path, revision, line, excerpt, body, author_id, at, step, "
                        "decision_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (path, revision, line, excerpt[:500], body.strip()[:MAX_LENGTH], getattr(user, "id", None),
                         _now(), step, decision_id))
    audit("comment_add", path, f"comment {cur.lastrowid} on {revision[:12]}" + (f" line {line}" if line else "")
          + f": {body.strip()[:200]}")
    return cur.lastrowid


def resolve(comment_id: int, user: Any) -> bool:
    """Mark a comment resolved (audited ``comment_resolve``); False when it already was."""
    from .db import audit

    row = get(comment_id)
    if row is None:
        return False
    cur = _db().execute("INSERT OR IGNORE INTO review_comment_resolutions (comment_id, user_id, at) VALUES (?, ?, ?)",
                        (comment_id, getattr(user, "id", None), _now()))
    if cur.rowcount:
        audit("comment_resolve", row["path"], f"comment {comment_id}")
    return bool(cur.rowcount)


_SELECT = ("SELECT c.*, u.display_name AS author_name, u.username AS author, r.at AS resolved_at, "
           "ru.display_name AS resolver_name, ru.username AS resolver "
           "FROM review_comments c LEFT JOIN users u ON u.id = c.author_id "
           "LEFT JOIN review_comment_resolutions r ON r.comment_id = c.id "
           "LEFT JOIN users ru ON ru.id = r.user_id ")


def get(comment_id: int) -> dict[str, Any] | None:
    row = _db().execute(_SELECT + "WHERE c.id = ?", (comment_id,)).fetchone()
    return dict(row) if row is not None else None


def for_page(path: str, revision: str | None = None) -> list[dict[str, Any]]:
    """Every comment on ``path``, oldest first; each with ``current`` (written on the revision
    ``revision``, so its line number points at the text as it is) and ``resolved``."""
    from .review import config

    cfg = config()
    out = []
    for row in _db().execute(_SELECT + "WHERE c.path = ? ORDER BY c.id", (path,)):
        item = dict(row)
        step = cfg.step(item["step"]) if item["step"] else None
        item["step_label"] = step.label() if step is not None else item["step"]
        item["resolved"] = item["resolved_at"] is not None
        item["current"] = revision is None or item["revision"] == revision
        item["who"] = item["author_name"] or item["author"] or "?"
        out.append(item)
    return out


def open_count(path: str) -> int:
    return _db().execute("SELECT count(*) FROM review_comments c LEFT JOIN review_comment_resolutions r "
                         "ON r.comment_id = c.id WHERE c.path = ? AND r.comment_id IS NULL", (path,)).fetchone()[0]


# ---------------------------------------------------------------------------------------------
# Routes


def _revisions(store, rel: str) -> set[str]:
    """Every git blob revision the page ``rel`` has had (one ``git log --raw``)."""
    from .content_store import run_git

    proc = run_git(store.top, "log", "--no-abbrev", "--raw", "--format=", "--", store.git_path(rel))
    out = set()
    for line in proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []:
        parts = line.split()
        if len(parts) >= 4 and line.startswith(":"):
            out.add(parts[3])
    return out


def _back(rel: str) -> str:
    return safe_next(request.form.get("next") or url_for("review.view", rel=rel))


@bp.post("/page/<path:rel>")
@roles_required(*VIEW_ROLES)
def create(rel: str):
    """Add a comment to the page ``rel``: ``body`` (required), ``line`` (a line of the version
    ``revision`` the commenter read; empty: the page as a whole)."""
    from .content import get_store, load_or_404
    from .review import config, round_state

    store = get_store()
    page = load_or_404(store, rel)
    body = request.form.get("body", "").strip()
    back = _back(rel)
    if not body:
        flash(_("Write the comment first."), "error")
        return redirect(back)
    revision = request.form.get("revision") or page.revision
    text = page.text
    if revision != page.revision:  # written on the version the reviewer read: one of this page's
        from jindallae.checks.translations import read_blobs

        old = read_blobs(store.root, [revision]).get(revision) if revision in _revisions(store, rel) else None
        if old is None:
            abort(400)
        text = old.decode("utf-8", "surrogateescape")
    lines = text.replace("\r\n", "\n").split("\n")
    line: int | None = None
    raw = request.form.get("line", "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= len(lines):
            flash(_("There is no line %(line)s in this version of the page.", line=raw), "error")
            return redirect(back)
        line = int(raw)
    status = page.item.status if page.item is not None else None
    state = round_state(rel, status, config())
    add(rel, revision, body, g.user, line, lines[line - 1] if line else "", state.waiting.id if state else "")
    flash(_("Comment added."), "success")
    return redirect(back)


@bp.post("/<int:comment_id>/resolve")
@roles_required("editor", "translator", "reviewer")
def resolve_view(comment_id: int):
    """Mark a comment resolved: whoever may edit its page (the editor; the translator for a
    translation; a reviewer)."""
    from .content import can_edit, get_store, load_or_404

    row = get(comment_id)
    if row is None:
        abort(404)
    store = get_store()
    page = load_or_404(store, row["path"])
    if not can_edit(g.user, store, page):
        abort(403)
    if resolve(comment_id, g.user):
        flash(_("The comment is marked as resolved."), "success")
    else:
        flash(_("This comment was already resolved."), "info")
    return redirect(_back(row["path"]))
