"""Pending revisions: changes to published pages that wait for a reviewer (issue #7 item 3).

Roles: an editor (or a translator, for translations) creates and edits drafts; only a reviewer
approves and publishes.  So when a user WITHOUT the reviewer role saves a page whose live
status is ``published``, the content file is not touched: the whole new text is stored in
the ``pending`` table (:mod:`cms.workflow_db`) as a pending revision, like Wagtail's page
revisions.  Design:

* one pending revision per page at a time; every further save (by any user allowed to edit
  the page) inserts a new row and marks the previous one ``superseded``, so the editor keeps
  working on the pending text and earlier texts remain as the base of a three-way merge;
* a save names the revision it started from (W1): the pending text's revision when there is
  one, else the live file's; anything else is a :class:`~cms.content_store.Conflict`;
* ``base_revision`` of a row is the live file's revision the change started from; approving
  (reviewer) writes the pending text with :meth:`ContentStore.save_text` against the live
  revision — when the live file changed since ``base_revision`` the reviewer gets the merge
  view instead (:class:`Stale`) — and commits it with the editor as author and the reviewer
  named in the message; reject stores the reviewer's note for the editor; withdraw drops it;
* the page's ``status`` is always the live file's (``keep_status``): a pending revision never
  publishes or unpublishes anything by itself;
* translation state (W4) is computed from the files only, so a pending change of a source
  marks nothing outdated until it is approved and written.

Drafts and pages in review are edited directly, and reviewers' own saves write the file as
before.  Every save, approval, rejection and withdrawal is audited.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from jindallae.model import revision_of

from .content_store import (Conflict, ContentStore, NotFound, Page, SaveResult, ValidationFailed,
                            get_value, keep_status, localized_errors)
from .workflow_db import ensure_schema


class Stale(Exception):
    """Approval refused: the live file changed since the pending revision's base (W1).
    ``live`` is the live :class:`Page` now, ``row`` the pending row."""

    def __init__(self, live: Page, row: sqlite3.Row):
        super().__init__("live file changed since the pending revision's base")
        self.live = live
        self.row = row


@dataclass
class PendingSave:
    """What :func:`save_pending` did: the pending row's ``id`` and ``revision`` (git blob hash
    of its text); ``changed`` is False when the text was the same and nothing was stored."""

    id: int | None
    revision: str
    changed: bool


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _db() -> sqlite3.Connection:
    from .db import get_db

    conn = get_db()
    ensure_schema(conn)
    return conn


def _audit(action: str, target: str, detail: str = "") -> None:
    from .db import audit

    audit(action, target, detail)


def page_status(page: Page) -> str:
    """The live workflow status of ``page`` (a file without ``status`` counts as published,
    as in the content model)."""
    if page.item is not None:
        return page.item.status
    return str(get_value(page.front, "status") or "published") if page.front is not None else "published"


def needs_review(user: Any, page: Page) -> bool:
    """True when a save of ``page`` by ``user`` must become a pending revision: the page is
    published and the user does not hold the reviewer role."""
    return user is not None and not user.can("reviewer") and page_status(page) == "published"


def current(rel: str) -> sqlite3.Row | None:
    """The pending row (state ``pending``) of the page ``rel``, or ``None``."""
    return _db().execute("SELECT p.*, u.username AS author, u.display_name AS author_name FROM pending p "
                         "LEFT JOIN users u ON u.id = p.author_id WHERE p.path = ? AND p.state = 'pending' "
                         "ORDER BY p.id DESC LIMIT 1", (rel,)).fetchone()


def get(row_id: int) -> sqlite3.Row | None:
    """The pending row ``row_id`` (any state) with its author's and decider's names."""
    return _db().execute("SELECT p.*, u.username AS author, u.display_name AS author_name, "
                         "d.display_name AS decider_name, d.username AS decider FROM pending p "
                         "LEFT JOIN users u ON u.id = p.author_id LEFT JOIN users d ON d.id = p.decided_by "
                         "WHERE p.id = ?", (row_id,)).fetchone()


def last_rejection(rel: str) -> sqlite3.Row | None:
    """The newest decided row of ``rel`` when it is a rejection (its note is shown to the
    editors until they start a new pending change); ``None`` otherwise."""
    row = _db().execute("SELECT p.*, d.display_name AS decider_name, d.username AS decider FROM pending p "
                        "LEFT JOIN users d ON d.id = p.decided_by WHERE p.path = ? AND p.state != 'superseded' "
                        "ORDER BY p.id DESC LIMIT 1", (rel,)).fetchone()
    return row if row is not None and row["state"] == "rejected" else None


def queue() -> list[sqlite3.Row]:
    """Every pending row (state ``pending``), oldest first, with the author's names."""
    return _db().execute("SELECT p.*, u.username AS author, u.display_name AS author_name FROM pending p "
                         "LEFT JOIN users u ON u.id = p.author_id WHERE p.state = 'pending' ORDER BY p.id").fetchall()


def text_by_revision(rel: str, revision: str) -> str | None:
    """A text of ``rel`` stored in a pending row (any state) with ``revision``; for the merge
    base of a stale save on a pending revision."""
    row = _db().execute("SELECT text FROM pending WHERE path = ? AND revision = ? ORDER BY id DESC LIMIT 1",
                        (rel, revision)).fetchone()
    return row["text"] if row is not None else None


def editing_page(store: ContentStore, live: Page, row: sqlite3.Row | None, ui_lang: str | None = None) -> Page:
    """The page an editor edits: the pending text when there is a pending row, else ``live``."""
    if row is None:
        return live
    return store.page_from_text(live.path, row["text"], row["revision"], ui_lang)


def _revision(text: str) -> str:
    return revision_of(text.encode("utf-8", "surrogateescape"))


def save_pending(store: ContentStore, live: Page, text: str, base_revision: str, user: Any,
                 ui_lang: str | None = None) -> PendingSave:
    """Store ``text`` as the pending revision of the published page ``live`` (the file is not
    touched).

    ``base_revision`` must be the pending text's revision when the page has a pending row,
    else the live file's revision; otherwise :class:`Conflict` (W1) carrying the text it
    should have started from.  The content model's errors that the live file does not already
    have raise :class:`ValidationFailed` (messages in ``ui_lang``).  The page keeps the live
    status.  The check and the insert run in one ``BEGIN IMMEDIATE`` transaction, so two
    saves at once cannot both pass the check."""
    text = keep_status(text, live, store)
    errors = localized_errors(store.model, store.root, live.path, text, ui_lang)
    if errors:
        before = {(e.code, e.english) for e in store.model.parse_text(store.root, live.path, live.text)[1]}
        errors = [e for e in errors if (e.code, e.english) not in before]
        if errors:
            raise ValidationFailed(errors)
    conn = _db()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT * FROM pending WHERE path = ? AND state = 'pending' ORDER BY id DESC LIMIT 1",
                           (live.path,)).fetchone()
        expected_text, expected = (row["text"], row["revision"]) if row is not None else (live.text, live.revision)
        if base_revision != expected:
            raise Conflict(expected_text, expected)
        revision = _revision(text)
        if revision == expected:
            conn.execute("COMMIT")
            return PendingSave(row["id"] if row is not None else None, revision, False)
        now = _now()
        if row is not None:
            conn.execute("UPDATE pending SET state = 'superseded', decided_at = ? WHERE id = ?", (now, row["id"]))
        cur = conn.execute("INSERT INTO pending (path, base_revision, text, revision, author_id, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (live.path, row["base_revision"] if row is not None else live.revision, text, revision,
                            user.id, now))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _audit("pending_save", live.path, f"pending {cur.lastrowid} on live {live.revision[:12]}"
           + (f" (replaces {row['id']})" if row is not None else ""))
    return PendingSave(cur.lastrowid, revision, True)


def approve(store: ContentStore, row: sqlite3.Row, reviewer: Any, text: str | None = None,
            live_revision: str | None = None, ui_lang: str | None = None) -> SaveResult:
    """Write the pending revision ``row`` to its file and commit it with the editor who saved
    it as author and ``reviewer`` named in the message (``Edit <path>: <title> (approved by
    <name>)``); the row becomes ``approved``.

    When the live file changed since ``row['base_revision']`` this raises :class:`Stale` —
    unless the reviewer sends the merged ``text`` together with the ``live_revision`` it was
    merged against, which must still be the live one.  The live status is kept.  Raises
    :class:`NotFound`, :class:`ValidationFailed`, :class:`Conflict` and the other
    :class:`~cms.content_store.StoreError` of :meth:`ContentStore.save_text`."""
    from .auth import load_user
    from .content import author_of, title_of

    live = store.load(row["path"], ui_lang)
    if text is None or live_revision is None:
        if live.revision != row["base_revision"]:
            raise Stale(live, row)
        text = row["text"]
    elif live_revision != live.revision:
        raise Stale(live, row)
    elif "\r\n" not in live.text:
        text = text.replace("\r\n", "\n")  # a browser sends a textarea with CRLF line ends
    text = keep_status(text, live, store)
    conn = _db()
    editor = load_user(conn, row["author_id"], active_only=False) if row["author_id"] else None
    new = store.page_from_text(live.path, text, _revision(text))
    message = f"Edit {live.path}: {title_of(new)} (approved by {reviewer.name})"
    result = store.save_text(live.path, text, live.revision, author_of(editor), message, ui_lang)
    conn.execute("UPDATE pending SET state = 'approved', decided_by = ?, decided_at = ?, commit_id = ? "
                 "WHERE id = ? AND state = 'pending'", (reviewer.id, _now(), result.commit, row["id"]))
    _audit("pending_approve", live.path, f"pending {row['id']}: commit {(result.commit or 'none')[:12]}")
    return result


def reject(row: sqlite3.Row, reviewer: Any, note: str) -> bool:
    """Reject the pending revision ``row`` with ``note`` (shown to the editors); the file is
    not touched.  False when the row was no longer pending."""
    cur = _db().execute("UPDATE pending SET state = 'rejected', decided_by = ?, decided_at = ?, note = ? "
                        "WHERE id = ? AND state = 'pending'", (reviewer.id, _now(), note.strip()[:4000], row["id"]))
    if cur.rowcount:
        _audit("pending_reject", row["path"], f"pending {row['id']}: {note.strip()[:200]}")
    return bool(cur.rowcount)


def withdraw(row: sqlite3.Row, user: Any) -> bool:
    """Withdraw the pending revision ``row`` (the editor drops the change; the live page stays
    as it is).  False when the row was no longer pending."""
    cur = _db().execute("UPDATE pending SET state = 'withdrawn', decided_by = ?, decided_at = ? "
                        "WHERE id = ? AND state = 'pending'", (user.id, _now(), row["id"]))
    if cur.rowcount:
        _audit("pending_withdraw", row["path"], f"pending {row['id']}")
    return bool(cur.rowcount)


__all__ = ["NotFound", "PendingSave", "Stale", "approve", "current", "editing_page", "get", "last_rejection",
           "needs_review", "page_status", "queue", "reject", "save_pending", "text_by_revision", "withdraw"]
